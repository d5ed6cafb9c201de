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
import os
import re
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.resources import cue, load_lines


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
    position: int | None = None  # the article's place on its page (1 = first), when the page held several
    page: str | None = None  # the page's id, when this is one of its articles
    home_city: str | None = None  # the page's home city, found on the whole page (recognize.page_homes)


# ------------------------------------------------------------------ reading

#: ``kg build`` refuses a file bigger than this (``--max-file-mb``; 0 = no limit). Extraction time grows
#: faster than linearly with a document's length (on one core: 0.3 MB ≈ 4 s, 0.9 MB ≈ 18 s); a newspaper
#: page is 5–50 KB and a government work report about 60 KB, so a bigger file is an archive of many
#: articles and is better split. The size is checked before the file is read.
MAX_FILE_MB = 2.0

#: Magic numbers of files that are often misnamed .txt in archives: (prefix, what it is).
_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.xlsx document)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document (.doc/.xls)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")  # not \t \n \f \r


def find_text_files(paths: list[Path]) -> list[Path]:
    """Files to read: each file as given, each folder's ``*.txt`` recursively, sorted."""
    return [path for path, _ in find_inputs(paths)]


def shown_name(name: str | os.PathLike) -> str:
    """A file name as the graph, the CSV and the terminal show it: a name that is not valid UTF-8 (read
    from the disk as surrogate escapes, e.g. ``'\\udcff'``) has each such byte written as a backslash
    escape of its value (``\\xff``): ``os.fsencode`` then UTF-8 with ``backslashreplace``. Valid names
    are unchanged (a backslash already in a name is not doubled, so the form is readable, not
    reversible).

    >>> shown_name(os.fsdecode(b"\\xffnews.txt"))
    '\\\\xffnews.txt'
    """
    return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def _walk_text_files(top: Path):
    """Every ``*.txt`` (any case) below ``top`` that is not a folder: with an explicit stack, so any
    depth of nesting is walked; links to folders are not followed (no loops), links to files and
    special files are listed (so that those that cannot be read are reported). A sub-folder that
    may not be read is left out, as ``Path.rglob`` did; one that cannot be listed for another reason
    (a path too long for the system) is an :class:`InputError`."""
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except PermissionError:
            if folder is top:
                raise
            continue
        except OSError as exc:  # e.g. a path longer than the system allows (thousands of levels deep)
            shown = shown_name(folder)
            shown = shown if len(shown) <= 200 else f"{shown[:100]}…{shown[-100:]}"
            raise InputError(f"{shown}: cannot list this folder ({exc.strerror or exc})") from None
        for entry in entries:
            path = folder / entry.name
            try:
                is_dir = entry.is_dir()  # follows a link: a link to a folder is not a text file
                if is_dir and not entry.is_symlink():
                    stack.append(path)
            except OSError:
                is_dir = False
            if not is_dir and os.path.splitext(entry.name)[1].lower() == ".txt":
                yield path


