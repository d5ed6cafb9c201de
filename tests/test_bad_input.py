"""Bad input, as real archives hold it, never stops the tool with a traceback or loses data.

The matrix of issue 8: each bad input file gets one line naming the file and the reason; good files
still build and the skipped ones are listed again in the summary; nothing built means exit 2, and so
does any bad file with --strict. Bad arguments to kg query, viz, export, serve and ner are one line
too. Single failures run in process (typer's CliRunner, fast); the mixed folder is built as a user
builds it, in a subprocess.
"""

from __future__ import annotations

import codecs
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDF
from typer.testing import CliRunner

import kg.ingest
from kg.cli import app
from kg.ingest import InputError, read_document, read_documents

ROOT = Path(__file__).resolve().parent.parent
KGO = rdflib.Namespace("https://w3id.org/zhengqi/ontology#")
JIEBA = ("Building prefix dict", "Loading model", "Prefix dict has been built", "Dumping model")

PAGE = ("本报讯（记者 张伟）3月5日，长春市人民政府与一汽解放集团签署战略合作协议。\n\n"
        "副市长李明、一汽解放副总经理王强代表双方签约，市委副书记、市长刘刚出席并见证签约。\n")
OTHER = "副市长司马江出席辽源市人民政府与中国一汽座谈会。\n\n市长程宇主持会议并讲话。\n"


def lines_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip() and not line.startswith(JIEBA)]


def run(*args) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def assert_one_line_error(code: int, stdout: str, stderr: str, *needles: str) -> str:
    assert code == 2, (code, stdout, stderr)
    assert "Traceback" not in stdout + stderr
    lines = lines_of(stderr)
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


# --------------------------------------------------------------------------- the bad files

def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _link(path: Path) -> None:
    path.symlink_to(path.parent / "gone.txt")


def _bytes(data: bytes):
    return lambda path: path.write_bytes(data)


