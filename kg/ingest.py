"""Ingest: files → clean :class:`Document` objects whose text every offset in the graph indexes.

Decoding handles UTF-8 (with or without BOM), UTF-16 with BOM and GB18030/GBK. Cleaning undoes the
layout damage of scanned/ripped newspaper pages: sentences broken across column or page breaks,
paragraphs printed twice, page furniture (mastheads, "(上接第二版)", photo credits).

>>> page = "在审议政府工作报告时，代表们一致认为，市长程\\n\\n宇代表市政府所作的报告实事求是。"
>>> doc = document_from_text(page + "\\n\\n" + page, source="a.txt")
>>> doc.text
'在审议政府工作报告时，代表们一致认为，市长程宇代表市政府所作的报告实事求是。'
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.resources import load_lines


class InputError(Exception):
    """A file that cannot be read as a Chinese text document (one-line reason in the message)."""


@dataclass(frozen=True)
class Document:
    """One source text after cleaning. ``text`` is what every offset in the graph indexes."""

    doc_id: str
    source: str
    text: str
    title: str | None = None
    date: str | None = None  # ISO: YYYY-MM-DD, YYYY-MM or YYYY
    newspaper: str | None = None
    issue: str | None = None
    photo_credits: tuple[str, ...] = field(default_factory=tuple)


# ------------------------------------------------------------------ reading

def find_text_files(paths: list[Path]) -> list[Path]:
    """Files to read: each file as given, each folder's ``*.txt`` recursively, sorted."""
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.txt") if p.is_file()))
        else:
            found.append(path)
    return found


def decode_bytes(data: bytes, name: str = "<bytes>") -> str:
    """Decode UTF-8 (BOM or not), UTF-16 with BOM, or GB18030 (a superset of GBK/GB2312)."""
    if not data.strip():
        raise InputError(f"{name}: empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise InputError(f"{name}: binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(f"{name}: not text in a known encoding")
    return str(best)


def read_document(path: Path) -> Document:
    """Read and clean one file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    text = decode_bytes(data, str(path))
    return document_from_text(text, source=path.name)


# ------------------------------------------------------------------ cleaning

_FURNITURE = [re.compile(p) for p in load_lines("furniture.txt")]
_INLINE_FURNITURE = re.compile(r"[(（](?:上|下)(?:接|转)第?[一二三四五六七八九十\d]+版[)）]")
_LEAD = re.compile(r"^(?:本报讯|本报记者|新华社|据|日前|近日|记者|[(（]|——|#)")
_PHOTO_CREDIT = re.compile(r"\s+([\u4e00-\u9fff]{2,4}(?:\s+[\u4e00-\u9fff]{2,4})*)\s*摄\s*$")
_END_PUNCT = set("。！？!?；;：:…”’」』）)】]》>")
_CJK = re.compile(r"[\u4e00-\u9fff0-9A-Za-z、，,（(“《]")


def normalise_newlines(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    text = text.replace("\ufeff", "").replace("\u00a0", " ")
    return "\n".join(line.rstrip() for line in text.split("\n"))


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def is_furniture(par: str) -> bool:
    return any(p.search(par) for p in _FURNITURE)


def strip_photo_credit(par: str) -> tuple[str, list[str]]:
    """``"城市生态越来越好。 刘海娇 摄"`` → (the caption without the credit, ["刘海娇"])."""
    m = _PHOTO_CREDIT.search(par)
    if not m:
        return par, []
    return par[: m.start()].rstrip(), m.group(1).split()


def continues(prev: str, nxt: str) -> bool:
    """True when ``nxt`` continues the sentence ``prev`` broken by a column or page break."""
    if len(prev) < 20 or prev[-1] in _END_PUNCT or not (re.search(r"[，。；,;]", prev) or prev.count("《") > prev.count("》")):
        return False  # short lines and headlines (no sentence punctuation) stand alone
    if _LEAD.match(nxt):
        return False  # a new story or paragraph starts
    return bool(_CJK.match(nxt[:1])) and nxt[:1] not in "(（“《" and not re.match(r"[一二三四五六七八九十]+、", nxt)


def clean_text(raw: str) -> tuple[str, list[str]]:
    """Clean layout damage; returns the text (paragraphs joined by a blank line) and photo credits.

    >>> clean_text("重庆将加快招引一批关键零部件项目;推进集成电路、平板显\\n\\n示等产业。\\n\\n(下转第二版)")[0]
    '重庆将加快招引一批关键零部件项目;推进集成电路、平板显示等产业。'
    """
    credits: list[str] = []
    kept: list[str] = []
    seen: set[str] = set()
    for par in paragraphs(normalise_newlines(raw)):
        par = _INLINE_FURNITURE.sub("", par).strip()
        par, names = strip_photo_credit(par)
        credits.extend(names)
        if not par or is_furniture(par):
            continue
        par = re.sub(r"[ \t]*\n[ \t]*", "", par) if "\n" in par and len(par) > 40 else par
        key = re.sub(r"\s+", "", par)
        if len(key) >= 15 and key in seen:
            continue  # a paragraph printed twice
        seen.add(key)
        if kept and continues(kept[-1], par):
            kept[-1] += par
        else:
            kept.append(par)
    # a sentence joined across a break may now duplicate an earlier one
    out: list[str] = []
    seen_out: set[str] = set()
    for par in kept:
        key = re.sub(r"\s+", "", par)
        if len(key) >= 15 and key in seen_out:
            continue
        seen_out.add(key)
        out.append(par)
    return "\n\n".join(out), credits


# ------------------------------------------------------------------ metadata

_DATE_FULL = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日")
_DATE_YM = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月")
_ISSUE = re.compile(r"总第\s*(\d+)\s*期")
_NEWSPAPER = re.compile(r"([\u4e00-\u9fff]{2,6}日报)社?")


def find_date(raw_head: str) -> str | None:
    m = _DATE_FULL.search(raw_head)
    if m:
        return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
    return None


def find_title(text: str) -> str | None:
    for par in paragraphs(text)[:6]:
        line = par.lstrip("# ").strip()
        if 4 <= len(line) <= 40 and line[-1] not in "。！？" and not _DATE_FULL.search(line):
            return line
    return None


def doc_id_for(source: str, text: str) -> str:
    """The file's stem when it is a safe identifier, else a content hash."""
    stem = Path(source).stem
    if re.fullmatch(r"[A-Za-z0-9_.\-]{1,80}", stem):
        return stem
    return "doc-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def document_from_text(raw: str, source: str) -> Document:
    """Clean raw text and read its metadata (date, title, newspaper, issue)."""
    head = normalise_newlines(raw)[:600]
    text, credits = clean_text(raw)
    if not text.strip():
        raise InputError(f"{source}: no text left after cleaning")
    if not re.search(r"[\u4e00-\u9fff]", text):
        raise InputError(f"{source}: no Chinese text")
    paper = _NEWSPAPER.search(head)
    issue = _ISSUE.search(head)
    return Document(
        doc_id=doc_id_for(source, text),
        source=source,
        text=text,
        title=find_title(text),
        date=find_date(head),
        newspaper=paper.group(1) if paper else None,
        issue=f"总第{issue.group(1)}期" if issue else None,
        photo_credits=tuple(dict.fromkeys(credits)),
    )
