"""Output folders, stores and the extraction cache under hostile or careless use (issue 13, points 2,
4, 6, 7, 16 and 17c), each as a user runs kg: a subprocess, real files, two real concurrent builds.

* kg deletes nothing it did not create: ``kg load --store`` and ``kg build -o`` refuse a folder that is
  not a kg store / output (one line, exit 2, every file as it was);
* the cache holds data, not code: a planted pickle is never loaded; a damaged, truncated or foreign
  entry is a miss, extracted again and rewritten;
* builds into one ``-o`` are serialised by a lock (the second is refused while the first writes);
* what killed builds left in OUT is removed by the next build, and nothing else;
* ``kg viz`` never writes its map over the input graph or over a file that is not a page.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
JIEBA = ("Building prefix dict", "Loading model", "Prefix dict has been built", "Dumping model")
PAGES = {
    "a.txt": "副市长司马江出席辽源市人民政府与中国一汽座谈会。\n\n市长程宇主持会议并讲话。\n",
    "b.txt": "本报讯 3月5日，长春市人民政府与一汽解放集团签署战略合作协议。\n\n副市长李明代表市政府签约。\n",
    "c.txt": "辽源市委副书记、市长程宇到东丰县调研梅花鹿产业园建设情况。\n",
}
OTHER = {"z.txt": "市长刘刚出席吉林省工作会议并讲话。\n"}


def env() -> dict:
    keep = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "KG_DEBUG", "PYTHONPATH")}
    return {**keep, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(ROOT)}


def kg(*args, cwd: Path = ROOT, prelude: str = "") -> subprocess.CompletedProcess:
    """``kg ARGS`` as a user runs it (after ``prelude``, a fault or a pause to inject)."""
    code = prelude + "\nfrom kg.cli import main\nmain()\n"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=cwd, env=env(),
                          capture_output=True, text=True, encoding="utf-8", timeout=600)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip() and not line.startswith(JIEBA)
            and not line.startswith("incremental:")]


def assert_refused(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = error_lines(proc.stderr)
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every file, folder and link below ``folder``: bytes, mode and mtime."""
    out = {}
    for p in sorted(folder.rglob("*")):
        st = p.lstat()
        if p.is_symlink():
            out[p.relative_to(folder).as_posix()] = ("link", os.readlink(p))
        elif p.is_dir():
            out[p.relative_to(folder).as_posix()] = ("dir", st.st_mode)
        else:
            out[p.relative_to(folder).as_posix()] = (hashlib.sha256(p.read_bytes()).hexdigest(), st.st_mode,
                                                      st.st_mtime_ns)
    return out