BAD_FILES = {
    # name: (how to make it, what the line says)
    "empty.txt": (_bytes(b""), "empty file"),
    "blank.txt": (_bytes(b"\r\n \n\t\n"), "empty file"),
    "nul.txt": (_bytes(b"\x00\x01\x02binary" * 100), "binary file (NUL bytes), not text"),
    "random.txt": (_bytes(random.Random(8).randbytes(4096)), "binary file"),
    "controls.txt": (_bytes(bytes(range(1, 9)) * 400), "binary file (control characters), not text"),
    "photo.txt": (_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)), "a PNG image, not plain text"),
    "report.txt": (_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "a PDF document, not plain text"),
    "word.txt": (_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(30)), "a ZIP archive (or a .docx/.xlsx document)"),
    "english.txt": (_bytes(b"Liaoyuan Daily, 12 February 2025. Nothing in Chinese here.\n"), "no Chinese text"),
    "furniture.txt": (_bytes("（下转第二版）\n\n第二版\n".encode()), "no text left after cleaning"),
    "broken.txt": (_link, "broken link (to "),
    "fifo.txt": (_fifo, "not a regular file"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_alone_is_one_line_and_exit_2(name, tmp_path):
    make, reason = BAD_FILES[name]
    make(tmp_path / name)
    out = tmp_path / "out"
    line = assert_one_line_error(*run("build", tmp_path / name, "-o", out, "--no-store"),
                                 str(tmp_path / name), reason, "nothing to build")
    assert line.count(name) == 1
    assert not out.exists()


def test_missing_path(tmp_path):
    assert_one_line_error(*run("build", tmp_path / "nowhere", "-o", tmp_path / "out"),
                          f"{tmp_path / 'nowhere'}: no such file or folder")
    assert not (tmp_path / "out").exists()


def test_folder_without_text_files(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "scan.jpg").write_bytes(b"\xff\xd8\xff")
    assert_one_line_error(*run("build", tmp_path / "pages", "-o", tmp_path / "out"), "no *.txt files found in",
                          str(tmp_path / "pages"))


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "locked.txt"
    path.write_text(PAGE, encoding="utf-8")
    path.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make the read fail as it does for a user
        real_open = open

        def deny(file, *args, **kwargs):
            if Path(file) == path:
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(kg.ingest, "open", deny, raising=False)
    assert_one_line_error(*run("build", path, "-o", tmp_path / "out"),
                          f"{path}: cannot read (Permission denied)")


def test_a_file_name_with_a_line_break_is_still_one_line(tmp_path):
    path = tmp_path / "第1版\n(2).txt"
    path.write_bytes(b"")
    line = assert_one_line_error(*run("build", path, "-o", tmp_path / "out"), "第1版\\n(2).txt: empty file")
    assert "\n" not in line


def test_markup_in_a_file_name_is_shown_as_it_is(tmp_path):
    path = tmp_path / "[bold]page[red].txt"
    path.write_bytes(b"")
    assert_one_line_error(*run("build", path, "-o", tmp_path / "out"), "[bold]page[red].txt: empty file")


def test_50_mb_single_line_is_refused_at_once_by_size(tmp_path):
    path = tmp_path / "archive_2024.txt"
    sentence = "市长程宇出席会议并讲话，强调要加快推进重点项目建设。".encode("utf-8")
    with open(path, "wb") as fh:
        for _ in range(50_000_000 // len(sentence) // 1000 + 1):
            fh.write(sentence * 1000)  # one line, no line break
    size = path.stat().st_size
    assert size >= 50_000_000
    t0 = time.perf_counter()
    assert_one_line_error(*run("build", path, "-o", tmp_path / "out", "--no-store"),
                          f"{path}: {size / 1e6:.1f} MB, over the limit of 2 MB per file (--max-file-mb")
    assert time.perf_counter() - t0 < 10  # refused from its size, never read or extracted


def test_the_size_limit_is_an_option(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text(PAGE, encoding="utf-8")
    assert_one_line_error(*run("build", path, "-o", tmp_path / "out", "--max-file-mb", "0.0001"),
                          "over the limit of 0.0001 MB per file")
    with pytest.raises(InputError, match="over the limit"):
        read_document(path, max_mb=0.0001)
    assert read_document(path, max_mb=0).text  # 0: no limit
    assert_one_line_error(*run("build", path, "--max-file-mb", "-1"), "--max-file-mb")


# --------------------------------------------------------------------------- the good files

GOOD_ENCODINGS = {
    "gb18030.txt": lambda s: s.encode("gb18030"),
    "gbk.txt": lambda s: s.encode("gbk"),
    "utf8_bom.txt": lambda s: codecs.BOM_UTF8 + s.encode("utf-8"),
    "utf16_le_bom.txt": lambda s: s.encode("utf-16"),
    "utf16_be_bom.txt": lambda s: codecs.BOM_UTF16_BE + s.encode("utf-16-be"),
    "utf16_le_no_bom.txt": lambda s: s.encode("utf-16-le"),
    "utf32_bom.txt": lambda s: s.encode("utf-32"),
    "crlf.txt": lambda s: s.replace("\n", "\r\n").encode("utf-8"),
    "cr.txt": lambda s: s.replace("\n", "\r").encode("utf-8"),
    "mixed_lines.txt": lambda s: b"\n".join(line.encode("gbk" if i % 2 else "utf-8")
                                            for i, line in enumerate(s.split("\n"))),
}


@pytest.mark.parametrize("name", sorted(GOOD_ENCODINGS))
def test_every_encoding_reads_to_the_same_text(name, tmp_path):
    expected = kg.ingest.document_from_text(PAGE, "page.txt").text
    path = tmp_path / name
    path.write_bytes(GOOD_ENCODINGS[name](PAGE))
    assert read_document(path).text == expected


def test_invisible_and_control_characters_are_cleaned_out(tmp_path):
    path = tmp_path / "ocr.txt"
    path.write_text("副市长司\u200b马江出席\x07会议。\f市长程\u00ad宇主持会议。\u2028", encoding="utf-8")
    assert read_document(path).text == "副市长司马江出席会议。\n\n市长程宇主持会议。"


def test_utf16_with_a_broken_tail_still_reads(tmp_path):
    path = tmp_path / "cut.txt"
    path.write_bytes(PAGE.encode("utf-16") + b"\x00")  # cut in the middle of a character
    assert read_document(path).text.startswith("本报讯")


def test_same_name_in_two_folders_gives_two_documents(tmp_path):
    for folder, text in (("2025-01", PAGE), ("2025-02", OTHER), ("copy", PAGE)):
        (tmp_path / "news" / folder).mkdir(parents=True)
        (tmp_path / "news" / folder / "page1.txt").write_text(text, encoding="utf-8")
    docs, problems, n = read_documents([tmp_path / "news"])
    assert n == 3
    assert sorted(d.source for d in docs) == ["2025-01/page1.txt", "2025-02/page1.txt"]
    assert len({d.doc_id for d in docs}) == 2 and all(d.doc_id.startswith("page1-") for d in docs)
    assert problems == [f"{tmp_path / 'news' / 'copy' / 'page1.txt'}: the same text as "
                        f"{tmp_path / 'news' / '2025-01' / 'page1.txt'}"]
    again, _, _ = read_documents([tmp_path / "news" / "copy", tmp_path / "news"])
    assert [d.doc_id for d in again] == [d.doc_id for d in docs]  # the order of the arguments does not matter


# --------------------------------------------------------------------------- a folder of good and bad files

@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("archive") / "archive"
    (folder / "sub").mkdir(parents=True)
    for name, make in GOOD_ENCODINGS.items():
        if name in ("gb18030.txt", "utf16_le_bom.txt", "crlf.txt", "mixed_lines.txt"):
            (folder / name).write_bytes(make(PAGE if name != "crlf.txt" else OTHER))
    (folder / "sub" / "UPPER.TXT").write_bytes(OTHER.encode("gbk"))
    for name, (make, _) in BAD_FILES.items():
        make(folder / "sub" / name if name.startswith("f") else folder / name)
    return folder


@pytest.fixture(scope="module")
def mixed_build(mixed, tmp_path_factory):
    out = tmp_path_factory.mktemp("mixed") / "out"
    proc = subprocess.run([sys.executable, "-m", "kg", "build", str(mixed), "-o", str(out), "--fast", "--no-store",
                           "--no-map", "--no-cache"], cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                          timeout=300, env={**os.environ, "COLUMNS": "200"})
    return proc, out


def bad_paths(mixed: Path) -> dict[str, Path]:
    return {name: (mixed / "sub" / name if name.startswith("f") else mixed / name) for name in BAD_FILES}


def test_mixed_folder_builds_the_good_files(mixed_build):
    proc, out = mixed_build
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    g = rdflib.Graph().parse(out / "graph.ttl", format="turtle")
    sources = sorted(str(g.value(d, DCTERMS.source)) for d in g.subjects(RDF.type, KGO.Document))
    assert sources == ["UPPER.TXT", "crlf.txt", "gb18030.txt", "mixed_lines.txt", "utf16_le_bom.txt"]
    labels = {str(o) for o in g.objects(None, rdflib.RDFS.label)}
    assert {"刘刚", "司马江", "程宇", "长春市人民政府"} <= labels
    assert f"{len(sources)} documents read, {len(BAD_FILES)} skipped" in proc.stdout


def test_mixed_folder_names_each_bad_file_once_with_its_reason(mixed, mixed_build):
    proc, _ = mixed_build
    said = lines_of(proc.stderr)
    listed = [line for line in proc.stdout.splitlines() if line.startswith("skipped: ")]
    for name, path in bad_paths(mixed).items():
        reason = BAD_FILES[name][1]
        mine = [line for line in said if f"{path}:" in line]
        assert mine == [f"skipped: {path}: {mine[0].split(': ', 2)[2]}"] and reason in mine[0], (name, said)
        assert [line for line in listed if f"{path}:" in line] == mine, (name, listed)  # again in the summary
    assert len([line for line in said if line.startswith("skipped: ")]) == len(BAD_FILES)


def test_strict_refuses_the_mixed_folder(mixed, tmp_path):
    code, stdout, stderr = run("build", mixed, "-o", tmp_path / "out", "--strict", "--no-store")
    assert code == 2 and "Traceback" not in stdout + stderr
    lines = lines_of(stderr)
    assert len(lines) == len(BAD_FILES) + 1, stderr
    for path in bad_paths(mixed).values():
        assert len([line for line in lines[:-1] if line.startswith(f"cannot read: {path}: ")]) == 1, path
    assert lines[-1] == (f"error: {len(BAD_FILES)} of {len(BAD_FILES) + 5} input files could not be read "
                         "(--strict refuses any unreadable input; nothing was written)")
    assert not (tmp_path / "out").exists()


def test_strict_with_one_bad_file_is_one_line(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    assert_one_line_error(*run("build", tmp_path / "in", "-o", tmp_path / "out", "--strict"),
                          f"{tmp_path / 'in' / 'empty.txt'}: empty file (--strict")


def test_all_bad_files_is_one_line_each_and_exit_2(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes(b"")
    (tmp_path / "in" / "b.txt").write_bytes(b"English only")
    code, stdout, stderr = run("build", tmp_path / "in", "-o", tmp_path / "out")
    assert code == 2
    assert lines_of(stderr) == [f"cannot read: {tmp_path / 'in' / 'a.txt'}: empty file",
                                f"cannot read: {tmp_path / 'in' / 'b.txt'}: no Chinese text",
                                "error: 2 of 2 input files could not be read (nothing to build; nothing was written)"]


# --------------------------------------------------------------------------- bad arguments to the other commands

@pytest.fixture(scope="module")
def built(seeds_build, tmp_path_factory) -> dict[str, Path]:
    from kg.store import build_store

    folder = tmp_path_factory.mktemp("args")
    build_store(seeds_build / "graph.ttl", folder / "store")
    (folder / "not_rdf.ttl").write_text("这不是 RDF <<<", encoding="utf-8")
    (folder / "gbk.rq").write_bytes("ASK { ?p rdfs:label '程宇'@zh }".encode("gbk"))
    (folder / "a_file").write_text("x", encoding="utf-8")
    (folder / "not_a_store").mkdir()
    return {"ttl": seeds_build / "graph.ttl", "store": folder / "store", "dir": folder}


def _busy_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    return s


BAD_ARGUMENTS = [
    # (arguments with {ttl} {store} {dir} {port}, the message)
    ("query 'SELEC ?x' --store {store}", "malformed query: "),
    ("query 'INSERT DATA {{ <a:b> <a:b> <a:c> }}' --store {store}", "SPARQL Update is not allowed"),
    ("query 'ASK {{}}' --store {store} -f xlsx", "unknown result format 'xlsx' (json, xml, csv, tsv)"),
    ("query 'CONSTRUCT WHERE {{ ?s ?p ?o }}' --store {store} -f csv", "unknown graph format 'csv'"),
    ("query {dir}/missing.rq --store {store}", "missing.rq: no such file"),
    ("query {dir}/gbk.rq --store {store}", "gbk.rq: cannot read the query ("),
    ("query 'ASK {{}}' --store {dir}/not_a_store", "not_a_store: not a store"),
    ("query 'ASK {{}}' --store {dir}/nothing", "nothing: no store here"),
    ("query 'ASK {{}}' --graph {dir}/not_rdf.ttl", "not_rdf.ttl: cannot read as RDF"),
    ("query 'ASK {{}}' --graph {ttl} --store {store}", "give --graph or --store, not both"),
    ("query 'ASK {{}}' --store {store} --limit 0", "Invalid value for '--limit'"),
    ("query", "Missing argument"),
    ("serve --store {store} --port {port}", "Address already in use"),
    ("serve --store {store} --port 70000", "Invalid value for '--port'"),
    ("serve --store {store} --timeout 0", "Invalid value for '--timeout'"),
    ("serve --store {store} --max-rows 0", "Invalid value for '--max-rows'"),
    ("serve --store {dir}/nothing", "nothing: no store here"),
    ("serve --graph {dir}/not_rdf.ttl", "cannot read as RDF"),
    ("serve --store {store} --host 192.0.2.1", "cannot listen on 192.0.2.1:7878"),
    ("viz {dir}/missing.ttl -o {dir}/m.html", "missing.ttl: no such file"),
    ("viz {dir}/not_rdf.ttl -o {dir}/m.html", "cannot read as Turtle"),
    ("viz {ttl} -o {dir}", "cannot write"),
    ("viz {ttl} -o {dir}/a_file/map.html", "cannot write"),
    ("viz {ttl} -o {dir}/m.html --max-nodes x", "Invalid value for '--max-nodes'"),
    ("export {dir}/missing.ttl -o {dir}/e", "missing.ttl: no such file"),
    ("export {dir}/not_rdf.ttl -o {dir}/e", "cannot read as RDF"),
    ("export {ttl} -f xlsx -o {dir}/e", "unknown format 'xlsx'"),
    ("export {ttl} -o {dir}/a_file", "a_file: exists and is not a folder"),
    ("export {ttl} -o {dir}/a_file/sub", "cannot write"),
    ("ner {dir}/missing.jsonl", "missing.jsonl: cannot read (No such file or directory)"),
    ("ner {dir}", "cannot read (Is a directory)"),
    ("build seeds --bogus", "No such option: --bogus"),
]


@pytest.mark.parametrize("template, message", BAD_ARGUMENTS, ids=[a for a, _ in BAD_ARGUMENTS])
def test_bad_arguments_are_one_line(template, message, built):
    import shlex

    busy = _busy_port()
    try:
        args = shlex.split(template.format(port=busy.getsockname()[1], **built))
        assert_one_line_error(*run(*args), message)
    finally:
        busy.close()
    assert not (built["dir"] / "e").exists() and not (built["dir"] / "m.html").exists()


@pytest.mark.parametrize("stdin, message", [
    (b"\xff\xfe{}\n", "- line 1: not UTF-8 text"),
    (b'{"text": "\xe5\xb8\x82\xe9\x95\xbf"}\nnot json\n', "- line 2: expected a JSON object"),
    (b'["text"]\n', "- line 1: expected a JSON object"),
])
def test_kg_ner_bad_lines(stdin, message):
    result = CliRunner().invoke(app, ["ner", "--fast"], input=stdin)
    assert_one_line_error(result.exit_code, result.stdout, result.stderr, message)


def test_kg_ner_keeps_a_lone_surrogate():
    result = CliRunner().invoke(app, ["ner", "--fast", "--city", "辽源市"], input=b'{"text": "\\ud800\xe5\xb8\x82\xe9\x95\xbf\xe7\xa8\x8b\xe5\xae\x87\xe5\x87\xba\xe5\xb8\xad\xe3\x80\x82"}\n')
    assert result.exit_code == 0, result.stderr
    import json

    record = json.loads(result.stdout)
    assert record["text"] == "\ud800市长程宇出席。"
    assert {"start": 3, "end": 5, "label": "Person", "text": "程宇"} in record["entities"]
