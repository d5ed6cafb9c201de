"""Who cooperates with whom (cooperatesWith): 甲与乙合作 / 同乙对接, the names on either side of 与/同/和/跟
in a clause that speaks of cooperation."""

from __future__ import annotations

import re

from kg.extract.clauses import clause_end, group_after, group_before, top_names
from kg.extract.context import Context
from kg.extract.records import DocumentFacts, EntityRef, Evidence, PairFact, Sentence
from kg.extract.registry import rule
from kg.recognize import ORG_CLASSES, Mention
from kg.resources import cue

__all__ = ["cooperation", "signing_partners"]

COOP_WORDS = re.compile(cue("cooperation_words"))
DEAL_WORDS = re.compile(cue("deal_words"))


@rule("cooperatesWith", name="cooperation")
def cooperation(sent: Sentence, ms: list[Mention], ev: Evidence, ctx: Context) -> list[PairFact]:
    """与…合作/对接: the names listed before 与 (or the partner the clause implies) cooperate with those after it."""
    text = ctx.document.text
    top = top_names(ms)
    out: list[PairFact] = []
    for conj in re.finditer(r"[与同和跟]", sent.text):
        cs = sent.start + conj.start()
        end = clause_end(text, cs, sent.end)
        if not COOP_WORDS.search(text[cs:end]):
            continue
        left = group_before(text, top, cs, sent.start)
        implied = None
        if not left:
            implied = _implied_partner(text, sent, top, cs, ctx)
            if implied is None:
                continue
            left = [None]
        right = group_after(text, top, cs + 1, end)
        for a in left:
            ar = implied if a is None else ctx.ref(a)
            for b in right:
                br = ctx.ref(b)
                if ar.key != br.key and b.label != "Person" and ar.label != "Person":
                    out.append(PairFact("cooperatesWith", ar, br, ev))
    return out


def _implied_partner(text: str, sent: Sentence, top: list[Mention], pos: int, ctx: Context) -> EntityRef | None:
    """Who cooperates when no name stands before 与: the firm 公司/企业 refers to (公司已与比亚迪…建立配套合作),
    the place that opens the sentence (宜阳县将…，持续深化与…合作), else the home city (深化同长春合作)."""
    clause_start = max(text.rfind(c, sent.start, pos) for c in "，,；;") + 1 or sent.start
    clause_start = max(clause_start, sent.start)
    if re.search(r"(?:该|这家|本)?(?:公司|企业)|我们", text[clause_start:pos]):
        firm = ctx.firm_before(pos, reach=150)
        if firm is not None or "我们" not in text[clause_start:pos]:
            return firm
    if clause_start > sent.start and text[clause_start:pos].strip() == "":
        named = [m for m in top if m.end == clause_start - 1 and m.label in ORG_CLASSES]
        if named:  # 甲公司，与乙合作研发…: the name just before the comma
            return ctx.ref(named[-1])
    starts = [sent.start] + [i + 1 for i in range(sent.start, pos) if text[i] in "，,；;"]
    for start in reversed(starts):  # 王晓磊表示，宜阳县将…，持续深化与…: the place opening an earlier clause
        opener = next((m for m in top if m.label in ("Place", "GovernmentBody") and m.start >= start and m.end <= pos
                       and re.fullmatch(r"(?:本报讯\s*)?[^，。；,\s在与和同对向]{0,2}", text[start:m.start])), None)
        if opener is not None:
            return ctx.ref(opener)
    if _implicit_home(text, sent.start, pos):
        return ctx.home_city()
    return None


def _implicit_home(text: str, sent_start: int, pos: int) -> bool:
    """与/同 with no named subject in a city's own text: the city is the subject (深化同长春合作)."""
    before = text[max(sent_start, pos - 8):pos]
    return not re.search(r"[\u4e00-\u9fff]{2,}[市县区省]$", before)


@rule("cooperatesWith", name="signing-partners", scope="document", requires=("signings",))
def signing_partners(facts: DocumentFacts, ctx: Context) -> list[PairFact]:
    """The parties of a signing cooperate (甲与乙签署战略合作协议, 甲成功签约乙): one fact for each pair of parties,
    cited by the signing's sentence, unless the cooperation rule found that pair already. A signing of a deal
    (招商项目签约, 购车签约: a purchase, an investment project) is a transaction, not a partnership."""
    seen = {frozenset((p.subject.key, p.object.key)) for p in facts.pairs if p.relation == "cooperatesWith"}
    out: list[PairFact] = []
    for a in facts.agreements:
        if DEAL_WORDS.search(a.title):
            continue
        for i, x in enumerate(a.parties):
            for y in a.parties[i + 1:]:
                pair = frozenset((x.key, y.key))
                if x.key != y.key and pair not in seen and "Person" not in (x.label, y.label):
                    seen.add(pair)
                    out.append(PairFact("cooperatesWith", x, y, a.evidence))
    return out
