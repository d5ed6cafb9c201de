"""The ``kg`` command line.

    kg build seeds -o out        # out/graph.ttl + out/graph.html, and a summary
    kg validate out/graph.ttl    # SHACL check against ontology/shapes.ttl
"""

from __future__ import annotations

import errno
import os
import re
import signal
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperGroup

try:  # typer >= 0.22 carries its own copy of click
    from typer._click.exceptions import ClickException, UsageError
except ImportError:  # pragma: no cover
    from click.exceptions import ClickException, UsageError

from kg.atomic import Outputs, write_atomic  # noqa: F401  (write_atomic: kg.export, kg.viz use it)
from kg.outdir import (OUTPUT_MARKER, FolderError, check_output, check_store_target, claim_output, lock_output,
                       mark_store)

console = Console(stderr=True, soft_wrap=True)
out_console = Console(soft_wrap=True)  # long lines (URLs, paths) stay whole when piped


def one_line(message: str) -> str:
    """``message`` as one line of plain text: line breaks and control characters (from file names,
    curation files, queries or parser messages: an ESC never reaches the terminal) shown escaped, a
    byte of a file name that is not UTF-8 as ``\\xff`` (as in the graph), rich markup shown as it is."""
    return escape("".join(c if c.isprintable() or c == " " else _escaped_char(c) for c in str(message)))


def _escaped_char(c: str) -> str:
    if "\udc80" <= c <= "\udcff":  # a byte of a name that is not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{ord(c) - 0xDC00:02x}"
    return repr(c)[1:-1]


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, or its type when it has none."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def fail(message: str, code: int = 2) -> None:
    """One clear line on stderr and a non-zero exit, never a traceback."""
    console.print(f"[bold red]error:[/] {one_line(message)}", highlight=False)
    raise typer.Exit(code)


def warn(label: str, message: str) -> None:
    """One line on stderr, e.g. ``skipped: FILE: reason``."""
    console.print(f"[yellow]{label}:[/] {one_line(message)}", highlight=False)


