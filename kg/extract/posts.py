"""The posts persons hold (holdsPost): the titles before a name (市委副书记、市长程宇), a reporter's
byline (本报记者 王东), a title right after a name (习近平总书记)."""

from __future__ import annotations

import re

from kg.extract.context import Context, canonical
from kg.extract.records import EntityRef, Evidence, PostFact, Sentence
from kg.extract.registry import rule
from kg.recognize import ORG_CLASSES, Mention, titles

__all__ = ["TITLE_KIND", "posts_in"]

TITLE_KIND = {t: (kind, tmpl) for t, (kind, tmpl) in titles().items()}
CHAIN_SEP = re.compile(r"^[、\s]*$")


@rule("holdsPost", name="posts")
def posts_in(sent: Sentence, ms: list[Mention], ev: Evidence, ctx: Context) -> list[PostFact]:
    """Titles attached to a person: 市委副书记、市长程宇 → 副书记 of 中共辽源市委, 市长 of 辽源市人民政府."""
    text = ctx.document.text
    top = [m for m in ms if not m.nested]
    out: list[PostFact] = []
    listed: tuple[int, Mention] | None = None  # (where the last person ended, the party committee of their titles)
    for i, person in enumerate(top):
        if person.label != "Person":
            continue
        chain = _title_chain(text, top, i)
        if not chain and person.source == "byline":
            chain = _byline_chain(text, top, i)
        inherited: Mention | None = None
        if chain and listed is not None and text[listed[0]:(chain[0][1] or chain[0][0]).start] == "、":
            inherited = listed[1]  # 花都区委书记杨雁文、区长林中坚: the district head of the same district
        for k, (post, body) in enumerate(chain):
            kind, _ = TITLE_KIND.get(post.text, ("generic", "-"))
            if body is not None:
                inherited = body
            elif inherited is not None and kind in ("enterprise", "generic", "academic", "media"):
                body = inherited
            ref = _body_ref(post, body, text, ctx)
            if ref is None and k == 0 and kind in ("enterprise", "generic"):
                ref = _firm_by_short_name(text, post, ctx)
            if ref is None and kind == "gov" and inherited is not None:
                ref = _government_of(inherited, post, ctx)
            out.append(PostFact(ctx.ref(person), post.text, ref, ev))
        party = next((b for _, b in chain if b is not None and b.label == "GovernmentBody"), None)
        listed = (person.end, party) if party is not None else None
        after = _post_after(text, top, i)
        if after is not None:
            out.append(PostFact(ctx.ref(person), after.text, _body_ref(after, None, text, ctx), ev))
    return out


def _title_chain(text: str, top: list[Mention], i: int) -> list[tuple[Mention, Mention | None]]:
    """(post, explicit body) pairs standing right before mention ``i``, nearest last."""
    chain: list[tuple[Mention, Mention | None]] = []
    j, edge = i - 1, top[i].start
    while j >= 0:
        post = top[j]
        if post.label != "Post" or not CHAIN_SEP.match(text[post.end:edge]):
            break
        body = None
        k = j - 1
        if k >= 0 and top[k].end == post.start and top[k].label in ORG_CLASSES + ("Place",):
            body = top[k]
            k -= 1
        chain.append((post, body))
        edge = (body or post).start
        if k >= 0 and top[k].end <= edge and text[top[k].end:edge] == "、":
            j = k
            continue
        break
    return list(reversed(chain))


def _firm_by_short_name(text: str, post: Mention, ctx: Context) -> EntityRef | None:
    """鞍山钢铁党委书记 / 恒远激光总经理 / 公司总经理: the firm the text names by a short form
    right before the title — a firm of the document whose full name contains it, or, for 公司,
    the firm named last before it."""
    before = re.search(r"[\u4e00-\u9fff]{2,8}$", text[max(0, post.start - 8):post.start])
    if not before:
        return None
    short = before.group()
    firms = [m for m in ctx.mentions if m.label == "Enterprise" and not m.nested]
    if short.endswith(("公司", "企业", "集团")) and len(short) <= 4:
        earlier = [m for m in firms if m.end <= post.start and post.start - m.end < 600]
        return ctx.ref(earlier[-1]) if earlier else None
    for n in range(len(short), 1, -1):
        tail = short[-n:]
        hits = {ctx.ref(m).name: m for m in firms if tail in m.canonical and len(m.canonical) > n}
        if len(hits) == 1 and n >= 3 or len(hits) == 1 and n == 2 and short == tail:
            return ctx.ref(next(iter(hits.values())))
    return None


def _government_of(party: Mention, post: Mention, ctx: Context) -> EntityRef | None:
    """县委副书记、县长: the county head's government is the party committee's county's."""
    m = re.fullmatch(r"(?:中共)?(.+?[省市县区])委", canonical(party, ctx.home))
    if not m:
        return None
    place = m.group(1)
    level = {"县": "county", "区": "county", "市": "prefecture", "省": "province"}[place[-1]]
    wants = {"县长": "county", "副县长": "county", "常务副县长": "county", "区长": "county", "副区长": "county",
             "市长": "prefecture", "副市长": "prefecture", "常务副市长": "prefecture", "省长": "province",
             "副省长": "province"}.get(post.text)
    return EntityRef("GovernmentBody", place + "人民政府", place + "政府") if wants == level else None


def _byline_chain(text: str, top: list[Mention], i: int):
    for j in range(i - 1, max(-1, i - 8), -1):
        if top[j].label == "Post" and top[j].text in ("记者", "通讯员"):
            body = top[j - 1] if j > 0 and top[j - 1].end == top[j].start and top[j - 1].label == "Institution" else None
            return [(top[j], body)]
    return []


def _post_after(text: str, top: list[Mention], i: int) -> Mention | None:
    """习近平总书记: a title right after the name (总书记, 同志 is not a title)."""
    if i + 1 < len(top) and top[i + 1].label == "Post" and top[i + 1].start == top[i].end \
            and top[i + 1].text in ("总书记",):
        return top[i + 1]
    return None


def _body_ref(post: Mention, body: Mention | None, text: str, ctx: Context) -> EntityRef | None:
    kind, template = TITLE_KIND.get(post.text, ("generic", "-"))
    home = ctx.home
    if body is not None and body.label != "Place":
        if body.label == "IndustrialPark" and kind in ("party", "gov"):
            return None
        return ctx.ref(body)
    if body is not None:  # a place before the title: 东丰县县长 → 东丰县人民政府
        place = body.canonical
        if kind == "gov":
            return EntityRef("GovernmentBody", place + "人民政府", body.text + post.text)
        if kind == "party":
            return EntityRef("GovernmentBody", "中共" + place + "委", body.text + post.text)
        if kind == "congress":
            return EntityRef("GovernmentBody", place + "人民代表大会", body.text + post.text)
        return None
    before = text[max(0, post.start - 2):post.start]
    level_place = {"市": home.city, "省": home.province}.get(before[-1:]) if before else None
    if kind == "congress":
        if before.endswith("全国"):
            return EntityRef("GovernmentBody", "全国人民代表大会", "全国人大")
        place = level_place or home.city
        return EntityRef("GovernmentBody", place + "人民代表大会", "人大") if place else None
    if kind == "media":
        paper = home.newspaper if "本报" in text[max(0, post.start - 12):post.start] else None
        return EntityRef("Institution", paper + "社", "本报") if paper else None
    if template == "-" or "{" not in template:
        return EntityRef("GovernmentBody", template, template) if template != "-" else None
    filled = home.fill(template)
    if filled is None or "{" in filled:
        return None
    return EntityRef("GovernmentBody", filled, post.text)

