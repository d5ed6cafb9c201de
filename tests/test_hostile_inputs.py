"""Hostile inputs and curation files (issue 13, points 8, 9, 12, 13 and 15), each built as a user builds
them: ``python -m kg build`` in a subprocess (``--fast``, one process), its stdout and stderr captured
as bytes.

* a file name that is not UTF-8 is written escaped (``\\xff``) in the graph, the CSV and the terminal;
* folders nested 1,200 deep are walked (no recursion), a link back to a parent is not followed;
* a paragraph that merely contains a web address is text, a line that is only one is furniture;
* curation.yaml: aliases, anchors and deep nesting refused before anything is built (an alias bomb
  under a 1.5 GB address-space limit fails at once with exit 2), control characters and lone
  surrogates in names refused with file:line, rich markup in names printed as it is;
* nothing from the input prints an ESC byte; the curation summary counts edits, not problems.
"""

from __future__ import annotations

import csv
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDF, RDFS

from kg.ingest import document_from_text

ROOT = Path(__file__).resolve().parent.parent
KGO = rdflib.Namespace("https://w3id.org/zhengqi/ontology#")
JIEBA = (b"Building prefix dict", b"Loading model", b"Prefix dict has been built", b"Dumping model")
PAGE = ("辽源市人民政府与中国第一汽车集团有限公司签署战略合作协议。\n\n"
        "市委副书记、市长程宇出席签约仪式并讲话。\n")
URL_SENTENCE = "…详见市政府网站www.liaoyuan.gov.cn。"


def kg(*args, limit_bytes: int | None = None) -> tuple[int, bytes, bytes]:
    """``python -m kg ARGS`` as a user runs it: (exit code, stdout, stderr), as bytes."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"}

    def limit():  # in the child: an alias bomb must fail, not take the machine's memory
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    proc = subprocess.run([sys.executable, "-m", "kg", *map(str, args)], cwd=ROOT, capture_output=True, env=env,
                          timeout=600, preexec_fn=limit if limit_bytes else None)
    return proc.returncode, proc.stdout, proc.stderr


def build(folder: Path, out: Path, *extra, limit_bytes: int | None = None) -> tuple[int, bytes, bytes]:
    return kg("build", folder, "-o", out, "--fast", "--workers", "1", "--no-map", "--no-store", *extra,
              limit_bytes=limit_bytes)


def error_lines(stderr: bytes) -> list[str]:
    return [line.decode("utf-8") for line in stderr.splitlines() if line.strip() and not line.startswith(JIEBA)]


def labels(graph_file: Path) -> set[str]:
    g = rdflib.Graph().parse(graph_file)
    return {str(o) for s in g.subjects(RDF.type, None) for o in g.objects(s, RDFS.label)}


# --------------------------------------------------------------------------- 8: file names not UTF-8

def test_a_file_name_that_is_not_utf8_is_escaped_in_the_graph_the_csv_and_the_terminal(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    with open(os.fsencode(folder) + b"/\xff\xfenews.txt", "wb") as fh:  # bytes: no UTF-8 name for it
        fh.write(PAGE.encode("utf-8"))
    with open(os.fsencode(folder) + b"/\xe8empty.txt", "wb"):  # skipped (empty): the name is printed
        pass
    out = tmp_path / "out"
    code, stdout, stderr = build(folder, out)
    assert code == 0, stderr.decode()
    g = rdflib.Graph().parse(out / "graph.ttl")
    assert {str(o) for o in g.objects(None, DCTERMS.source)} == {"\\xff\\xfenews.txt"}
    assert "辽源市人民政府" in labels(out / "graph.ttl")
    assert b"\\xe8empty.txt: empty file" in stderr and b"\\xe8empty.txt: empty file" in stdout

    code, _, stderr = kg("export", out / "graph.ttl", "-f", "csv", "-o", tmp_path / "csv")
    assert code == 0, stderr.decode()
    with open(tmp_path / "csv" / "edges.csv", encoding="utf-8-sig", newline="") as fh:
        documents = {row["document"] for row in csv.DictReader(fh)}
    assert documents == {"\\xff\\xfenews.txt"}


# --------------------------------------------------------------------------- 12: deep folders

def remove_chain(top: Path) -> None:
    """Remove a chain of nested folders ``top/d/d/…`` from the bottom up, without recursion (pytest's and
    shutil's rmtree recurse, and would fail on it later)."""
    chain, folder = [top], top
    while (folder / "d").is_dir() and not (folder / "d").is_symlink():
        folder = folder / "d"
        chain.append(folder)
    for folder in reversed(chain):
        for entry in os.scandir(folder):
            if not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.path)
        os.rmdir(folder)


