"""Build speed at scale: corpora of 1, 8 and 64 MB, `kg build` against bare jieba in the same run.

    .venv/bin/python scripts/bench.py                  # 1, 8 and 64 MB, 4 builds each (~17 min on 2 cores)
    .venv/bin/python scripts/bench.py --sizes 1,8      # quicker
    .venv/bin/python scripts/bench.py --sizes 8 --modes default,fast

Corpora: the seeds and the national work reports (../shared/corpus), one file per text, repeated under
new file names until the size is reached (UTF-8 bytes), written once under --workdir. For each size:
bare single-process `jieba.lcut` over the same texts (timed here, after jieba is loaded), then
`kg build DIR -o OUT --no-cache` in a subprocess per mode, timed from start to exit (imports, reading,
cluster start-up, extraction, resolution, Turtle, store, map), with the peak RSS of its processes
(the build and its Dask workers: their PSS summed, so that pages forked workers share
with the build count once; sampled every second). Modes:

    default   all cores (kg build's default)          fast      --fast, all cores
    w1        --workers 1 (in this process)            w2        --workers 2 (forced onto a Dask cluster)

Printed: chars/s, the ratio build time / jieba time, the growth of time from 1 to 8 MB, peak memory, the
build's phases (KG_TIMINGS=1: read, extract, resolve+graph+store, map) and the speed-up of 2 workers over 1,
of the whole build and of the extraction phase. Ratios are measured within the run,
so a loaded machine affects both sides; the load average is printed too.

The news corpora give small graphs (national reports name few entities). ``--writer 100000,1000000``
times the graph writing alone on bigger ones: the seeds' facts copied under new names until the graph
has that many triples, written by rdflib (Graph + Turtle serializer, what kg build did) and by the
streaming writer (kg/writer.py), each in its own process, with its peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "gov_work_reports_national.jsonl"
MODES = {
    "default": [],
    "fast": ["--fast"],
    "w1": ["--workers", "1"],
    "w2": ["--workers", "2"],
    "fast-w1": ["--fast", "--workers", "1"],
}
MB = 1_000_000


def source_texts() -> list[tuple[str, str]]:
    """(name, text): the seeds, then each national report."""
    out = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    if CORPUS.exists():
        for i, line in enumerate(CORPUS.open(encoding="utf-8")):
            record = json.loads(line)
            out.append((f"report{i:02d}_{record.get('year', '')}", record["content"]))
    return out


def make_corpus(folder: Path, megabytes: float) -> list[str]:
    """Write files until ``megabytes`` MB of UTF-8; returns their texts. Reuses a complete folder."""
    done = folder / ".complete"
    texts = source_texts()
    if done.exists():
        return [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    written, size, copy = [], 0, 0
    while size < megabytes * MB:
        for name, text in texts:
            (folder / f"c{copy:03d}_{name}.txt").write_text(text, encoding="utf-8")
            written.append(text)
            size += len(text.encode("utf-8"))
            if size >= megabytes * MB:
                break
        copy += 1
    done.touch()
    return written


def bare_jieba(texts: list[str]) -> float:
    import jieba

    jieba.initialize()
    jieba.lcut(texts[0][:1000])
    t = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    return time.perf_counter() - t


class PeakRSS(threading.Thread):
    """Samples the memory of a process and its descendants: the sum of their PSS (proportional set size:
    pages shared by forked workers counted once, split between them; RSS where PSS cannot be read), every
    second (reading PSS walks the page tables: sampling it often would slow the build down), and the
    largest single RSS, every 0.25 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        import psutil

        self.proc = psutil.Process(pid)
        self.peak = 0
        self.peak_single = 0
        self.stop = threading.Event()

    def run(self) -> None:
        import psutil

        tick = 0
        while not self.stop.is_set():
            try:
                procs = [self.proc] + self.proc.children(recursive=True)
                rss, pss = [], []
                for p in procs:
                    try:
                        if tick % 4 == 0:
                            info = p.memory_full_info()
                            pss.append(getattr(info, "pss", info.rss))
                            rss.append(info.rss)
                        else:
                            rss.append(p.memory_info().rss)
                    except psutil.Error:
                        pass
                if pss:
                    self.peak = max(self.peak, sum(pss))
                self.peak_single = max(self.peak_single, max(rss, default=0))
            except psutil.Error:
                pass
            tick += 1
            self.stop.wait(0.25)