class _Commands(TyperGroup):
    """Every command ends in at most one error line on stderr, never a traceback: a usage error, Ctrl-C
    or SIGTERM (exit 130), an operating-system error such as a full disk (exit 2), or an unexpected
    error (exit 70; KG_DEBUG=1 shows the traceback)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "kg"
            console.print(f"[bold red]error:[/] {one_line(exc.format_message())} (see: {escape(where)} --help)",
                          highlight=False)
            raise typer.Exit(2) from None
        except (typer.Exit, typer.Abort, ClickException):
            raise
        except KeyboardInterrupt:
            console.print("[bold red]error:[/] interrupted: no output was left half-written "
                          "(each is the new one or the previous one, whole)", highlight=False)
            raise typer.Exit(130) from None
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise
            if os.environ.get("KG_DEBUG"):
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            fail(f"{where}{exc.strerror or exc} (nothing was left half-written)")
        except Exception as exc:
            if os.environ.get("KG_DEBUG"):
                raise
            fail(f"unexpected {type(exc).__name__}: {exc} (a bug: please report it; KG_DEBUG=1 shows where)", 70)


app = typer.Typer(
    name="kg",
    help="Zhengqi KG (政企图谱): build a knowledge graph of officials, enterprises, government bodies, "
         "parks and projects from Chinese local-government news, with the sentence behind every fact.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_Commands,
)


@app.command()
def build(
    paths: list[Path] = typer.Argument(..., help="Text files and folders (every *.txt below a folder, recursively)."),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Output folder: graph.ttl and graph.html go here."),
    fast: bool = typer.Option(False, "--fast", help="Rules only: skip the statistical tagger (faster, finds fewer names)."),
    city: Optional[str] = typer.Option(None, "--city", help="Home city of all documents (e.g. 辽源市); detected per document when not given."),
    no_map: bool = typer.Option(False, "--no-map", help="Do not write graph.html."),
    no_store: bool = typer.Option(False, "--no-store", help="Do not write the SPARQL store (OUT/store/)."),
    strict: bool = typer.Option(False, "--strict", help="Fail when any input file cannot be read."),
    max_file_mb: float = typer.Option(2.0, "--max-file-mb", min=0, help="Refuse input files bigger than this many MB (0: no limit). Extraction slows down faster than linearly with a document's length; a page is 5-50 KB."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Extract every document again, ignoring (and not writing) OUT/.cache/: by default only new or changed documents are extracted."),
    curation_file: Optional[Path] = typer.Option(None, "--curation", help="A curation.yaml of corrections (merge, alias, rename, drop, drop_fact, add_fact) applied on this build; by default a curation.yaml in an input folder is used. See kg/curation.py for the format."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", help="Extract on this many processes of a local Dask cluster (default: every core). With 1, or an input too small to pay for starting the cluster (~1 MB; --fast ~3 MB), extraction runs in this process. The graph is the same bytes whatever the number."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Extract on an existing Dask cluster, e.g. tcp://10.0.0.5:8786 (its workers need zhengqi-kg installed; --workers is then the cluster's)."),
) -> None:
    """Build the graph from Chinese news texts: entities, posts, relations, agreements and awards,
    each fact with its evidence sentence. Writes OUT/graph.ttl (Turtle), OUT/graph.html (map) and
    OUT/store/ (the embedded SPARQL store for kg query and kg serve).

    Example:  kg build seeds -o out
    """
    from kg.parallel import ParallelError, extract_documents
    from kg.writer import write_graph

    t0 = time.perf_counter()
    if workers is not None and workers < 1:
        fail(f"--workers must be at least 1, not {workers}")
    if scheduler is not None:
        from kg.parallel import check_scheduler_address

        try:
            check_scheduler_address(scheduler)  # before reading anything: a typo fails at once
        except ParallelError as exc:
            fail(str(exc))
    try:
        check_output(out)  # before reading anything: a folder kg may not write into fails at once
    except FolderError as exc:
        fail(str(exc))
    read_workers = (workers if workers and scheduler is None else os.cpu_count()) or 1
    docs, skipped = _read_inputs(paths, strict, max_file_mb, read_workers)
    curation = _curation_for(curation_file, paths)
    laps = [("read", time.perf_counter())]  # phases, printed with KG_TIMINGS=1 (scripts/bench.py)

    with _claim_output(out):  # checked, locked, marked as kg's, leftovers of killed builds removed
        with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal) as progress:
            task = progress.add_task("extracting", total=len(docs))

            def extract_missing(missing):
                progress.update(task, total=len(missing))
                try:
                    return extract_documents(missing, fast=fast, home_city=city, workers=workers, scheduler=scheduler,
                                             on_done=lambda _f: progress.advance(task))
                except ParallelError as exc:
                    fail(str(exc))

            if no_cache:
                all_facts = extract_missing(docs)
            else:
                from kg.cache import FactsCache

                cache = FactsCache(out / ".cache" / "facts", fast=fast, home_city=city)
                all_facts = cache.extract(docs, extract_missing)
                cache.prune(docs)
                if cache.hits:
                    console.print(f"incremental: {cache.misses} document(s) extracted, {cache.hits} from the cache "
                                  f"({out / '.cache'}; --no-cache rebuilds all)", highlight=False)
        laps.append(("extract", time.perf_counter()))
        with Outputs() as outputs:  # written beside the old ones, renamed in only when all are complete
            # triples streamed to N-Triples, loaded into the store, Turtle dumped from it (kg/writer.py)
            summary = write_graph(all_facts, outputs.stage(out / "graph.ttl"),
                                  None if no_store else outputs.stage(out / "store"), curation,
                                  map_graph_up_to=0 if no_map else MAP_MAX_TRIPLES)
            if not no_store:
                mark_store(outputs.staged(out / "store"))
            laps.append(("resolve+graph+store", time.perf_counter()))
            if curation is not None:
                for problem in curation.problems:
                    warn("curation", str(problem))
                failed = len(curation.actions) - curation.applied
                if failed and strict:
                    fail(f"{failed} curation edit(s) could not be applied (--strict); nothing was written")
                console.print(f"curation: {curation.applied} of {len(curation.actions)} edit(s) by "
                              f"{one_line(curation.curator)} applied from {one_line(curation.source)}", highlight=False)
            if not no_map and summary.triples > MAP_MAX_TRIPLES:
                console.print(f"map skipped: {summary.triples:,} triples (the map reads the graph with rdflib, up to "
                              f"{MAP_MAX_TRIPLES:,}); draw a part with kg viz {out / 'graph.ttl'} --focus NAME",
                              highlight=False)
            elif not no_map:
                from kg.viz import write_map

                write_map(summary.graph, outputs.stage(out / "graph.html"))  # the graph less the documents' text
            laps.append(("map", time.perf_counter()))
    _summary(summary, docs, skipped, time.perf_counter() - t0, out)
    if os.environ.get("KG_TIMINGS"):
        start = [t0] + [t for _, t in laps[:-1]]
        console.print("timings: " + ", ".join(f"{name} {t - s:.1f} s" for (name, t), s in zip(laps, start)),
                      highlight=False)


def _claim_output(out: Path) -> ExitStack:
    """The block that writes into ``out`` holds it (:func:`kg.outdir.claim_output`), or one line, exit 2."""
    held = ExitStack()
    try:
        held.enter_context(claim_output(out))
    except FolderError as exc:
        fail(str(exc))
    return held


MAP_MAX_TRIPLES = 300_000  # kg build draws the map up to this size (it is drawn from an rdflib graph)


def _curation_for(curation_file: Optional[Path], paths: list[Path]):
    """The curation to apply: --curation FILE, else the first input folder's curation.yaml, else None."""
    from kg.curation import CURATION_FILE, CurationError, load_curation

    if curation_file is None:
        found = [p / CURATION_FILE for p in paths if p.is_dir() and (p / CURATION_FILE).is_file()]
        if not found:
            return None
        curation_file = found[0]
    elif not curation_file.is_file():
        fail(f"{curation_file}: no such curation file")
    try:
        return load_curation(curation_file)
    except CurationError as exc:
        fail(str(exc))