def write_pages(folder: Path, pages: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def news(tmp_path_factory) -> Path:
    return write_pages(tmp_path_factory.mktemp("news") / "in", PAGES)


@pytest.fixture(scope="module")
def built(tmp_path_factory, news) -> Path:
    """A kg output folder (graph.ttl, graph.html, store/, .cache/), built once; tests copy it."""
    out = tmp_path_factory.mktemp("built") / "out"
    proc = kg("build", news, "-o", out, "--fast")
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture()
def output(built, tmp_path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(built, out, symlinks=True)
    return out


def cache_entries(out: Path) -> list[Path]:
    """The cache's entry files, whatever their format."""
    return sorted(p for p in (out / ".cache" / "facts").glob("*/*") if not p.name.startswith("."))


def extracted(proc: subprocess.CompletedProcess) -> tuple[int, int]:
    import re

    m = re.search(r"incremental: (\d+) document\(s\) extracted, (\d+) from the cache", proc.stderr)
    return (int(m.group(1)), int(m.group(2))) if m else (-1, 0)


# --------------------------------------------------------------------------- 2. nothing kg did not create

def test_load_into_the_current_folder_is_refused(output, tmp_path):
    """kg load graph.ttl --store . renamed the current folder away and deleted it."""
    here = tmp_path / "work"
    here.mkdir()
    shutil.copy(output / "graph.ttl", here / "graph.ttl")
    (here / "notes.md").write_text("my notes\n", encoding="utf-8")
    before = snapshot(tmp_path)
    assert_refused(kg("load", "graph.ttl", "--store", ".", cwd=here), "not a kg store")
    assert snapshot(tmp_path) == before


def test_load_into_the_output_folder_is_refused(output):
    """kg load OUT/graph.ttl --store OUT deleted graph.ttl, graph.html and .cache."""
    before = snapshot(output.parent)
    assert_refused(kg("load", output / "graph.ttl", "--store", output), "is a kg output folder, not a store",
                   str(output / "store"))
    assert snapshot(output.parent) == before


def test_load_into_an_older_output_folder_is_refused_too(output):
    """Without the marker (an output of an older kg), graph.ttl and the rest still say what it is."""
    for marker in (".kg-output", ".kg-lock"):
        (output / marker).unlink(missing_ok=True)
    before = snapshot(output.parent)
    assert_refused(kg("load", output / "graph.ttl", "--store", output), "is a kg output folder")
    assert snapshot(output.parent) == before


def test_load_into_a_folder_of_other_files_or_a_file_is_refused(output, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("\\documentclass{article}\n", encoding="utf-8")
    (tmp_path / "a_file").write_text("data\n", encoding="utf-8")
    before = snapshot(tmp_path)
    assert_refused(kg("load", output / "graph.ttl", "--store", mine), "not a kg store", "thesis.tex")
    assert_refused(kg("load", output / "graph.ttl", "--store", tmp_path / "a_file"), "not a folder")
    assert snapshot(tmp_path) == before


def test_load_replaces_a_kg_store_and_fills_a_new_folder(output, tmp_path):
    for store in (output / "store", tmp_path / "new_store", tmp_path / "new_store"):
        proc = kg("load", output / "graph.ttl", "--store", store)
        assert proc.returncode == 0, proc.stderr
        assert (store / "CURRENT").is_file() and (store / ".kg-store").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new_store", "out"]  # nothing left beside it


def test_build_into_a_folder_with_an_unrelated_store_folder_is_refused(news, tmp_path):
    """kg build in -o X deleted X/store/, a folder of the user's."""
    x = tmp_path / "X"
    (x / "store").mkdir(parents=True)
    (x / "store" / "precious.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    before = snapshot(tmp_path)
    assert_refused(kg("build", news, "-o", x, "--fast"), "X/store: not a kg store")
    assert snapshot(tmp_path) == before
    # a marked output does not make a user's folder kg's either
    (x / ".kg-output").write_text('{"kg": "output", "format": 1}\n', encoding="utf-8")
    before = snapshot(tmp_path)
    assert_refused(kg("build", news, "-o", x, "--fast"), "X/store: not a kg store")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("where", ["other files", "the current folder", "a store", "a file"])
def test_build_into_a_folder_kg_did_not_make_is_refused(news, output, tmp_path, where):
    cwd = ROOT
    if where == "other files":
        target = tmp_path / "mine"
        target.mkdir()
        (target / "draft.docx").write_bytes(b"PK\x03\x04")
        (target / "graph.ttl").write_text("# mine\n", encoding="utf-8")
    elif where == "the current folder":
        cwd = target = tmp_path / "mine"
        target.mkdir()
        (target / "notes.txt").write_text("my notes\n", encoding="utf-8")
    elif where == "a store":
        target = output / "store"
    else:
        target = tmp_path / "a_file"
        target.write_text("data\n", encoding="utf-8")
    before = snapshot(tmp_path)
    proc = kg("build", news, "-o", "." if cwd != ROOT else target, "--fast", cwd=cwd)
    assert_refused(proc, {"other files": "not a kg output folder", "the current folder": "not a kg output folder",
                          "a store": "is a kg store", "a file": "not a folder"}[where])
    assert snapshot(tmp_path) == before


def test_an_output_of_an_older_kg_is_accepted_and_marked(news, output):
    """An output folder without the marker that holds only kg's own names is kg's: rebuilt, then marked."""
    for marker in (output / ".kg-output", output / ".kg-lock", output / "store" / ".kg-store"):
        marker.unlink()
    before = (output / "graph.ttl").read_bytes()
    proc = kg("build", news, "-o", output, "--fast")
    assert proc.returncode == 0, proc.stderr
    assert (output / "graph.ttl").read_bytes() == before
    assert (output / ".kg-output").is_file() and (output / "store" / ".kg-store").is_file()
    assert sorted(p.name for p in output.iterdir()) == [".cache", ".kg-lock", ".kg-output", "graph.html",
                                                         "graph.ttl", "store"]


def test_a_marked_output_keeps_the_users_own_files(news, output):
    (output / "export").mkdir()
    (output / "export" / "nodes.csv").write_text("id\n", encoding="utf-8")
    (output / "README.txt").write_text("built for the paper\n", encoding="utf-8")
    proc = kg("build", news, "-o", output, "--fast")
    assert proc.returncode == 0, proc.stderr
    assert (output / "export" / "nodes.csv").read_text(encoding="utf-8") == "id\n"
    assert (output / "README.txt").is_file()


# --------------------------------------------------------------------------- 4, 6. the cache holds data

EVIL = """
class Evil:
    def __reduce__(self):
        return (open, ({path!r}, "w"))
"""


def evil_pickle(path: Path) -> bytes:
    """A pickle that creates ``path`` when it is loaded."""
    scope: dict = {}
    exec(EVIL.format(path=str(path)), scope)
    return pickle.dumps(scope["Evil"]())


def test_a_planted_pickle_in_the_cache_is_never_loaded(news, output, tmp_path):
    ran = tmp_path / "the_pickle_ran"
    payload = evil_pickle(ran)
    entries = cache_entries(output)
    assert len(entries) == len(PAGES)
    for entry in entries:  # every entry replaced, and a pickle of the same name beside it
        entry.write_bytes(payload)
        entry.with_suffix(".pickle").write_bytes(payload)
    before = (output / "graph.ttl").read_bytes()
    proc = kg("build", news, "-o", output, "--fast")
    assert proc.returncode == 0, proc.stderr
    assert not ran.exists(), "a pickle from the cache was loaded"
    assert (output / "graph.ttl").read_bytes() == before
    assert not list((output / ".cache").rglob("*.pickle"))  # pruned: not cache entries of this kg
    assert all(b"__reduce__" not in p.read_bytes() and p.read_bytes()[:1] != b"\x80" for p in cache_entries(output))


def _flip(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x80]) + data[middle + 1:]


DAMAGE = {
    "a flipped byte": _flip,
    "truncated": lambda data: data[: len(data) // 2],
    "empty": lambda data: b"",
    "garbage": lambda data: os.urandom(len(data)),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_cache_entry_is_a_miss_and_is_rewritten(news, output, damage):
    """One flipped byte in one entry failed every later build with exit 70."""
    before = (output / "graph.ttl").read_bytes()
    entries = cache_entries(output)
    good = {p: p.read_bytes() for p in entries}
    for entry in entries:
        entry.write_bytes(DAMAGE[damage](good[entry]))
    proc = kg("build", news, "-o", output, "--fast")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert extracted(proc) in ((len(PAGES), 0), (-1, 0))  # all extracted again (no hit: no line)
    assert (output / "graph.ttl").read_bytes() == before
    assert {p: p.read_bytes() for p in cache_entries(output)} == good  # rewritten, whole
    again = kg("build", news, "-o", output, "--fast")
    assert extracted(again) == (0, len(PAGES))


def test_an_entry_of_another_document_is_a_miss(news, output):
    """A foreign entry (a whole, valid entry of another document, copied over) is not taken."""
    before = (output / "graph.ttl").read_bytes()
    first, *rest = cache_entries(output)
    for entry in rest:
        shutil.copy(first, entry)
    proc = kg("build", news, "-o", output, "--fast")
    assert proc.returncode == 0, proc.stderr
    assert extracted(proc) == (len(rest), 1)
    assert (output / "graph.ttl").read_bytes() == before


# --------------------------------------------------------------------------- 7. one build at a time

PAUSE = """
import os, time
from pathlib import Path
import kg.writer
_real = kg.writer.write_graph
def _paused(*args, **kwargs):
    Path({ready!r}).touch()
    for _ in range(12000):
        if os.path.exists({go!r}):
            break
        time.sleep(0.05)
    return _real(*args, **kwargs)
kg.writer.write_graph = _paused
"""


def test_a_second_build_into_the_same_folder_is_refused_while_the_first_writes(news, output, tmp_path):
    """Two real processes: the first holds the folder (paused just before it writes); the second, of other
    texts, is refused and changes nothing; the first then completes, and the outputs are all its own."""
    ready, go = tmp_path / "ready", tmp_path / "go"
    expected = (output / "graph.ttl").read_bytes()
    other = write_pages(tmp_path / "other", OTHER)
    graph = tmp_path / "graph.ttl"
    shutil.copy(output / "graph.ttl", graph)
    code = PAUSE.format(ready=str(ready), go=str(go)) + "\nfrom kg.cli import main\nmain()\n"
    first = subprocess.Popen([sys.executable, "-c", code, "build", str(news), "-o", str(output), "--fast"],
                             cwd=ROOT, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             encoding="utf-8")
    try:
        for _ in range(6000):
            if ready.exists() or first.poll() is not None:
                break
            time.sleep(0.05)
        assert ready.exists(), first.communicate()[1]
        held = snapshot(output)
        second = kg("build", other, "-o", output, "--fast")
        assert_refused(second, "another kg build is writing there")
        assert_refused(kg("load", graph, "--store", output / "store"), "another kg build is writing there")
        assert snapshot(output) == held
    finally:
        go.touch()
        stdout, stderr = first.communicate(timeout=600)
    assert first.returncode == 0, stderr
    assert (output / "graph.ttl").read_bytes() == expected  # the first build's graph, not the second's
    assert sorted(p.name for p in output.iterdir()) == [".cache", ".kg-lock", ".kg-output", "graph.html",
                                                         "graph.ttl", "store"]
    after = kg("build", other, "-o", output, "--fast")  # once it is done, the folder is free again
    assert after.returncode == 0, after.stderr


# --------------------------------------------------------------------------- 16. leftovers of killed builds

LEFTOVERS = {  # name: a folder (True) or a file
    ".graph.ttl.0123abcd.new": False,
    ".graph.html.89abcdef.new": False,
    ".store.deadbeef.new": True,
    ".kg-build.a1b2_c3d": True,
    ".store.x9y8z7w6": True,  # kg load's store in the making
    "..graph.html.0123abcd.new.q1w2e3r4.tmp": False,  # the map's own temp file
    ".graph.ttl.0badf00d.old": False,  # a previous output moved aside (the new one is in place)
}
NOT_LEFTOVERS = ["notes.txt", ".graph.ttl.mine", ".kg-build", ".store.backup-2025", "export/edges.csv", "graph.ttl.new"]


def test_the_next_build_removes_killed_builds_leftovers_and_nothing_else(news, output):
    for name, is_dir in LEFTOVERS.items():
        if is_dir:
            (output / name).mkdir()
            (output / name / "000001.sst").write_bytes(b"\0" * 64)
        else:
            (output / name).write_bytes(b"half")
    for name in NOT_LEFTOVERS:
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        (output / name).write_text("mine\n", encoding="utf-8")
    temp = output / ".cache" / "facts" / "ab" / ".facts.k3j4h5g6.tmp"
    temp.parent.mkdir(parents=True, exist_ok=True)
    temp.write_bytes(b"half an entry")
    proc = kg("build", news, "-o", output, "--fast")
    assert proc.returncode == 0, proc.stderr
    names = {p.relative_to(output).as_posix() for p in output.rglob("*")}
    assert not names & set(LEFTOVERS), names & set(LEFTOVERS)
    assert not temp.exists()
    for name in NOT_LEFTOVERS:
        assert (output / name).read_text(encoding="utf-8") == "mine\n", name


def test_a_previous_output_a_kill_left_moved_aside_is_put_back(news, output):
    """Killed between moving the old store aside and putting the new one in place: the next build (here
    one that writes no store) puts the old one back instead of deleting it."""
    os.rename(output / "store", output / ".store.0123abcd.old")
    proc = kg("build", news, "-o", output, "--fast", "--no-store")
    assert proc.returncode == 0, proc.stderr
    assert (output / "store" / "CURRENT").is_file()
    assert not (output / ".store.0123abcd.old").exists()


# --------------------------------------------------------------------------- 17c. kg viz -o

@pytest.mark.parametrize("how", ["same path", "another spelling", "a link to it", "a file that is not a page"])
def test_viz_never_writes_over_the_graph_or_a_file_that_is_not_a_page(output, tmp_path, how):
    graph = tmp_path / "g.ttl"
    shutil.copy(output / "graph.ttl", graph)
    (tmp_path / "sub").mkdir()
    (tmp_path / "notes.txt").write_text("my notes\n", encoding="utf-8")
    (tmp_path / "link.html").symlink_to(graph)
    target = {"same path": graph, "another spelling": tmp_path / "sub" / ".." / "g.ttl",
              "a link to it": tmp_path / "link.html", "a file that is not a page": tmp_path / "notes.txt"}[how]
    before = snapshot(tmp_path)
    proc = kg("viz", graph, "-o", target)
    assert_refused(proc, "is the input graph" if how != "a file that is not a page" else "not an HTML page")
    assert snapshot(tmp_path) == before
    # relative, from the graph's folder
    assert_refused(kg("viz", "g.ttl", "-o", "./g.ttl", cwd=tmp_path), "is the input graph")
    assert snapshot(tmp_path) == before


def test_viz_replaces_a_page_it_wrote(output, tmp_path):
    shutil.copy(output / "graph.html", tmp_path / "map.html")
    proc = kg("viz", output / "graph.ttl", "-o", tmp_path / "map.html")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "map.html").read_bytes().startswith(b"<!DOCTYPE html>")


def _reentry(body: object, key: str = "k") -> bytes:
    """An entry with a right checksum around any JSON body: what a forger writes."""
    import json

    from kg.cache import HEADER

    data = json.dumps(body, ensure_ascii=False).encode()
    return HEADER + hashlib.sha256(data).hexdigest().encode() + b"\n" + data


@pytest.mark.parametrize("forge", ["a string for an offset", "a bool for an offset", "a field too many",
                                   "an object with a class name", "an unknown place code", "another key"])
def test_a_forged_entry_with_a_right_checksum_is_still_refused(forge):
    """Checked by the dataclasses' type hints, field by field: no type is ever taken from the file."""
    import json

    from kg.cache import BadEntry, decode_facts, encode_facts
    from kg.extract import DocumentFacts, EntityRef, Evidence, PostFact
    from kg.ingest import document_from_text
    from kg.recognize import Home

    doc = document_from_text("市长程宇出席会议。", "a.txt")
    person = EntityRef("Person", "程宇", "程宇")
    facts = DocumentFacts(doc, entities=[person], posts=[PostFact(person, "市长", None, Evidence(doc.doc_id, 0, 9, "x"))],
                          home=Home.of_city("辽源市"))
    body = json.loads(encode_facts(facts, "k").partition(b"\n")[2])
    assert decode_facts(_reentry(body), "k") == facts
    evidence = body["facts"][2][0][3]  # posts[0].evidence: [doc_id, start, end, text]
    if forge == "a string for an offset":
        evidence[1] = "0"
    elif forge == "a bool for an offset":
        evidence[1] = True
    elif forge == "a field too many":
        evidence.append(1)
    elif forge == "an object with a class name":
        body["facts"][1][0] = {"__class__": "os.system", "args": ["touch /tmp/x"]}
    elif forge == "an unknown place code":
        body["facts"][7][5] = "999999"
    else:
        body["key"] = "another"
    with pytest.raises(BadEntry):
        decode_facts(_reentry(body), "k")