def run_build(folder: Path, out: Path, args: list[str]) -> tuple[float, int, int, dict]:
    """Wall seconds, peak summed PSS, peak single-process RSS and the phases (KG_TIMINGS) of one kg build."""
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, KG_TIMINGS="1")
    if "--workers" in args and args[args.index("--workers") + 1] != "1":
        env["KG_LOCAL_BELOW"] = "0"  # w2: on the cluster whatever the size
    cmd = [sys.executable, "-m", "kg", "build", str(folder), "-o", str(out), "--no-cache", *args]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = PeakRSS(proc.pid)
    sampler.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - t
    sampler.stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"kg build {' '.join(args)} failed ({proc.returncode}):\n{stderr[-2000:]}")
    phases = {}
    for line in stderr.splitlines():
        if line.startswith("timings: "):
            for part in line[len("timings: "):].split(", "):
                name, value, _ = part.rsplit(" ", 2)
                phases[name] = float(value)
    return seconds, sampler.peak, sampler.peak_single, phases


DIGITS = "零一二三四五六七八九"


def copied_facts(base: list, copy: int) -> list:
    """The facts of the seeds for copy ``copy``: new document ids, every name and title suffixed (一二 …),
    so that each copy adds its own nodes, facts and evidence."""
    from dataclasses import replace

    tag = "".join(DIGITS[int(c)] for c in str(copy))
    out = []
    for facts in base:
        doc = replace(facts.document, doc_id=f"{facts.document.doc_id}-{copy}", source=f"{copy}-{facts.document.source}")

        def r(ref):
            return None if ref is None else replace(ref, name=ref.name + tag, surface=ref.surface + tag if ref.surface else "")

        def e(ev):
            return replace(ev, doc_id=doc.doc_id)

        out.append(replace(
            facts, document=doc, mentions=[], entities=[r(x) for x in facts.entities],
            posts=[replace(p, person=r(p.person), body=r(p.body), evidence=e(p.evidence)) for p in facts.posts],
            pairs=[replace(p, subject=r(p.subject), object=r(p.object), evidence=e(p.evidence),
                           context=tuple(map(e, p.context))) for p in facts.pairs],
            recognitions=[replace(x, subject=r(x.subject), evidence=e(x.evidence)) for x in facts.recognitions],
            agreements=[replace(a, title=a.title + tag, parties=tuple(map(r, a.parties)),
                                signatories=tuple(map(r, a.signatories)), witnesses=tuple(map(r, a.witnesses)),
                                evidence=e(a.evidence), context=tuple(map(e, a.context))) for a in facts.agreements]))
    return out


def writer_child(how: str, triples: int, out: Path) -> None:
    """In a process of its own: copies of the seeds' facts up to ``triples``, then the write alone, timed."""
    from kg.ingest import read_document
    from kg.pipeline import extract_all, graph_from_facts
    from kg.writer import write_graph

    base = extract_all([read_document(p) for p in sorted((ROOT / "seeds").glob("*.txt"))], fast=True)
    per_copy = len(graph_from_facts(base))
    facts = [f for c in range(max(1, round(triples / per_copy))) for f in copied_facts(base, c)]
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    if how == "rdflib":
        graph = graph_from_facts(facts)
        (out / "graph.ttl").write_bytes(graph.serialize(format="turtle", encoding="utf-8"))
        n = len(graph)
    else:
        n = write_graph(facts, out / "graph.ttl", out / "store").triples
    print(json.dumps({"seconds": time.perf_counter() - t, "triples": n}))