def _read_inputs(paths: list[Path], strict: bool, max_file_mb: float, workers: int = 1) -> tuple[list, list[str]]:
    """The documents to build and one line per input file that cannot be read. Stops the build (exit 2)
    when nothing can be read, or with ``strict`` when anything cannot: then a single bad file gets a
    single line (naming it and the reason), several get one line each and a last line saying why."""
    from kg.ingest import InputError, read_documents

    try:
        docs, problems, n_files = read_documents(paths, max_file_mb or None, workers)
    except InputError as exc:
        fail(str(exc))
    if not n_files:
        fail("no *.txt files found in " + ", ".join(map(str, paths)))
    if problems and (strict or not docs):
        why = ("--strict refuses any unreadable input" if docs else "nothing to build") + "; nothing was written"
        if len(problems) == 1:
            fail(f"{problems[0]} ({why})")
        for line in problems:
            warn("cannot read", line)
        fail(f"{len(problems)} of {n_files} input files could not be read ({why})")
    for line in problems:
        warn("skipped", line)
    from kg.recognize import page_homes

    return page_homes(docs), problems  # before the cache keys: an article's facts depend on its page's home


def _summary(summary, docs: list, skipped: list[str], seconds: float, out: Path) -> None:
    """The build's table from a :class:`kg.writer.GraphSummary` (counted in the store)."""
    classes, rels = summary.classes, summary.relations
    files = len({d.source for d in docs})
    read = f"{files} documents read" + (f" ({len(docs)} articles)" if len(docs) != files else "")
    table = Table(title=read + (f", {len(skipped)} skipped" if skipped else "")
                  + f" in {seconds:.1f} s", show_header=True)
    table.add_column("entities")
    table.add_column("n", justify="right")
    table.add_column("relations")
    table.add_column("n", justify="right")
    rows = max(len(classes), len(rels))
    ck, rk = list(classes.items()), list(rels.items())
    for i in range(rows):
        c = ck[i] if i < len(ck) else ("", "")
        r = rk[i] if i < len(rk) else ("", "")
        table.add_row(str(c[0]), str(c[1]), str(r[0]), str(r[1]))
    out_console.print(table)
    for line in skipped:  # the files left out, again where the result is reported
        out_console.print(f"skipped: {one_line(line)}", highlight=False, soft_wrap=True)
    out_console.print(f"wrote {out / 'graph.ttl'} ({summary.triples} triples)" + ("" if not (out / "graph.html").exists() else f" and {out / 'graph.html'}"))


@app.command()
def validate(
    graph: Path = typer.Argument(..., help="A Turtle file written by kg build."),
) -> None:
    """Check a graph against the contract's SHACL shapes (ontology/shapes.ttl); exit 1 on violations."""
    from kg.validate import validate_file

    if not graph.is_file():
        fail(f"{graph}: no such file")
    try:
        result = validate_file(graph)
    except Exception as exc:  # a parse error in the Turtle
        fail(f"{graph}: cannot read as RDF ({first_line(exc)})")
    if result.conforms:
        out_console.print(f"[green]conforms[/]: {graph} satisfies the contract's shapes")
        return
    out_console.print(result.report)
    console.print(f"[red]{result.violations} violation(s)[/] in {graph}")
    raise typer.Exit(1)


_SURROGATE = re.compile("[\ud800-\udfff]")


def ner_entities(nlp, text: str, city: str | None = None, guesses: bool = True) -> list[dict]:
    """What ``kg ner`` says about one text: ``start``/``end`` (characters of ``text``), ``label``, ``text``,
    and ``guess`` (true) on the tagger's unconfirmed guesses, left out when ``guesses`` is False.
    Lone surrogates (``"\\ud800"`` in JSON) are read as U+FFFD, one character for one, so the offsets
    still index ``text``."""
    from kg.nlp import annotate

    doc = annotate(nlp, _SURROGATE.sub("\ufffd", text), home_city=city)
    return [{"start": m.start, "end": m.end, "label": m.label, "text": text[m.start:m.end],
             **({} if m.confirmed else {"guess": True})}
            for m in doc.user_data["mentions"] if not m.nested and m.label in NER_LABELS
            and (guesses or m.confirmed)]


NER_LABELS = ("Person", "Enterprise", "GovernmentBody", "Institution", "IndustrialPark", "Project", "Place", "Post",
              "Location", "Organization")


