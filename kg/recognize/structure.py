"""The overlap filter (``longest-first``) and the passes that work on the chosen names: a firm's
``departments`` and ``subsidiaries`` (names stage), firms ``nested`` in longer names and the
``project-owners`` named at the start of a project (nested stage).

>>> from kg.recognize import Mention
>>> a, b = Mention(0, 4, "Enterprise", "厚德食品", "厚德食品"), Mention(2, 4, "Enterprise", "食品", "食品")
>>> longest_first([b, a]) == [a]
True
"""

from __future__ import annotations

import re
from dataclasses import replace

from kg.gazetteer import gazetteer
from kg.recognize.base import Mention, place_prefix
from kg.recognize.common import DEPARTMENT, FUNCTION_CHARS, dedupe, is_title_start, unknown_runs
from kg.recognize.judge import brand_like, industry_word, trade_ok
from kg.recognize.registry import Context, overlap_filter, recognizer_pass

TAGGER = "model:tagger"  # the source of the trained tagger's mentions (kg.recognize.tagged)

PRIORITY = {"Agreement": 0, "Person": 1, "Post": 2, "GovernmentBody": 3, "Institution": 3,
            "Enterprise": 4, "IndustrialPark": 4, "Project": 5, "Place": 6}
SOURCE_RANK = {"known": 0, "context": 1, "party-committee": 1, "enumeration": 2}


def source_rank(source: str) -> int:
    """Lexicon and context first, then head words, then trade names and the model."""
    if source in SOURCE_RANK:
        return SOURCE_RANK[source]
    return 6 if source.startswith(("industry:", "model")) else 5


@overlap_filter("longest-first")
def longest_first(cands: list[Mention]) -> list[Mention]:
    """Non-overlapping mentions, longest first (then by class priority and source)."""
    chosen: list[Mention] = []
    occupied: list[tuple[int, int]] = []
    for m in sorted(cands, key=lambda m: (-(m.end - m.start), source_rank(m.source), PRIORITY.get(m.label, 9), m.start)):
        if any(m.start < e and s < m.end for s, e in occupied):
            continue
        chosen.append(m)
        occupied.append((m.start, m.end))
    return sorted(chosen, key=lambda m: m.start)


@recognizer_pass("departments", stage="names")
def departments(ctx: Context) -> list[Mention]:
    """A firm's departments: 中国一汽供应部, and 战略与合作部、党委工作部 in a list after it."""
    text, names = ctx.text, ctx.names
    ruled = [o for o in names if o.source != TAGGER]  # the tagger's names give way to a rule's department
    out = list(names)
    for m in ruled:
        if m.label != "Enterprise":
            continue
        pos, parent = m.end, m
        first = True
        while True:
            d = DEPARTMENT.match(text, pos)
            if not d or (not first and text[pos - 1] != "、"):
                break
            if any(o.start < d.end() and d.start() < o.end for o in ruled if o is not m):
                break
            start = m.start if first else d.start()
            surface = text[start:d.end()]
            out.append(Mention(start, d.end(), "Enterprise", surface, parent.canonical + d.group(), "department"))
            first = False
            pos = d.end() + 1
            if text[d.end():d.end() + 1] != "、":
                break
    if len(out) == len(names):
        return names
    dept_spans = [(o.start, o.end) for o in out[len(names):]]
    kept = [o for o in names if not any(s <= o.start and o.end <= e and (s, e) != (o.start, o.end)
                                        or o.source == TAGGER and o.start < e and s < o.end for s, e in dept_spans)]
    return sorted(kept + out[len(names):], key=lambda o: o.start)


BODY_UNIT = re.compile(r"[\u4e00-\u9fff]{2,8}?(?:司|处|办公室)(?![长])")


@recognizer_pass("body-units", stage="names")
def body_units(ctx: Context) -> list[Mention]:
    """A government body's unit named right after it: 住房和城乡建设部村镇建设司, 省发改委体制改革处
    (处长 after it is a title), 住房和城乡建设部帮扶办公室; the body stays as a name nested in the unit.

    >>> from kg.recognize import Home, Recognizer
    >>> rec = Recognizer(passes=["suffix-names", "known-names", "body-units"])
    >>> [(m.text, m.nested) for m in rec.find("住房和城乡建设部村镇建设司司长出席", Home()) if m.label == "GovernmentBody"]
    [('住房和城乡建设部村镇建设司', False), ('住房和城乡建设部', True)]
    >>> [m.text for m in rec.find("科学技术部有关司负责同志", Home()) if m.label == "GovernmentBody"]
    ['科学技术部']
    """
    text, names, lx = ctx.text, ctx.names, ctx.lexicon
    out = list(names)
    for m in names:
        if m.label != "GovernmentBody" or m.nested:
            continue
        u = BODY_UNIT.match(text, m.end)
        if not u or any(o is not m and o.start < u.end() and m.end < o.end and o.label != "Post" for o in names):
            continue
        unit = u.group()
        if set(unit) & FUNCTION_CHARS or unit.startswith(("有关", "相关", "各", "该", "下属", "所属")) \
                or unit.startswith(lx.left_stops_multi) \
                or unit[:2] in lx.titles or is_title_start(text, m.end, lx.title_automaton):
            continue  # 省政府办公厅: a title or a verb is no unit (市政府常务会议 has no head)
        out.remove(m)
        out.append(Mention(m.start, u.end(), "GovernmentBody", text[m.start:u.end()], m.canonical + unit, "body-unit"))
        out.append(replace(m, nested=True))
    return sorted(out, key=lambda o: o.start)


