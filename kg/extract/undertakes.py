"""Which firm undertakes a project (undertakes): from the project's name, a building verb between the two,
or the investment agreement the firm signs."""

from __future__ import annotations

import re

from kg.extract.clauses import clauses, top_names
from kg.extract.context import Context
from kg.extract.names import name_relation, organisation_names
from kg.extract.records import EntityRef, Evidence, PairFact, Sentence
from kg.extract.registry import rule
from kg.recognize import Mention, unknown_runs
from kg.resources import cue

__all__ = ["builders", "invested", "name_projects"]

FIRM_ANAPHOR = re.compile(r"(?:(?:该|这家|本)(?:公司|企业)|(?:(?<=[，。：,:])|^)(?:公司|企业))"
                          r"(?:还|正在|已|将|今年|去年|在[^，。；]{2,12})?")
INVEST_SIGNING = re.compile(rf"(?:{cue('signing_verbs')})了?")
BUILD_VERBS = re.compile(cue("build_verbs") + "|^的$")


@rule("undertakes", name="name-projects")
def name_projects(sent: Sentence, ms: list[Mention], ev: Evidence, ctx: Context) -> list[PairFact]:
    """A firm's name that starts a project's (博戈新能源汽车减振项目): the firm undertakes the project."""
    out: list[PairFact] = []
    for outer, inner in organisation_names(ms):
        if inner and name_relation(outer, inner[0]) == "undertakes":
            out.append(PairFact("undertakes", _unit_of(inner[0], outer, ctx), ctx.ref(outer), ev))
        if outer.label == "Project" and not any(name_relation(outer, m) == "undertakes" for m in inner):
            firm = ctx.firm_named_in(outer)
            if firm is not None:
                out.append(PairFact("undertakes", firm, ctx.ref(outer), ev))
    return out


def _unit_of(firm: Mention, project: Mention, ctx: Context) -> EntityRef:
    """一汽弗迪电池壳体: a well-known group's name followed by a trade name the dictionary does not
    know is the group's unit or joint venture (一汽弗迪), which undertakes the project."""
    if firm.source != "known":
        return ctx.ref(firm)
    after = ctx.document.text[firm.end:project.end]
    runs = unknown_runs(after[:4])
    if runs and after.startswith(runs[0]) and 2 <= len(runs[0]) <= 3:
        name = firm.text + runs[0]
        return EntityRef("Enterprise", name, name)
    return ctx.ref(firm)


@rule("undertakes", name="builders")
def builders(sent: Sentence, ms: list[Mention], ev: Evidence, ctx: Context) -> list[PairFact]:
    """X公司投资建设的Y项目 / 该公司投资建设的Y项目 / Y项目由X公司承建: a firm and a project joined by a
    building verb in one clause."""
    top = top_names(ms)
    out: list[PairFact] = []
    for clause in clauses(sent):
        names = [m for m in top if clause.start <= m.start and m.end <= clause.end]
        out += _firm_builds(names, ev, ctx) + _anaphor_builds(clause, names, ev, ctx) + _built_by(names, ev, ctx)
    return out


def _firm_builds(names: list[Mention], ev: Evidence, ctx: Context) -> list[PairFact]:
    """X公司投资建设的Y项目: the next project after a firm, a building verb between them; every firm of a list
    (甲集团、乙集团等央企投资建设的Y项目)."""
    text = ctx.document.text
    out: list[PairFact] = []
    group: list[Mention] = []
    for i, f in enumerate(names):
        if f.label != "Enterprise":
            group = []
            continue
        group = group + [f] if group and re.fullmatch(r"、|和|及|以及", text[group[-1].end:f.start]) else [f]
        for p in names[i + 1:]:
            between = text[f.end:p.start]
            if p.label == "Enterprise" or len(between) > 15:
                break
            if p.label == "Project" and BUILD_VERBS.search(between):
                out += [PairFact("undertakes", ctx.ref(g), ctx.ref(p), ev) for g in group]
                break
    return out


def _anaphor_builds(clause: Sentence, names: list[Mention], ev: Evidence, ctx: Context) -> list[PairFact]:
    """该公司投资建设的Y项目 / 企业正在建设Y项目: the firm last named before."""
    text = ctx.document.text
    out: list[PairFact] = []
    for p in names:
        if p.label != "Project":
            continue
        lead = FIRM_ANAPHOR.search(text, max(clause.start, p.start - 18), p.start)
        if lead and BUILD_VERBS.search(text[lead.end():p.start]) and not any(
                m.label == "Enterprise" and lead.end() <= m.start < p.start for m in names):
            firm = ctx.firm_before(lead.start(), reach=150)
            if firm is not None:
                out.append(PairFact("undertakes", firm, ctx.ref(p), ev))
    return out


def _built_by(names: list[Mention], ev: Evidence, ctx: Context) -> list[PairFact]:
    """Y项目由X公司承建: the firm right after 由."""
    text = ctx.document.text
    out: list[PairFact] = []
    for i, p in enumerate(names):
        if p.label == "Project" and i + 1 < len(names) and names[i + 1].label == "Enterprise":
            f = names[i + 1]
            if re.fullmatch(r"由", text[p.end:f.start].strip()) and BUILD_VERBS.match(text[f.end:f.end + 4]):
                out.append(PairFact("undertakes", ctx.ref(f), ctx.ref(p), ev))
    return out


@rule("undertakes", name="invested")
def invested(sent: Sentence, ms: list[Mention], ev: Evidence, ctx: Context) -> list[PairFact]:
    """甲区政府与乙公司签署了丙项目投资协议: the firm that signs a project's investment agreement undertakes it."""
    text = ctx.document.text
    top = top_names(ms)
    out: list[PairFact] = []
    for i, p in enumerate(top):
        if p.label != "Project" or not re.match(r"(?:投资|入驻|落户|建设)(?:协议|合同)", text[p.end:p.end + 4]):
            continue
        sign = INVEST_SIGNING.search(text, max(sent.start, p.start - 4), p.start)
        firms = [m for m in top[:i] if m.label == "Enterprise" and sign is not None and m.end <= sign.start()
                 and re.fullmatch(r"[^，。；]{0,3}", text[m.end:sign.start()])]
        if firms:
            out.append(PairFact("undertakes", ctx.ref(firms[-1]), ctx.ref(p), ev))
    return out