@app.command()
def ner(
    source: str = typer.Argument("-", help="A JSONL file of {\"text\": ...} lines, or - for standard input."),
    city: Optional[str] = typer.Option(None, "--city", help="Home city (resolves 市委, 本报 …); detected per text when not given."),
    fast: bool = typer.Option(False, "--fast", help="Rules only: skip the statistical tagger."),
    passes: Optional[str] = typer.Option(
        None, "--passes", metavar="A,B,...",
        help="Run only these recognition passes (comma-separated names, run in their usual order; "
             "see --list-passes). Default: all."),
    list_passes: bool = typer.Option(False, "--list-passes", help="List the recognition passes in order and exit."),
    guesses: bool = typer.Option(
        True, "--guesses/--no-guesses",
        help="Also report the trained tagger's unconfirmed guesses (marked \"guess\": true); --no-guesses keeps "
             "only what kg build uses."),
) -> None:
    """Named entities of each text, one JSON line per input line (same recognizer as kg build):

    {"text": ..., "entities": [{"start": 0, "end": 2, "label": "Person", "text": "程宇"}]}

    Offsets are characters, end exclusive; labels are the 7 entity classes, Post (a title), Location (a
    geographic name outside the divisions: a river, a region) and Organization (no finer class known; the
    graph keeps only the 7 classes). An entity with "guess": true is a span the trained tagger found where
    no rule did and that failed the checks a graph name must pass (an unknown surname, a firm without a
    head word, a title with no person after it): kg build leaves it out of the graph.

    Example:  echo '{"text": "副市长司马江出席会议。"}' | kg ner --city 辽源市

    Example:  echo '{"text": "副市长司马江出席会议。"}' | kg ner --passes posts,persons
    """
    import json

    from kg.nlp import make_nlp
    from kg.recognize import ordered_passes, select_passes

    if list_passes:
        for p in ordered_passes():
            needs = f" (needs {', '.join(p.requires)})" if p.requires else ""
            typer.echo(f"{p.name}\t{p.stage}\t{p.summary}{needs}")
        return
    chosen = None
    if passes is not None:
        try:
            chosen = tuple(p.name for p in select_passes([n.strip() for n in passes.split(",") if n.strip()]))
        except ValueError as exc:
            fail(f"--passes: {exc}")
    try:
        stream = sys.stdin.buffer if source == "-" else open(source, "rb")
    except OSError as exc:
        fail(f"{source}: cannot read ({exc.strerror or exc})")
    nlp = make_nlp(fast=fast) if chosen is None else make_nlp(fast=fast, passes=chosen)
    with stream:
        for n, raw in enumerate(stream, 1):
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError:
                fail(f"{source} line {n}: not UTF-8 text")
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                text = record["text"]
                if not isinstance(text, str):
                    raise TypeError
            except (json.JSONDecodeError, KeyError, TypeError):
                fail(f"{source} line {n}: expected a JSON object with a string field \"text\"")
            ents = ner_entities(nlp, text, city, guesses)
            out = json.dumps({**record, "entities": ents}, ensure_ascii=False)
            try:
                data = out.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate (\\ud800) in the input: keep it escaped
                data = json.dumps({**record, "entities": ents}).encode("ascii")
            sys.stdout.buffer.write(data + b"\n")
        sys.stdout.flush()


@app.command()
def explain(
    name: str = typer.Argument(..., help="A name or alias as it appears in the graph (程宇, 一汽, 高新区 …)."),
    graph: Path = typer.Option(Path("out/graph.ttl"), "--graph", "-g", help="The Turtle file written by kg build."),
) -> None:
    """Everything the graph says about NAME — class, aliases, documents, and every fact with the
    sentence and document it came from. Check this before citing an edge.

    Example:  kg explain 程宇 --graph out/graph.ttl
    """
    from rdflib import Graph

    from kg.explain import explain as explain_name

    if not graph.is_file():
        fail(f"{graph}: no such file (build one with: kg build seeds -o out)")
    g = Graph()
    try:
        g.parse(graph, format="turtle")
    except Exception as exc:
        fail(f"{graph}: cannot read as Turtle ({first_line(exc)})")
    found = explain_name(g, name)
    if not found:
        fail(f"no entity named {name!r} in {graph}")
    for ex in found:
        head = f"[bold]{ex.label}[/]" + (f" ({ex.english})" if ex.english else "") + f"  [cyan]{ex.cls}[/]"
        out_console.print(head)
        out_console.print(f"  IRI: {ex.iri}", highlight=False)
        if ex.aliases:
            out_console.print("  aliases: " + "、".join(ex.aliases), highlight=False)
        out_console.print("  mentioned in: " + "; ".join(ex.documents), highlight=False)
        if not ex.facts:
            out_console.print("  (no facts)")
        for f in ex.facts:
            arrow = f"{f.relation} → {f.other}" if f.direction == "→" else f"{f.other} → {f.relation} → {ex.label}"
            out_console.print(f"  • {arrow}", highlight=False)
            for src in f.sources:
                when = f", {src.date}" if src.date else ""
                out_console.print(f"      “{src.sentence}”  — {src.document}{when} [{src.start}:{src.end}]",
                                  highlight=False)
        out_console.print()


