"""`kg ner` (JSONL in, entities out) and `kg explain` (a node with its evidence), as a user runs them."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [
    "本报讯（记者 张伟）3月5日，长春市人民政府与一汽解放集团签署战略合作协议。",
    "市委副书记、市长刘刚出席并见证签约。",
    "吉林化纤集团有限责任公司董事长宋德武说，公司将加快建设年产10万吨碳纤维项目。",
]


def kg(*args, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


@pytest.fixture(scope="module")
def ner_lines():
    proc = kg("ner", "--city", "长春市", stdin="".join(json.dumps({"text": t, "id": i}, ensure_ascii=False) + "\n"
                                                    for i, t in enumerate(TEXTS)))
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_ner_one_line_per_input_with_the_input_kept(ner_lines):
    assert [r["id"] for r in ner_lines] == [0, 1, 2]
    assert [r["text"] for r in ner_lines] == TEXTS


def test_ner_spans_slice_the_text_and_use_the_contract_labels(ner_lines):
    allowed = {"Person", "Enterprise", "GovernmentBody", "Institution", "IndustrialPark", "Project", "Place", "Post",
               "Location", "Organization"}  # the last two: kg ner only, never graph nodes
    for rec in ner_lines:
        for e in rec["entities"]:
            assert rec["text"][e["start"]:e["end"]] == e["text"]
            assert e["label"] in allowed


def test_ner_finds_the_people_posts_and_bodies(ner_lines):
    found = {(e["text"], e["label"]) for rec in ner_lines for e in rec["entities"]}
    assert ("张伟", "Person") in found
    assert ("刘刚", "Person") in found and ("市长", "Post") in found
    assert ("长春市人民政府", "GovernmentBody") in found
    assert ("宋德武", "Person") in found and ("董事长", "Post") in found
    assert ("吉林化纤集团有限责任公司", "Enterprise") in found


def test_ner_bad_line_is_a_one_line_error():
    proc = kg("ner", stdin='{"text": "市长程宇出席。"}\nnot json\n')
    assert proc.returncode == 2
    assert "line 2" in proc.stderr and "Traceback" not in proc.stderr
    assert len([l for l in proc.stderr.splitlines() if l.startswith("error")]) == 1


def test_ner_reads_a_file(tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps({"text": "副市长司马江出席会议。"}, ensure_ascii=False) + "\n", encoding="utf-8")
    proc = kg("ner", f, "--fast", "--city", "辽源市")
    assert proc.returncode == 0, proc.stderr
    ents = json.loads(proc.stdout)["entities"]
    assert {"start": 3, "end": 6, "label": "Person", "text": "司马江"} in ents


@pytest.fixture(scope="module")
def seeds_graph(tmp_path_factory):
    out = tmp_path_factory.mktemp("explain")
    proc = kg("build", "seeds", "-o", out, "--no-map")
    assert proc.returncode == 0, proc.stderr
    return out / "graph.ttl"


def test_explain_shows_posts_with_their_sentences(seeds_graph):
    proc = kg("explain", "程宇", "--graph", seeds_graph)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.replace("\n", "")
    assert "Person" in out
    assert "市长 → 辽源市人民政府" in out and "副书记 → 中共辽源市委" in out
    assert "市委副书记、市长程宇" in out  # the evidence sentence itself
    assert "见证 witness → 绿色零碳汽车零部件产业园区供应链试点合作框架协议" in out


def test_explain_finds_an_alias(seeds_graph):
    proc = kg("explain", "一汽", "--graph", seeds_graph)
    assert proc.returncode == 0, proc.stderr
    assert "中国一汽" in proc.stdout and "FAW" in proc.stdout


def test_explain_unknown_name_is_an_error(seeds_graph):
    proc = kg("explain", "不存在的公司", "--graph", seeds_graph)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "不存在的公司" in proc.stderr


def test_explain_missing_graph_is_an_error(tmp_path):
    proc = kg("explain", "程宇", "--graph", tmp_path / "none.ttl")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