def test_folders_nested_1200_deep_are_walked_and_a_link_to_a_parent_is_not_followed(tmp_path):
    top = tmp_path / "deep"
    top.mkdir()
    try:
        fd = os.open(top, os.O_RDONLY)
        try:
            for level in range(1200):
                os.mkdir("d", dir_fd=fd)
                if level == 600:
                    os.symlink("..", "up", dir_fd=fd)  # a loop, were links to folders followed
                inner = os.open("d", os.O_RDONLY, dir_fd=fd)
                os.close(fd)
                fd = inner
            with open(os.open("x.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w", encoding="utf-8") as fh:
                fh.write(PAGE)
        finally:
            os.close(fd)
        out = tmp_path / "out"
        code, stdout, stderr = build(top, out)
        assert code == 0, stderr.decode()[-2000:]
        g = rdflib.Graph().parse(out / "graph.ttl")
        assert {str(o) for o in g.objects(None, DCTERMS.source)} == {"x.txt"}
        assert "辽源市人民政府" in labels(out / "graph.ttl")
        assert b"1 documents read" in stdout
    finally:
        remove_chain(top)
    assert not top.exists()


# --------------------------------------------------------------------------- 13: furniture lines

def test_a_paragraph_that_merely_contains_a_web_address_is_text():
    text = "辽源市人民政府发布《关于促进民营经济发展的若干措施》，" + URL_SENTENCE.lstrip("…")
    doc = document_from_text(f"{text}\n\nwww.liaoyuan.gov.cn\n\n辽源信息港 <http://www.0437.com>\n", "a.txt")
    assert doc.text == text
    from kg.ingest import is_furniture_line, strip_furniture

    assert strip_furniture(URL_SENTENCE) == URL_SENTENCE
    for line in ("http://www.liaoyuan.gov.cn/xxgk/index.html", "www.liaoyuan.gov.cn", "上一版 下一版 返回目录",
                 "总第9193期 今日4版", "新闻热线:0437-3249118"):
        assert is_furniture_line(line), line
    for line in ("本刊总第100期刊发了这篇文章，反响热烈。", "新闻热线开通以来，共受理来电1200件。",
                 "详见www.a.gov.cn，或www.b.gov.cn", "www." * 74 + "。", "www.a  " * 42 + "。"):
        assert not is_furniture_line(line), line  # the last two would backtrack for ages were the URL rule greedy


def test_a_file_of_sentences_with_web_addresses_builds_their_entities(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "urls.txt").write_text(
        "辽源市人民政府与中国第一汽车集团有限公司签署战略合作协议，详见市政府网站www.liaoyuan.gov.cn。\n\n"
        "市委副书记、市长程宇出席签约仪式，视频见https://www.liaoyuan.gov.cn/sp/1.html。\n\n"
        "www.liaoyuan.gov.cn\n", encoding="utf-8")
    out = tmp_path / "out"
    code, _, stderr = build(folder, out)
    assert code == 0, stderr.decode()
    assert {"辽源市人民政府", "程宇"} <= labels(out / "graph.ttl")
    g = rdflib.Graph().parse(out / "graph.ttl")
    (text,) = [str(o) for o in g.objects(None, KGO.text) if "详见市政府网站" in str(o) and "程宇" in str(o)]
    assert text.endswith("视频见https://www.liaoyuan.gov.cn/sp/1.html。")  # the bare URL line is gone


# --------------------------------------------------------------------------- 9: hostile curation files

ALIAS_BOMB = ("curator: [&a [lol,lol,lol,lol,lol,lol,lol,lol,lol], "
              + ", ".join(f"&{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)) + "]\n")


@pytest.fixture()
def news(tmp_path) -> Path:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text(PAGE, encoding="utf-8")
    return folder


def test_an_alias_bomb_in_the_folders_curation_fails_at_once_in_little_memory(news, tmp_path):
    (news / "curation.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    code, stdout, stderr = build(news, tmp_path / "out", limit_bytes=1_500_000_000)
    assert code == 2, stderr.decode()
    assert error_lines(stderr) == ["error: curation.yaml:1: anchors (&name) are not allowed in a curation file"]
    assert not (tmp_path / "out" / "graph.ttl").exists()


@pytest.mark.parametrize("text, message", [
    ("curator: x\nalias:\n  - {entity: &n 程宇, alias: *n}\n", "bad.yaml:3: anchors (&name) are not allowed"),
    ("curator: x\nmerge: " + "[" * 10_000 + "]" * 10_000 + "\n", "bad.yaml:2: nested deeper than 8 levels"),
    ("curator: x\n" + "".join(" " * i + f"k{i}:\n" for i in range(2000)), "bad.yaml:9: nested deeper than 8 levels"),
    ('curator: "\\ud800 张三"\n', "bad.yaml:1: curator holds a lone surrogate (U+D800), not text"),
    ('curator: x\nalias:\n  - entity: 程宇\n    alias: "程\\udfff市长"\n',
     "bad.yaml:4: alias alias holds a lone surrogate (U+DFFF)"),
    ('curator: "\\e]0;pwned\\a"\n', "bad.yaml:1: curator holds a control character (U+001B)"),
    ('curator: x\nrename:\n  - {entity: 程宇, to: "\\e[2J"}\n', "bad.yaml:3: rename to holds a control character"),
    ("curator: x\nalias:\n  - {entity: [程宇], alias: 程市长}\n", "bad.yaml:3: alias entity must be text, not list"),
])
def test_hostile_curation_files_are_one_line_errors_naming_file_and_line(news, tmp_path, text, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    code, stdout, stderr = build(news, tmp_path / "out", "--curation", bad)
    assert code == 2, stderr.decode()
    (line,) = error_lines(stderr)
    assert line.startswith("error: ") and message in line, line
    assert b"\x1b" not in stdout + stderr
    assert not (tmp_path / "out" / "graph.ttl").exists()


def test_a_curation_file_over_5_mb_is_refused_before_it_is_read(news, tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("curator: x\n" + "# padding\n" * 600_000, encoding="utf-8")
    code, _, stderr = build(news, tmp_path / "out", "--curation", big)
    (line,) = error_lines(stderr)
    assert code == 2 and line.startswith("error: ") and line.endswith("big.yaml: over 5 MB: not a curation file"), line


# --------------------------------------------------------------------------- 15: what reaches the terminal

def test_the_summary_counts_edits_not_problems_and_no_escape_code_reaches_the_terminal(news, tmp_path):
    (news / "curation.yaml").write_text(
        "curator: 张三\n"
        "merge:\n  - {from: 甲不存在, into: 乙不存在}\n"                      # two problems, one edit
        "add_fact:\n  - {subject: 丙不存在, relation: cooperatesWith, object: 丁不存在, source: 无}\n"
        "alias:\n  - {entity: 辽源市人民政府, alias: 辽源市政府}\n"
        "drop:\n  - {entity: 戊不存在}\n", encoding="utf-8")
    (news / "\x1b]0;pwned\x07\x1b[2J.txt").write_bytes(b"")  # skipped: its name is printed
    out = tmp_path / "out"
    code, stdout, stderr = build(news, out)
    assert code == 0, stderr.decode()
    assert b"\x1b" not in stdout + stderr and b"\x07" not in stdout + stderr
    err = stderr.decode("utf-8")
    assert "curation: 1 of 4 edit(s) by 张三 applied from curation.yaml" in err
    assert err.count("curation: curation.yaml:") == 5
    assert "\\x1b]0;pwned\\x07\\x1b[2J.txt: empty file" in err
    assert "辽源市政府" in {str(o) for o in rdflib.Graph().parse(out / "graph.ttl").objects()}


def test_rich_markup_in_names_is_printed_as_text(news, tmp_path):
    (news / "curation.yaml").write_text(
        "curator: '[/]张三 [bold red]'\n"
        "alias:\n  - {entity: '[/]', alias: x}\n  - {entity: 辽源市人民政府, alias: '[/][link=http://x]'}\n",
        encoding="utf-8")
    code, _, stderr = build(news, tmp_path / "out")
    assert code == 0, stderr.decode()
    err = stderr.decode("utf-8")
    assert "curation: curation.yaml:3: no entity named '[/]' in the graph" in err
    assert "curation: 1 of 2 edit(s) by [/]张三 [bold red] applied from curation.yaml" in err
    assert "[/][link=http://x]" in labels_and_aliases(tmp_path / "out" / "graph.ttl")


def labels_and_aliases(graph_file: Path) -> set[str]:
    return {str(o) for o in rdflib.Graph().parse(graph_file).objects()}


def test_an_escape_code_in_a_raw_curation_file_is_refused_without_reaching_the_terminal(news, tmp_path):
    (news / "curation.yaml").write_bytes("curator: 张三\x1b[2J\nalias: []\n".encode("utf-8"))
    code, stdout, stderr = build(news, tmp_path / "out")
    assert code == 2 and b"\x1b" not in stdout + stderr, stderr
    (line,) = error_lines(stderr)
    assert line == "error: curation.yaml:1: not valid YAML (character U+001B is not allowed)", line