@app.command()
def viz(
    graph: Path = typer.Argument(..., help="A Turtle file written by kg build."),
    out: Path = typer.Option(Path("map.html"), "--out", "-o", help="The HTML map to write (replaced atomically)."),
    focus: Optional[str] = typer.Option(None, "--focus", "-f", help="Only this entity (name or alias) and its neighbourhood."),
    depth: int = typer.Option(2, "--depth", "-d", help="With --focus: how many steps from it (0 = the entity alone)."),
    classes: Optional[str] = typer.Option(None, "--classes", "-c", help="Only these classes, comma-separated (Person,Enterprise,…; 人物,企业 … too)."),
    max_nodes: int = typer.Option(2000, "--max-nodes", "-n", help="At most this many nodes: the most connected are kept, and the page says so."),
) -> None:
    """Write the offline relationship map of a graph: nodes by class, edges labelled in Chinese (toggle to
    English), search by name or alias, class and relation filters, and a side panel with every fact of a
    clicked node and its evidence sentences. Above 1,000 nodes the layout is computed here, not in the browser.

    Examples:
      kg viz out/graph.ttl -o map.html
      kg viz out/graph.ttl -o chengyu.html --focus 程宇 --depth 2
      kg viz out/graph.ttl -o firms.html --classes Enterprise,Project,IndustrialPark --max-nodes 500
    """
    from rdflib import Graph

    from kg.viz import MapError, write_map

    if not graph.is_file():
        fail(f"{graph}: no such file")
    if depth < 0:
        fail(f"--depth must be 0 or more, not {depth}")
    if max_nodes < 1:
        fail(f"--max-nodes must be at least 1, not {max_nodes}")
    g = Graph()
    try:
        g.parse(graph, format="turtle")
    except Exception as exc:  # rdflib raises many kinds on a non-Turtle file
        fail(f"{graph}: cannot read as Turtle ({first_line(exc)})")
    wanted = [c for c in classes.split(",") if c.strip()] if classes is not None else None
    try:
        stats = write_map(g, out, focus=focus, depth=depth, classes=wanted, max_nodes=max_nodes,
                          source=graph)  # never over the graph itself, nor over a file that is not a page
    except MapError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{out}: cannot write ({exc.strerror or exc})")
    shown = f"{stats['nodes']} nodes" + (f" of {stats['total_nodes']}" if stats["nodes"] < stats["total_nodes"] else "")
    out_console.print(f"wrote {out}: {shown}, {stats['edges']} edges, {stats['layout']} layout", highlight=False)


def _open_store(graph: Optional[Path], store: Optional[Path]):
    """The store to query: --store DIR (persisted), --graph FILE (loaded in memory), else out/store."""
    from kg.store import memory_store, open_store

    if store is not None and graph is not None:
        fail("give --graph or --store, not both")
    if graph is not None:
        if not graph.is_file():
            fail(f"{graph}: no such file")
        try:
            return memory_store(graph)
        except (SyntaxError, OSError, ValueError) as exc:
            fail(f"{graph}: cannot read as RDF ({first_line(exc)})")
    store = store or Path("out/store")
    if not store.is_dir():
        fail(f"{store}: no store here (build one: kg build seeds -o out, or kg load GRAPH --store DIR)")
    try:
        return open_store(store)
    except OSError as exc:
        fail(first_line(exc))


@app.command()
def load(
    graph: Path = typer.Argument(..., help="A Turtle (.ttl) or N-Triples (.nt) file."),
    store: Path = typer.Option(..., "--store", "-s", help="The store folder to (re)build."),
) -> None:
    """Load a graph into a persistent SPARQL store (replaced only when the load completes).

    Example:  kg load out/graph.ttl --store out/store
    """
    from kg.store import build_store

    if not graph.is_file():
        fail(f"{graph}: no such file")
    t0 = time.perf_counter()
    held = ExitStack()
    parent = Path(os.path.abspath(store)).parent
    try:
        check_store_target(store)  # never a folder kg did not make: refused before anything is read
        if (parent / OUTPUT_MARKER).is_file():  # OUT/store: not while a build writes into OUT
            held.enter_context(lock_output(parent))
    except FolderError as exc:
        fail(str(exc))
    with held:
        try:
            n = build_store(graph, store)
        except FolderError as exc:
            fail(str(exc))
        except (SyntaxError, OSError, ValueError) as exc:
            fail(f"{graph}: cannot load ({first_line(exc)})")
    out_console.print(f"loaded {n} triples into {store} in {time.perf_counter() - t0:.1f} s")


