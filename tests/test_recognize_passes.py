"""Recognition as declared passes: the registry, a chosen subset (API and `kg ner --passes`), the
swappable overlap filter, and a lexicon that is loaded on first use, never when kg.recognize is imported."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.recognize import FILTERS, Home, Mention, Recognizer, overlap_filter, pass_names, select_passes

ROOT = Path(__file__).resolve().parent.parent
ORDER = ("suffix-names", "quoted-names", "industry-firms", "model-firms", "context-names", "known-names", "agreements", "posts",
         "persons", "enumerations", "tagger", "person-lists", "departments", "body-units", "subsidiaries", "nested", "project-owners", "places",
         "tagger-guesses")
TEXT = "本报讯 辽源市人民政府与鑫达钢铁有限公司签署《战略合作协议》。副市长司马江在梨树县出席。"


def kg(*args, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


def test_the_registry_lists_the_passes_in_running_order():
    assert pass_names() == ORDER
    assert [p.name for p in select_passes()] == list(ORDER)
    assert [p.name for p in select_passes(["places", "persons", "posts"])] == ["posts", "persons", "places"]


def test_list_passes_prints_them_in_order():
    proc = kg("ner", "--list-passes")
    assert proc.returncode == 0, proc.stderr
    assert tuple(line.split("\t")[0] for line in proc.stdout.splitlines()) == ORDER


def test_ner_with_posts_and_persons_finds_exactly_the_post_and_the_person():
    proc = kg("ner", "--passes", "posts,persons", stdin=json.dumps({"text": "副市长司马江出席会议。"}) + "\n")
    assert proc.returncode == 0, proc.stderr
    (record,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert record["entities"] == [{"start": 0, "end": 3, "label": "Post", "text": "副市长"},
                                  {"start": 3, "end": 6, "label": "Person", "text": "司马江"}]


@pytest.mark.parametrize("passes, words", [("posts,persns", ["unknown pass 'persns'", "suffix-names", "places"]),
                                           ("persons", ["'persons' needs 'posts'"]),
                                           (",", ["no pass given"])])
def test_a_bad_pass_list_is_a_one_line_error(passes, words):
    proc = kg("ner", "--passes", passes, stdin=json.dumps({"text": "市长程宇出席。"}) + "\n")
    assert proc.returncode == 2
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and all(w in errors[0] for w in words), proc.stderr


def test_a_subset_runs_only_its_passes():
    home = Home.of_city("辽源市")
    everything = Recognizer().find(TEXT, home)
    assert Recognizer(passes=ORDER).find(TEXT, home) == everything
    assert {m.label for m in everything} >= {"GovernmentBody", "Enterprise", "Agreement", "Post", "Person", "Place"}
    assert {m.label for m in Recognizer(passes=["places"]).find(TEXT, home)} == {"Place"}
    assert [(m.text, m.label) for m in Recognizer(passes=["agreements"]).find(TEXT, home)] \
        == [("战略合作协议", "Agreement")]
    with pytest.raises(ValueError, match="unknown pass 'agreement'.*known-names"):
        Recognizer(passes=["agreement"])


def test_the_overlap_filter_is_swappable():
    @overlap_filter("test-keep-all")
    def keep_all(cands: list[Mention]) -> list[Mention]:
        return sorted(cands, key=lambda m: m.start)

    try:
        home = Home.of_city("辽源市")
        chosen = Recognizer(passes=["suffix-names", "industry-firms"]).find(TEXT, home)
        everything = Recognizer(passes=["suffix-names", "industry-firms"], overlap="test-keep-all").find(TEXT, home)
        assert [m.text for m in chosen] == ["辽源市人民政府", "鑫达钢铁有限公司"]
        assert "鑫达钢铁" in [m.text for m in everything]  # the firm's shorter candidate, overlapped
        with pytest.raises(ValueError, match="unknown overlap filter 'longest'.*longest-first"):
            Recognizer(overlap="longest")
    finally:
        del FILTERS["test-keep-all"]


def test_importing_kg_recognize_loads_no_lexicon():
    probe = (
        "import sys, kg.resources as r, kg.gazetteer as g\n"
        "import kg.recognize as rec\n"
        "loaded = [f.__name__ for f in (r.load_lines, r.load_cues, g.gazetteer, rec.shared_lexicon, rec.titles,"
        " rec.known_entities, rec.suffix_table) if f.cache_info().currsize]\n"
        "jieba = sys.modules.get('jieba')\n"
        "print(loaded, bool(jieba and jieba.dt.initialized))\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[] False"


def test_a_change_to_a_pass_changes_the_extraction_cache_key(tmp_path, monkeypatch):
    import shutil

    from kg import cache

    copy = tmp_path / "kg"
    shutil.copytree(ROOT / "kg", copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PACKAGE", copy)
    cache.extractor_version.cache_clear()
    try:
        before = cache.extractor_version()
        places = copy / "recognize" / "places.py"
        places.write_text(places.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
        cache.extractor_version.cache_clear()
        assert cache.extractor_version() != before
    finally:
        cache.extractor_version.cache_clear()


GUESS_TEXT = "招行的利息收入增长。高勇，男，现任华锐风电董事长。"


def test_kg_ner_reports_the_taggers_guesses_and_the_graph_leaves_them_out(tmp_path):
    """A firm named without a head word (招行, 华锐风电) is a guess of the trained tagger: kg ner reports it
    typed by the tagger's organisation typer and marked "guess"; --no-guesses and kg build leave it out, and
    the person the tagger found (高勇, a known surname) is confirmed."""
    proc = kg("ner", stdin=json.dumps({"text": GUESS_TEXT}) + "\n")
    assert proc.returncode == 0, proc.stderr
    ents = {e["text"]: e for e in json.loads(proc.stdout)["entities"]}
    assert ents["招行"]["label"] == "Enterprise" and ents["招行"]["guess"] is True
    assert ents["华锐风电"].get("guess") is True
    assert ents["高勇"]["label"] == "Person" and "guess" not in ents["高勇"]
    proc = kg("ner", "--no-guesses", stdin=json.dumps({"text": GUESS_TEXT}) + "\n")
    names = {e["text"] for e in json.loads(proc.stdout)["entities"]}
    assert "招行" not in names and "华锐风电" not in names and "高勇" in names
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(GUESS_TEXT, encoding="utf-8")
    proc = kg("build", tmp_path / "in", "-o", tmp_path / "out", "--no-store", "--no-map", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    ttl = (tmp_path / "out" / "graph.ttl").read_text(encoding="utf-8")
    assert '"高勇"' in ttl and '"招行"' not in ttl and '"华锐风电"' not in ttl  # labels; the text is stored too