def run_writer(how: str, triples: int, workdir: Path) -> tuple[float, int, int]:
    out = workdir / f"writer-{how}-{triples}"
    shutil.rmtree(out, ignore_errors=True)
    proc = subprocess.Popen([sys.executable, __file__, "--writer-child", how, str(triples), str(out)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = PeakRSS(proc.pid)
    sampler.start()
    stdout, stderr = proc.communicate()
    sampler.stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"writer {how} failed:\n{stderr[-2000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    shutil.rmtree(out, ignore_errors=True)
    return result["seconds"], result["triples"], sampler.peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,8,64", help="corpus sizes in MB, comma-separated")
    ap.add_argument("--modes", default="default,fast,w1,w2", help="which builds per size (default, fast, w1, w2, fast-w1)")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/kg-bench"), help="corpora and outputs")
    ap.add_argument("--writer", default="", help="also time the graph writers alone at these triple counts")
    ap.add_argument("--writer-child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.writer_child:
        how, n, out = args.writer_child
        writer_child(how, int(n), Path(out))
        return
    sizes = [float(s) for s in args.sizes.split(",") if s]
    modes = [m for m in args.modes.split(",") if m]
    for m in modes:
        if m not in MODES:
            raise SystemExit(f"unknown mode {m!r} (one of {', '.join(MODES)})")
    print(f"machine: {os.cpu_count()} cores, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"(before the run)", flush=True)
    rows, results, extract_times = [], {}, {}
    for size in sizes:
        folder = args.workdir / f"corpus-{size:g}mb"
        texts = make_corpus(folder, size)
        chars = sum(map(len, texts))
        base = bare_jieba(texts)
        print(f"\n{size:g} MB: {len(texts)} files, {chars:,} characters; bare jieba.lcut {base:.1f} s "
              f"({chars / base:,.0f} chars/s)", flush=True)
        for mode in modes:
            seconds, peak, single, phases = run_build(folder, args.workdir / f"out-{size:g}mb-{mode}", MODES[mode])
            results[(size, mode)] = seconds
            extract_times[(size, mode)] = phases.get("extract")
            line = (f"  kg build {mode:<8} {seconds:7.1f} s  {chars / seconds:>9,.0f} chars/s  "
                    f"{seconds / base:5.2f}x jieba   peak memory {peak / 2**20:,.0f} MB "
                    f"(largest process RSS {single / 2**20:,.0f} MB)   load {os.getloadavg()[0]:.2f}")
            print(line, flush=True)
            if phases:
                print("      phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items())
                      + f", start-up and the rest {seconds - sum(phases.values()):.1f} s", flush=True)
            rows.append((size, mode, chars, base, seconds, peak))
    print()
    if (1.0, "default") in results and (8.0, "default") in results:
        print(f"growth 8 MB vs 1 MB (default build): {results[(8.0, 'default')] / results[(1.0, 'default')]:.2f}x time "
              f"for 8x text")
    for s in sizes:
        if (s, "w1") in results and (s, "w2") in results:
            line = f"speed-up of 2 workers over 1 ({s:g} MB): {results[(s, 'w1')] / results[(s, 'w2')]:.2f}x"
            if extract_times.get((s, "w1")) and extract_times.get((s, "w2")):
                line += f" (the extraction phase alone: {extract_times[(s, 'w1')] / extract_times[(s, 'w2')]:.2f}x)"
            print(line)
    for n in [int(x) for x in args.writer.split(",") if x]:
        for how in ("rdflib", "stream"):
            seconds, triples, peak = run_writer(how, n, args.workdir)
            print(f"writer {how:<7} {triples:>10,} triples  {seconds:7.1f} s  {triples / seconds:>9,.0f} triples/s  "
                  f"peak memory {peak / 2**20:,.0f} MB (the whole process)", flush=True)
    print(f"load average after the run: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