@app.command()
def query(
    query_text: str = typer.Argument(..., metavar="QUERY|FILE.rq", help="A SPARQL query, or a .rq file holding one."),
    graph: Optional[Path] = typer.Option(None, "--graph", "-g", help="Query this Turtle file (loaded in memory)."),
    store: Optional[Path] = typer.Option(None, "--store", "-s", help="Query this store folder (default out/store)."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv, tsv or json (SELECT/ASK); turtle, nt or jsonld (CONSTRUCT/DESCRIBE)."),
    limit: int = typer.Option(100_000, "--limit", min=1, help="At most this many rows."),
) -> None:
    """Ask the graph a SPARQL question (SELECT, ASK, CONSTRUCT, DESCRIBE). The prefixes kgo, kgr, org,
    prov, skos, dcterms, rdf, rdfs and xsd are predeclared.

    Examples:
      kg query 'SELECT ?name WHERE { ?p a kgo:Person ; rdfs:label ?name }'
      kg query queries/01_posts_by_official.rq --format csv > posts.csv
    """
    from kg.store import QueryError, run_query

    path = Path(query_text)
    if query_text.endswith(".rq") or (len(query_text) < 256 and "\n" not in query_text and path.is_file()):
        if not path.is_file():
            fail(f"{path}: no such file")
        try:
            query_text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"{path}: cannot read the query ({getattr(exc, 'strerror', None) or exc})")
    db = _open_store(graph, store)
    try:
        result = run_query(db, query_text, limit)
    except QueryError as exc:
        fail(f"malformed query: {exc}")
    if fmt == "table":
        if result.kind == "graph":
            fmt = "turtle"
        elif result.kind == "ask":
            out_console.print("true" if result.boolean else "false")
            return
        else:
            table = Table(show_header=True, header_style="bold")
            for v in result.variables:
                table.add_column(v, overflow="fold")
            for row in result.rows:
                table.add_row(*["" if x is None else x for x in row])
            out_console.print(table)
            console.print(f"{len(result.rows)} row(s)")
            return
    try:
        body, _ = result.serialize(fmt)
    except QueryError as exc:
        fail(str(exc))
    sys.stdout.buffer.write(body)
    sys.stdout.flush()