def find_inputs(paths: list[Path]) -> list[tuple[Path, str]]:
    """(file, name below the folder it was found in) for each file to read: each file as given (its
    name), each folder's ``*.txt`` (any case) recursively at any depth, including links and special
    files so that those that cannot be read are reported, not silently left out. Sorted; each file
    once. Names that are not valid UTF-8 are given in :func:`shown_name`'s escaped form."""
    found: dict[str, tuple[Path, str]] = {}
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise InputError(f"{shown_name(path)}: no such file or folder")
        if path.is_dir():
            for p in _walk_text_files(path):
                found.setdefault(os.path.abspath(p), (p, shown_name(p.relative_to(path).as_posix())))
        else:
            found.setdefault(os.path.abspath(path), (path, shown_name(path.name)))
    return sorted(found.values(), key=lambda item: (item[1], str(item[0])))


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM, else None: the NUL bytes of ASCII characters fall on one side of the
    byte pairs (a few CJK characters such as 一 U+4E00 put one on the other side)."""
    head = data[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if len(data) % 2 or max(even, odd) < 2 * min(even, odd) or not (even or odd):
        return None
    try:
        text = data.decode("utf-16-be" if even > odd else "utf-16-le")
    except UnicodeDecodeError:
        return None
    sample = re.sub(r"\s", "", text[:4096])
    chinese = len(re.findall(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", sample))
    return text if chinese * 10 >= len(sample) * 3 and not _mostly_control(text) else None


def _mostly_control(text: str) -> bool:
    return len(_CONTROL.findall(text[:65536])) > max(8, len(text[:65536]) // 50)


def _decode_lines(data: bytes) -> str | None:
    """Each line as UTF-8, else as GB18030: files pasted together from differently encoded sources.
    None when most lines that are not ASCII decode as neither."""
    out, bad, non_ascii = [], 0, 0
    for line in data.split(b"\n"):
        if line.isascii():
            out.append(line.decode("ascii"))
            continue
        non_ascii += 1
        for encoding in ("utf-8", "gb18030"):
            try:
                out.append(line.decode(encoding))
                break
            except UnicodeDecodeError:
                pass
        else:
            bad += 1
            out.append(line.decode("utf-8", errors="replace"))
    return None if bad * 2 > non_ascii else "\n".join(out)


def decode_bytes(data: bytes, name: str = "<bytes>") -> str:
    """Decode UTF-8 (BOM or not), UTF-16 with BOM (or without, when it is plainly UTF-16), GB18030
    (a superset of GBK/GB2312), or a file mixing UTF-8 and GB18030 lines. Binary files (NUL bytes,
    control characters, a known magic number) are an :class:`InputError`."""
    if not data.strip():
        raise InputError(f"{name}: empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return data.decode("utf-32", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")  # a lone surrogate or odd last byte becomes U+FFFD
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"{name}: {what}, not plain text (convert it to .txt first)")
    if b"\x00" in data[:4096]:
        text = _utf16_without_bom(data)
        if text is None:
            raise InputError(f"{name}: binary file (NUL bytes), not text")
        return text
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_lines(data)
    if text is None:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise InputError(f"{name}: not text in a known encoding")
        text = str(best)
    if _mostly_control(text):
        raise InputError(f"{name}: binary file (control characters), not text")
    return text


def read_document(path: Path, max_mb: float | None = MAX_FILE_MB, source: str | None = None) -> Document:
    """Read and clean one file; every :class:`InputError` names ``path`` and says why in one line.
    ``max_mb`` (None or 0: no limit) refuses a bigger file before reading it; ``source`` is the name
    the graph records (default: the file's name)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise InputError(f"{path}: broken link (to {os.readlink(path)})") from None
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: not a regular file")
    limit = int(max_mb * 1_000_000) if max_mb else None
    if limit is not None and info.st_size > limit:
        raise InputError(f"{path}: {info.st_size / 1e6:.1f} MB, over the limit of {max_mb:g} MB per file "
                         f"(--max-file-mb; an archive of many articles is better split)")
    try:
        with open(path, "rb") as fh:
            data = fh.read(-1 if limit is None else limit + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if limit is not None and len(data) > limit:  # it grew while we looked
        raise InputError(f"{path}: over the limit of {max_mb:g} MB per file (--max-file-mb)")
    text = decode_bytes(data, str(path))
    name = source or shown_name(path.name)
    try:
        return document_from_text(text, source=name)
    except InputError as exc:
        raise InputError(f"{path}: {str(exc).removeprefix(name + ': ')}") from None


PARALLEL_READ_BYTES = 4 << 20  # below this much input, a process pool costs more than it saves


def _read_one(job: tuple[Path, float | None]) -> Document | str:
    """One file read and cleaned, or the one-line reason it cannot be (picklable, for a process pool)."""
    try:
        return read_document(*job)
    except InputError as exc:
        return str(exc)


def read_documents(paths: list[Path], max_mb: float | None = MAX_FILE_MB,
                   workers: int = 1) -> tuple[list[Document], list[str], int]:
    """Every input file read: (documents, one line per file that could not be read, files found).

    Raises :class:`InputError` for a path that does not exist. Documents come in a fixed order
    whatever the order of ``paths``; two files with the same name in different folders stay two
    documents (their ids get a hash of the text, their source the path below the folder); a file
    whose cleaned text is the same as an earlier one's is reported and left out. A newspaper page of
    several articles gives one document per article (:func:`articles`). With ``workers`` > 1
    and more than ``PARALLEL_READ_BYTES`` of input, files are decoded and cleaned on that many
    processes (the same result, in the same order)."""
    inputs = find_inputs(paths)
    jobs = [(path, max_mb) for path, _ in inputs]
    if workers > 1 and len(inputs) > 1 and sum(_size(p) for p, _ in inputs) > PARALLEL_READ_BYTES:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # fork: the children share the loaded module and need no re-import of the caller's __main__
        # (reading runs before any model, thread or Dask cluster is started)
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method)) as pool:
            results = list(pool.map(_read_one, jobs, chunksize=max(1, len(jobs) // (workers * 8))))
    else:
        results = [_read_one(job) for job in jobs]
    docs, problems = [], []
    for (path, name), result in zip(inputs, results):
        if isinstance(result, str):
            problems.append(result)
        else:
            docs.append((result, path, name))
    texts: dict[str, set[str]] = {}
    for doc, _, _ in docs:
        texts.setdefault(doc.doc_id, set()).add(doc.text)
    out, seen = [], {}
    for doc, path, name in docs:
        if (doc.doc_id, doc.text) in seen:
            problems.append(f"{path}: the same text as {seen[doc.doc_id, doc.text]}")
            continue
        seen[doc.doc_id, doc.text] = path
        if len(texts[doc.doc_id]) > 1:  # the same name in two folders, different texts
            digest = hashlib.sha1(doc.text.encode("utf-8")).hexdigest()[:8]
            doc = replace(doc, doc_id=f"{doc.doc_id}-{digest}", source=name)
        out.extend(articles(doc))
    return out, problems, len(inputs)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


# ------------------------------------------------------------------ cleaning

#: Furniture rules (kg/resources/furniture.txt), each matched against a whole line: ``{short}`` is a
#: short stretch without sentence punctuation.
_SHORT = r"[^。，；！？,;!?\n]{0,80}"
_FURNITURE = [re.compile(p.replace("{short}", _SHORT)) for p in load_lines("furniture.txt")]
_FURNITURE_LINE_MAX = 300  # a longer line is text, whatever it holds
_MASTHEAD_LIKE = re.compile(r"[^。，；：！？,;:!?]{1,40}")  # a short line without sentence punctuation
_INLINE_FURNITURE = re.compile(r"[(（](?:上|下)(?:接|转)第?[一二三四五六七八九十\d]+版[)）]")
_LEAD = re.compile(r"^(?:本报讯|本报记者|新华社|据|日前|近日|记者|[(（]|——|#)")
_PHOTO_CREDIT = re.compile(r"\s+([\u4e00-\u9fff]{2,4}(?:\s+[\u4e00-\u9fff]{2,4})*)\s*摄\s*$")
_CREDIT_ROLE = re.compile(rf"(?:{cue('credit_prefixes')})?(?:摄影)?(?:{cue('credit_roles')})")
_END_PUNCT = set("。！？!?；;：:…”’」』）)】]》>")
_CJK = re.compile(r"[\u4e00-\u9fff0-9A-Za-z、，,（(“《]")


_INVISIBLE = re.compile("[\ufeff\u200b-\u200d\u2060\u00ad\ufffe\uffff]")  # BOM, zero-width, soft hyphen
_LINE_BREAK = re.compile("\r\n?|[\u2028\u0085]")
_PAGE_BREAK = re.compile("[\f\v\u2029\x1c-\x1e]")


def normalise_newlines(text: str) -> str:
    """``\\n`` line ends, a blank line for a page break, no control or zero-width characters, no
    trailing spaces: what cleaning and every offset work on."""
    text = _LINE_BREAK.sub("\n", text)
    text = _PAGE_BREAK.sub("\n\n", text).replace("\u3000", " ").replace("\u00a0", " ")
    text = _CONTROL.sub("", _INVISIBLE.sub("", text))
    return "\n".join(line.rstrip() for line in text.split("\n"))


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def is_furniture_line(line: str) -> bool:
    """True when the whole ``line`` is page furniture (a masthead, an issue line, a line that is only a
    web address…); a line that merely contains such a thing is text."""
    line = line.strip()
    return 0 < len(line) <= _FURNITURE_LINE_MAX and any(p.fullmatch(line) for p in _FURNITURE)


def strip_furniture(par: str) -> str:
    """``par`` without its furniture lines; "" when it is a furniture block (its other lines, if any,
    short and without sentence punctuation, like ``第4版 县域经济`` under a masthead).

    >>> strip_furniture("今年新建5G基站300个，详见市政府网站www.liaoyuan.gov.cn。")
    '今年新建5G基站300个，详见市政府网站www.liaoyuan.gov.cn。'
    >>> strip_furniture("宝鸡日报\\n2025年7月2日 星期三 总第17603期\\n第2版 要闻")
    ''
    >>> strip_furniture("详见以下网址：\\nhttp://www.liaoyuan.gov.cn/tz")
    '详见以下网址：'
    """
    lines = par.split("\n")
    furniture = [is_furniture_line(line) for line in lines]
    if not any(furniture):
        return par
    if all(f or _MASTHEAD_LIKE.fullmatch(line.strip()) for f, line in zip(furniture, lines)):
        return ""
    return "\n".join(line for f, line in zip(furniture, lines) if not f).strip()


def is_furniture(par: str) -> bool:
    """True when the whole paragraph is page furniture (see :func:`strip_furniture`)."""
    return not strip_furniture(par)


def strip_photo_credit(par: str) -> tuple[str, list[str]]:
    """``"城市生态越来越好。 刘海娇 摄"`` → (the caption without the credit, ["刘海娇"])."""
    m = _PHOTO_CREDIT.search(par)
    if not m:
        return par, []
    names = [w for w in m.group(1).split() if not _CREDIT_ROLE.fullmatch(w)]  # 本报记者 梁志鹏 摄
    return par[: m.start()].rstrip(), names


def continues(prev: str, nxt: str) -> bool:
    """True when ``nxt`` continues the sentence ``prev`` broken by a column or page break."""
    if len(prev) < 20 or prev[-1] in _END_PUNCT or not (re.search(r"[，。；,;]", prev) or prev.count("《") > prev.count("》")):
        return False  # short lines and headlines (no sentence punctuation) stand alone
    if _LEAD.match(nxt):
        return False  # a new story or paragraph starts
    return bool(_CJK.match(nxt[:1])) and nxt[:1] not in "(（“《" and not re.match(r"[一二三四五六七八九十]+、", nxt)


def unwrap(block: str) -> list[str]:
    """The paragraphs of a block of lines: a line is joined to the next only where it was wrapped (it
    runs to near the block's widest line and ends without closing punctuation); a line ending a
    sentence, a short line (a headline, a list item) or one of a list of names keeps its own paragraph.

    >>> unwrap("重庆将加快招引一批关键零部件项目，推进集成\\n电路、平板显示等产业发展。")
    ['重庆将加快招引一批关键零部件项目，推进集成电路、平板显示等产业发展。']
    >>> unwrap("附件\\n庆铃汽车（集团）有限公司\\n重庆钢铁（集团）有限责任公司\\n重庆建工集团股份有限公司")
    ['附件', '庆铃汽车（集团）有限公司', '重庆钢铁（集团）有限责任公司', '重庆建工集团股份有限公司']
    >>> unwrap("市长出席会议并讲话。\\n会议强调，要加快项目建设。")
    ['市长出席会议并讲话。', '会议强调，要加快项目建设。']
    """
    lines = [line.strip() for line in block.split("\n") if line.strip()]
    widest = max(len(line) for line in lines)
    out = [lines[0]]
    for prev, line in zip(lines, lines[1:]):
        if prev[-1] not in _END_PUNCT and len(prev) >= max(20, 0.8 * widest) \
                and (re.search(r"[，。；,;、]", prev) or len(prev) >= 30):
            out[-1] += line
        else:
            out.append(line)
    return out


def clean_text(raw: str) -> tuple[str, list[str]]:
    """Clean layout damage; returns the text (paragraphs joined by a blank line) and photo credits.

    The passes run again on their own output until nothing changes (a joined paragraph may end in
    another photo credit, or become long enough for its line breaks to go), so cleaning is idempotent:
    ``clean_text(clean_text(x)[0])[0] == clean_text(x)[0]``.

    >>> clean_text("重庆将加快招引一批关键零部件项目;推进集成电路、平板显\\n\\n示等产业。\\n\\n(下转第二版)")[0]
    '重庆将加快招引一批关键零部件项目;推进集成电路、平板显示等产业。'
    >>> clean_text("城市生态越来越好 刘海娇 摄 王强 摄")
    ('城市生态越来越好', ['王强', '刘海娇'])
    """
    text, credits = _clean_once(raw)
    for _ in range(8):
        again, more = _clean_once(text)
        if again == text:
            break
        text, credits = again, credits + more
    return text, credits


def _clean_once(raw: str) -> tuple[str, list[str]]:
    credits: list[str] = []
    kept: list[str] = []
    seen: set[str] = set()
    for par in paragraphs(normalise_newlines(raw)):
        par = _INLINE_FURNITURE.sub("", par).strip()
        par, names = strip_photo_credit(par)
        credits.extend(names)
        par = strip_furniture(par) if par else par
        if not par:
            continue
        for piece in unwrap(par) if "\n" in par and len(par) > 40 else [par]:
            key = re.sub(r"\s+", "", piece)
            if len(key) >= 15 and key in seen:
                continue  # a paragraph printed twice
            seen.add(key)
            if kept and continues(kept[-1], piece):
                kept[-1] += piece
            else:
                kept.append(piece)
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


# ------------------------------------------------------------------ articles

#: A byline or a lead that opens an article, right under its headline (a paragraph of its own or the
#: start of the first paragraph): 本报记者 李及甫 · 新华社记者 · ——访市人大代表… · 本报讯 · 新华社北京2月10日电.
_BYLINE = re.compile(rf"^(?:{cue('article_bylines')})[\s\u4e00-\u9fff·、]{{0,30}}$")
_ARTICLE_LEAD = re.compile(rf"^(?:——|(?:{cue('article_leads')}))")
_MD_HEADING = re.compile(r"^#{1,6}\s")
_SECTION_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．])")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_DATELINE_END = re.compile(r"[(（](?:新华社|中新社|人民日报)[^()（）]{0,16}电[)）]$|[(（]完[)）]$")


def _headline_like(par: str) -> bool:
    """A short line without sentence punctuation at its end that is not a numbered section head."""
    return 4 <= len(par) <= 60 and len(_HAN.findall(par)) >= 4 and par[-1] not in _END_PUNCT and not _SECTION_NUMBER.match(par) \
        and not re.search(r"[。！？]", par)


def _opens_article(pars: list[str], i: int) -> bool:
    """True when paragraph ``i`` is the first line of a new article's headline block: a Markdown heading, a
    headline after an article's closing dateline, or up to three headline lines followed by a byline or lead."""
    par = pars[i]
    if _MD_HEADING.match(par):
        return True
    if not _headline_like(par) or _headline_like(pars[i - 1]) and not _MD_HEADING.match(pars[i - 1]):
        return False  # only the first line of a block opens it
    if _DATELINE_END.search(pars[i - 1]):
        return True
    for j in range(i + 1, min(i + 4, len(pars))):
        if _BYLINE.match(pars[j]) or _ARTICLE_LEAD.match(pars[j]):
            return True
        if not _headline_like(pars[j]):
            return False
    return False


def articles(doc: Document) -> list[Document]:
    """The articles of a newspaper page, each a :class:`Document` of its own whose text is a slice of the
    page's (so offsets stay valid against it): ``doc_id`` the page's with ``-1``, ``-2``…, ``title`` the
    article's headline, ``position`` its place on the page; date, newspaper, issue and source the page's.
    A text with one article is returned as it is.

    >>> page = ("辽源市召开会议\\n\\n本报讯 市长程宇出席会议。\\n\\n东丰县开工建设新项目\\n\\n本报记者 李及甫\\n\\n"
    ...         "东丰县开工建设梅花鹿产业园。")
    >>> [(a.doc_id, a.title, a.position, a.text[:6]) for a in articles(document_from_text(page, "p.txt"))]
    [('p-1', '辽源市召开会议', 1, '辽源市召开会'), ('p-2', '东丰县开工建设新项目', 2, '东丰县开工建')]
    """
    pars = doc.text.split("\n\n")
    starts = [0] + [i for i in range(1, len(pars)) if _opens_article(pars, i)]
    if len(starts) == 1:
        return [doc]
    offsets = [0]
    for par in pars:
        offsets.append(offsets[-1] + len(par) + 2)
    out = []
    for k, (a, b) in enumerate(zip(starts, starts[1:] + [len(pars)]), start=1):
        text = doc.text[offsets[a]:offsets[b] - 2]
        title = pars[a].lstrip("#").strip() if k > 1 or _headline_like(pars[a]) else doc.title
        out.append(replace(doc, doc_id=f"{doc.doc_id}-{k}", text=text, title=title or doc.title, position=k,
                           page=doc.doc_id, photo_credits=doc.photo_credits if k == 1 else ()))
    return out


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
