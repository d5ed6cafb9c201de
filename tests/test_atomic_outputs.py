"""A failed or interrupted build or export leaves every previous output byte for byte as it was.

The seeds are built once (graph.ttl, graph.html, store/) and exported (csv, nt) into the same
folder; every file's bytes, mode and mtime are recorded. Then builds and exports are made to fail
part way, in a subprocess as a user runs them, with the failure injected at a late step (the map,
written after the Turtle and the store are complete): an exception, a full disk, Ctrl-C (a real
SIGINT), SIGTERM, a rename that fails while the new outputs are being put in place; and a real
SIGINT sent from outside at some moment of a build. Each time: the exit code, one error line, every
previous output unchanged, no temporary file left behind.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
JIEBA = ("Building prefix dict", "Loading model", "Prefix dict has been built", "Dumping model")
CACHE = ".cache"  # the extraction cache (kg/cache.py) is not an output: a failed build may add to it


def env() -> dict:
    return {**{k: v for k, v in os.environ.items() if k not in ("COLUMNS", "KG_DEBUG")}, "PYTHONIOENCODING": "utf-8"}


def kg(*args, prelude: str = "", timeout: int = 300) -> subprocess.CompletedProcess:
    """``kg ARGS`` in a fresh interpreter, after ``prelude`` (the fault to inject) has run."""
    code = prelude + "\nfrom kg.cli import app\napp(prog_name='kg')\n"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=ROOT, env=env(),
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout,
                          preexec_fn=_default_sigint)


def _default_sigint() -> None:
    """A test suite started in the background by a shell without job control inherits SIGINT ignored, and so
    would the build: Ctrl-C is then not the user's key but nothing. The build starts as from a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip() and not line.startswith(JIEBA)
            and not line.startswith("incremental:")]


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every file and folder below ``folder`` (the cache aside): a file's bytes, mode and mtime."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if rel == CACHE or rel.startswith(CACHE + "/"):
            continue
        st = p.lstat()
        if p.is_dir():  # its listing is compared through the files (its mtime moves with temp files)
            out[rel] = ("dir", st.st_mode)
        else:
            out[rel] = (hashlib.sha256(p.read_bytes()).hexdigest(), st.st_mode, st.st_mtime_ns, st.st_size)
    return out


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("atomic") / "out"
    proc = kg("build", "seeds", "-o", out)
    assert proc.returncode == 0, proc.stderr
    proc = kg("export", out / "graph.ttl", "-f", "csv,nt", "-o", out / "export")
    assert proc.returncode == 0, proc.stderr
    before = snapshot(out)
    assert {"graph.ttl", "graph.html", "store", "store/CURRENT", "export/nodes.csv", "export/graph.nt"} <= set(before)
    return out, before


def assert_untouched(out: Path, before: dict) -> None:
    after = snapshot(out)
    assert sorted(after) == sorted(before), (set(after) ^ set(before))  # nothing new: no temp file or folder
    changed = [name for name in before if after[name] != before[name]]
    assert changed == [], changed


AT_THE_MAP = "import kg.viz\ndef _fault(graph, path, *a, **k):\n{body}\nkg.viz.write_map = _fault\n"

FAULTS = {
    # name: (the body of the injected write_map, exit code, what the one line says)
    "exception": ("    raise RuntimeError('injected failure')", 70, "unexpected RuntimeError: injected failure"),
    "disk full": ("    import errno\n    raise OSError(errno.ENOSPC, 'No space left on device', str(path))", 2,
                  "No space left on device"),
    "ctrl-c": ("    import os, signal, time\n    os.kill(os.getpid(), signal.SIGINT)\n    time.sleep(30)", 130,
               "interrupted"),
    "sigterm": ("    import os, signal, time\n    os.kill(os.getpid(), signal.SIGTERM)\n    time.sleep(30)", 130,
                "interrupted"),
    "half-written map": ("    from pathlib import Path\n    Path(path).write_text('<html>half')\n"
                         "    raise MemoryError()", 70, "unexpected MemoryError"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_build_failing_at_the_map_leaves_everything_as_it_was(previous, fault):
    out, before = previous
    body, code, message = FAULTS[fault]
    proc = kg("build", "seeds", "-o", out, prelude=AT_THE_MAP.format(body=body))
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = error_lines(proc.stderr)
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], proc.stderr
    assert_untouched(out, before)


RENAME_FAILS = """
import errno, os
import kg.atomic
_real = os.rename
_calls = []
def _rename(src, dst, *a, **k):
    if str(src).endswith(".new"):
        _calls.append(src)
        if len(_calls) == {n}:
            raise OSError(errno.EIO, "Input/output error", str(dst))
    return _real(src, dst, *a, **k)
kg.atomic.os.rename = _rename
"""


@pytest.mark.parametrize("n", [1, 2, 3])
def test_a_rename_failing_while_outputs_are_put_in_place_puts_the_old_ones_back(previous, n):
    out, before = previous
    proc = kg("build", "seeds", "-o", out, prelude=RENAME_FAILS.format(n=n))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = error_lines(proc.stderr)
    assert len(lines) == 1 and "Input/output error" in lines[0], proc.stderr
    assert_untouched(out, before)


def test_a_failing_export_leaves_the_previous_export(previous):
    out, before = previous
    prelude = "import kg.export\ndef _fault(g):\n    raise OSError(28, 'No space left on device')\nkg.export.nt_bytes = _fault\n"
    proc = kg("export", out / "graph.ttl", "-f", "csv,nt", "-o", out / "export", prelude=prelude)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = error_lines(proc.stderr)
    assert len(lines) == 1 and "No space left on device" in lines[0], proc.stderr
    assert_untouched(out, before)  # nodes.csv and edges.csv were written first, and not put in place


@pytest.mark.parametrize("delay", [1.0, 3.0])
def test_a_real_ctrl_c_at_any_moment(previous, delay):
    out, before = previous
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", "seeds", "-o", str(out), "--no-cache"],
                            cwd=ROOT, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert "Traceback" not in stdout + stderr
    if proc.returncode == 0:  # the build was already done: then it is whole and new
        assert (out / "graph.ttl").is_file()
        pytest.skip(f"the build finished before {delay} s")
    assert proc.returncode == 130, stderr
    assert [line for line in error_lines(stderr) if line.startswith("error:")][0].startswith("error: interrupted")
    assert_untouched(out, before)


def test_ctrl_c_once_a_command_is_over_keeps_its_exit_status():
    """A Ctrl-C or SIGTERM while the interpreter shuts down after a command (a build whose last line is
    printed) must not turn exit 0 into death by SIGINT (-2): kg.cli.main ignores both once the command is over."""
    code = ("import signal\nfrom kg.cli import main\ntry:\n    main()\nexcept SystemExit as e:\n"
            "    print(e.code, signal.getsignal(signal.SIGINT) is signal.SIG_IGN, signal.getsignal(signal.SIGTERM) is signal.SIG_IGN)\n")
    proc = subprocess.run([sys.executable, "-c", code, "stats", "--help"], cwd=ROOT, env=env(),
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.stdout.strip().splitlines()[-1] == "0 True True", proc.stdout + proc.stderr


def test_a_successful_build_leaves_no_temp_file(tmp_path):
    other = tmp_path / "one"
    other.mkdir()
    (other / "page.txt").write_text("副市长司马江出席会议。\n\n市长程宇主持会议并讲话。\n", encoding="utf-8")
    proc = kg("build", other, "-o", tmp_path / "new")
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in (tmp_path / "new").iterdir())
    assert names == [CACHE, ".kg-lock", ".kg-output", "graph.html", "graph.ttl", "store"], names  # lock, marker