@recognizer_pass("subsidiaries", stage="names")
def subsidiaries(ctx: Context) -> list[Mention]:
    """A firm's unit named right before a title: 一汽解放副总经理 → 一汽解放 (a unit of 中国一汽)."""
    text, names, generic = ctx.text, ctx.names, ctx.lexicon.generic
    starts = {m.start: m for m in names}
    out = list(names)
    for m in names:
        if m.label != "Enterprise":
            continue
        for n in (4, 3, 2):
            post = starts.get(m.end + n)
            ext = text[m.end:m.end + n]
            if post is not None and post.label == "Post" and re.fullmatch(r"[\u4e00-\u9fff]+", ext) \
                    and not any(o.start < m.end + n and m.end < o.end for o in names if o is not post) \
                    and ext not in generic and not ext.startswith(("党委", "党组", "公司", "集团")) \
                    and not set(ext) & FUNCTION_CHARS and "部门" not in ext and m.source != "department":
                out.remove(m)
                out.append(Mention(m.start, m.end + n, "Enterprise", text[m.start:m.end + n],
                                   m.canonical + ext, "subsidiary"))
                out.append(replace(m, nested=True))
                break
    return sorted(out, key=lambda o: o.start) if len(out) != len(names) else names


@recognizer_pass("nested", stage="nested")
def nested(ctx: Context) -> list[Mention]:
    """Firms named at the start of a project or park (启星铝业75MN挤压生产线), kept as nested mentions."""
    out = []
    for outer in ctx.names:
        if outer.label not in ("Project", "IndustrialPark", "Enterprise", "Institution", "GovernmentBody"):
            continue
        for inner in ctx.candidates:
            if inner.label == outer.label == "Enterprise" and inner.source not in ("known",):
                continue
            if inner.label == outer.label and inner.start == outer.start and outer.end - inner.end <= 2:
                continue  # 示范园 inside 示范园区: the same name cut short
            if inner.label in ("Enterprise", "Institution", "IndustrialPark") and outer.start <= inner.start \
                    and inner.end <= outer.end and (inner.start, inner.end) != (outer.start, outer.end) \
                    and inner.label != "Post":
                out.append(replace(inner, nested=True))
    return dedupe(out)


@recognizer_pass("project-owners", stage="nested")
def project_owners(ctx: Context) -> list[Mention]:
    """东旭3D车盖盖板玻璃, 华纺二期, 富奥电池壳体: a trade name the dictionary does not know at the
    start of a project's name is the firm that owns it, when a capacity, a code, a phase or an
    industry word follows, or the same trade name starts another firm of the document."""
    names, lx = ctx.names, ctx.lexicon
    firm_brands = {m.text[:2] for m in names if m.label == "Enterprise"}
    firm_names = sorted({m.text for m in names if m.label == "Enterprise" and len(m.text) >= 3}, key=len, reverse=True)
    has_owner = {m.start for m in ctx.nested if m.label == "Enterprise"}
    out = []
    for p in names:
        if p.label != "Project" or p.start in has_owner:
            continue
        named = next((f for f in firm_names if p.text.startswith(f) and len(p.text) > len(f)), None)
        lead = re.match(r"([\u4e00-\u9fff]{2,4}?)(" + lx.industry_alt + r")(?=\d|[A-Za-z])", p.text)
        if named is None and lead and trade_ok(lx, lead.group(1)) or named is None and lead \
                and brand_like(lx, lead.group(1), -1, set()):
            named = lead.group()  # 宏达钢铁120万吨冷轧生产线: the firm before the capacity
        if named:  # 凌峰机器人年产2万台工业机器人项目: the firm the document names elsewhere
            out.append(Mention(p.start, p.start + len(named), "Enterprise", named, named, "project-owner", True))
            continue
        runs = unknown_runs(p.text[:4], lx)
        if not runs or not p.text.startswith(runs[0]) or not 2 <= len(runs[0]) <= 3:
            continue
        brand = runs[0][:2] if len(runs[0]) == 3 and runs[0][:2] in firm_brands else runs[0]
        rest = p.text[len(brand):]
        if gazetteer().lookup(brand) or place_prefix(brand + "X")[0]:
            continue
        if rest in lx.suffix_table and not re.match(r"[二三四]期", rest):
            continue  # 川藏铁路: the name is the project's own, not a firm's
        if re.match(r"[0-9A-Za-z]|[二三四]期", rest) or industry_word(lx, rest[:3]) or brand in firm_brands:
            out.append(Mention(p.start, p.start + len(brand), "Enterprise", brand, brand, "project-owner", True))
    return out