@app.command()
def serve(
    graph: Optional[Path] = typer.Option(None, "--graph", "-g", help="Serve this Turtle file (loaded in memory)."),
    store: Optional[Path] = typer.Option(None, "--store", "-s", help="Serve this store folder (default out/store)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (loopback unless told otherwise)."),
    port: int = typer.Option(7878, "--port", "-p", min=0, max=65535, help="Port (0: any free port)."),
    timeout: float = typer.Option(30.0, "--timeout", min=0.001, help="Seconds a query may take (waiting included); then its worker is killed and the answer is 503."),
    max_rows: int = typer.Option(10_000, "--max-rows", min=1, help="Most rows (or triples) one answer returns."),
    cors: Optional[str] = typer.Option(None, "--cors", metavar="ORIGIN", help="Send CORS headers allowing this origin (e.g. https://yasgui.org), or '*' for any web page; default none, so other web pages cannot read the answers."),
    workers: int = typer.Option(0, "--workers", min=0, max=64, help="Query worker processes, each with its own read-only copy of the store (0: by the CPU count, 2 to 4)."),
    max_queue: int = typer.Option(64, "--max-queue", min=1, help="Queries that may wait for a worker; more are answered 503 with Retry-After."),
    max_query_mb: int = typer.Option(512, "--max-query-mb", min=64, help="Memory (RSS, MB) a query's worker may reach, the store it holds included; past it the query is stopped (503) and the worker replaced."),
    max_result_mb: int = typer.Option(64, "--max-result-mb", min=1, help="Largest answer (MB, serialised); a larger one is 503."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log every request."),
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint at http://HOST:PORT/sparql (GET ?query=,
    POST form or application/sparql-query; JSON, XML, CSV, TSV, Turtle, N-Triples, JSON-LD by
    content negotiation), with a query page at /. SPARQL Update is refused (403), SERVICE too (403: the
    endpoint never sends requests to other servers). Each query runs in a worker process that is killed at
    --timeout, past --max-query-mb or when its client disconnects; CORS headers only with --cors.

    Example:  kg serve --store out/store --port 7878 --cors https://yasgui.org
    """
    from kg.server import EndpointConfig, make_server

    if cors is not None and cors != "*" and not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+", cors):
        fail(f"--cors {cors!r}: give an origin such as https://yasgui.org (scheme://host[:port]), or '*'")
    db = _open_store(graph, store)  # one-line errors for a missing or broken store before any worker starts
    del db
    source = graph if graph is not None else (store or Path("out/store"))
    config = EndpointConfig(timeout=timeout, max_rows=max_rows, cors=cors, workers=workers, max_queue=max_queue,
                            max_query_mb=max_query_mb, max_result_mb=max_result_mb)
    try:
        server = make_server(source, host, port, config, verbose)
    except ValueError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot listen on {host}:{port} ({getattr(exc, 'strerror', None) or first_line(exc)})")
    out_console.print(f"SPARQL endpoint at http://{host}:{server.server_address[1]}/sparql — query page at "
                      f"http://{host}:{server.server_address[1]}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


DEFAULT_GRAPH_IRI = "https://w3id.org/zhengqi/graph"


@app.command()
def push(
    graph: Path = typer.Argument(..., help="The graph to send: Turtle (.ttl), N-Triples (.nt) or another RDF file."),
    endpoint: str = typer.Option(..., "--endpoint", "-e", help="The triple store's base URL, e.g. http://127.0.0.1:8890 (Virtuoso)."),
    graph_iri: str = typer.Option(DEFAULT_GRAPH_IRI, "--graph-iri", help="The named graph to fill; it is replaced, not added to."),
    user: Optional[str] = typer.Option(None, "--user", "-u", help="User for HTTP digest (or Basic) authentication, e.g. dba."),
    password: Optional[str] = typer.Option(None, "--password", "-p", envvar="KG_PUSH_PASSWORD",
                                           help="Password (or set KG_PUSH_PASSWORD, which keeps it out of the shell history)."),
    method: str = typer.Option("auto", "--method", help="auto (Graph Store Protocol, else SPARQL Update), gsp or update."),
    batch_size: int = typer.Option(5000, "--batch-size", help="Triples per INSERT DATA request (update method); halved automatically when the store refuses a batch as too big."),
    timeout: float = typer.Option(120.0, "--timeout", help="Seconds for the whole push, all requests together (not per request or per read): past it the connections are dropped and the push fails."),
    graph_store_url: Optional[str] = typer.Option(None, "--graph-store-url", help="Graph Store endpoint of a non-Virtuoso store (Fuseki: http://HOST:3030/DS/data; GraphDB: .../repositories/R/rdf-graphs/service)."),
    update_url: Optional[str] = typer.Option(None, "--update-url", help="SPARQL Update endpoint of a non-Virtuoso store (Fuseki: http://HOST:3030/DS/update)."),
) -> None:
    """Load a graph into an external triple store over HTTP: one PUT with the SPARQL 1.1 Graph Store
    Protocol, or (fallback, or --method update) CLEAR + INSERT DATA in batches. Either way the named
    graph ends up holding exactly this graph. The defaults fit OpenLink Virtuoso.

    Only a 2xx answer to the PUT/POST itself counts as success. No redirect is followed: a 3xx answer is an error naming its Location (give that URL with --endpoint, --graph-store-url or --update-url if it is the store), so the graph and the credentials go nowhere but to the URLs you gave. --timeout is the total for the whole push (a server that drips its answer cannot stretch it), and of an answer at most the first 64 KB are read (an error shows its first line).

    Examples:
      kg push out/graph.ttl --endpoint http://127.0.0.1:8890 --user dba --password dba
      kg push out/graph.ttl -e http://localhost:3030 --graph-store-url http://localhost:3030/kg/data \\
              --update-url http://localhost:3030/kg/update --graph-iri urn:zhengqi:liaoyuan
    """
    from kg.push import PushError, push_graph

    if not graph.is_file():
        fail(f"{graph}: no such file")
    if user is not None and password is None:
        fail("--user needs --password (or the KG_PUSH_PASSWORD environment variable)")
    try:
        result = push_graph(graph, endpoint, graph_iri, user=user, password=password, method=method,
                            batch_size=batch_size, timeout=timeout, graph_store_url=graph_store_url,
                            update_url=update_url)
    except PushError as exc:
        fail(str(exc))
    how = ("Graph Store PUT" if result.method == "gsp"
           else f"SPARQL Update in {result.batches} batch(es)")
    out_console.print(f"pushed {result.triples} triples to <{result.graph_iri}> at {result.url} "
                      f"({how}, HTTP {result.status}) in {result.seconds:.1f} s", highlight=False)


def _read_rdf(graph: Path):
    """GRAPH parsed for kg export / kg stats, or one line of error (exit 2)."""
    from kg.export import load_graph

    if not graph.exists():
        fail(f"{graph}: no such file (build one with: kg build seeds -o out)")
    if not graph.is_file():
        fail(f"{graph}: not a file (give the graph file, e.g. out/graph.ttl)")
    try:
        g = load_graph(graph)
    except Exception as exc:  # rdflib's parsers raise many kinds
        detail = " ".join(str(exc).split()) or type(exc).__name__
        fail(f"{graph}: cannot read as RDF ({detail[:200]})")
    return g


@app.command("export")
def export_graph(
    graph: Path = typer.Argument(..., metavar="GRAPH", help="The graph: OUT/graph.ttl from kg build (or another Turtle, N-Triples, RDF/XML or JSON-LD file)."),
    formats: list[str] = typer.Option(["csv"], "--format", "-f", help="csv, graphml, gexf, jsonld, trig, nt, or all. Repeat (-f csv -f gexf) or separate by commas (-f csv,gexf)."),
    out: Path = typer.Option(Path("export"), "--out", "-o", help="Folder to write into (created if missing; files of the same name are replaced)."),
) -> None:
    """Export the graph for other tools, each file written atomically into OUT:

    csv: nodes.csv (id, class, label_zh, label_en, pinyin, aliases, first_date, last_date, mentions) and edges.csv (source, target, relation, role, date, document, evidence …; a row per evidence sentence), UTF-8 with BOM, for pandas, R, Stata and Excel.
    graphml, gexf: the entity network with class and label attributes, for Gephi, networkx, igraph.
    jsonld (compact context), trig (a named graph per source document), nt (sorted N-Triples): RDF for other stores.

    Examples:
      kg export out/graph.ttl -f csv -o export     (then: pandas.read_csv("export/edges.csv"))
      kg export out/graph.ttl -f graphml,gexf -o gephi
      kg export out/graph.ttl -f all -o export
    """
    from kg.export import FORMATS, export as write_exports

    chosen = [f.strip().lower() for item in formats for f in item.split(",") if f.strip()]
    if "all" in chosen:
        chosen = list(FORMATS)
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        fail(f"unknown format {unknown[0] if unknown else ''!r}: choose from {', '.join(FORMATS)} or all")
    if out.exists() and not out.is_dir():
        fail(f"{out}: exists and is not a folder")
    g = _read_rdf(graph)
    from rdflib.namespace import RDF

    from kg.vocab import ENTITY_CLASSES, KGO

    if not any((None, RDF.type, KGO[c]) in g for c in ENTITY_CLASSES):
        console.print(f"[yellow]warning:[/] {graph} has no entities of the contract's classes", highlight=False)
    try:
        written = write_exports(g, chosen, out)
    except OSError as exc:
        fail(f"{out}: cannot write ({exc.strerror or exc})")
    for path in written:
        out_console.print(f"wrote {path} ({path.stat().st_size:,} bytes)", highlight=False)


@app.command()
def stats(
    graph: Path = typer.Argument(..., metavar="GRAPH", help="The graph: OUT/graph.ttl from kg build."),
    as_json: bool = typer.Option(False, "--json", help="Print the same content as JSON (for scripts)."),
    top: int = typer.Option(10, "--top", "-n", min=1, help="How many officials and enterprises to rank."),
) -> None:
    """What the graph holds: entities per class, relations per kind, the most central officials and
    enterprises (degree = distinct neighbours, betweenness = normalised betweenness centrality, on the
    entity network taken as undirected) and its connected components.

    Examples:
      kg stats out/graph.ttl
      kg stats out/graph.ttl --top 20 --json > stats.json
    """
    import json

    from kg.stats import graph_stats

    s = graph_stats(_read_rdf(graph), top=top)
    if as_json:
        sys.stdout.write(json.dumps(s, ensure_ascii=False, indent=2) + "\n")
        return
    out_console.print(f"[bold]{graph}[/]: {s['triples']:,} triples, {s['documents']} documents, "
                      f"{s['evidence']} evidence sentences; network of {s['network']['nodes']} nodes and "
                      f"{s['network']['links']} links", highlight=False)
    counts = Table(show_header=True, header_style="bold")
    for col, justify in (("class", "left"), ("n", "right"), ("relation", "left"), ("n", "right")):
        counts.add_column(col, justify=justify)
    ents, rels = list(s["entities"].items()), list(s["relations"].items())
    for i in range(max(len(ents), len(rels))):
        c = ents[i] if i < len(ents) else ("", "")
        r = rels[i] if i < len(rels) else ("", "")
        counts.add_row(str(c[0]), str(c[1]), str(r[0]), str(r[1]))
    out_console.print(counts)
    for key, title, extra in (("top_persons", "Most central officials", "pinyin"),
                              ("top_enterprises", "Most central enterprises", "label_en")):
        table = Table(title=title, show_header=True, header_style="bold", title_justify="left")
        for col, justify in (("#", "right"), ("name", "left"), (extra.replace("label_en", "English"), "left"),
                             ("degree", "right"), ("betweenness", "right")):
            table.add_column(col, justify=justify, overflow="fold")
        for rank, row in enumerate(s[key], 1):
            table.add_row(str(rank), row["label"], row[extra] or "", str(row["degree"]), f"{row['betweenness']:.4f}")
        out_console.print(table)
    comp = s["components"]
    out_console.print(f"components: {comp['count']} (largest {comp['largest']} nodes, {comp['isolated']} isolated); "
                      f"largest sizes {', '.join(map(str, comp['sizes']))}", highlight=False)


def main() -> None:  # pragma: no cover
    """The ``kg`` command. Once a command is over (done, failed or interrupted: its outputs are whole), a
    Ctrl-C or SIGTERM during the interpreter's shutdown no longer turns its exit status into a signal's."""
    try:
        app(prog_name="kg")
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
