"""Agreements (agreement): a signing with its title, parties, signatories, witnesses and date; a signing
that a headline and the lead both report is kept once."""

from __future__ import annotations

import re

from kg.extract.clauses import clauses, group_after
from kg.extract.context import Context
from kg.extract.records import AgreementFact, DocumentFacts, EntityRef, Evidence, RoleFact, Sentence
from kg.extract.registry import rule
from kg.recognize import ORG_CLASSES, Mention
from kg.resources import cue

__all__ = ["agreements_in", "one_per_signing"]

SIGN = re.compile(cue("agreement_verbs"))
UNTITLED = re.compile(r"签约仪式|(?:签署|签订)(?:了)?(?P<doc>[\u4e00-\u9fff]{0,12}(?:协议|合同|备忘录|意向书))|签约")


@rule("agreement", name="signings")
def agreements_in(sent: Sentence, ms: list[Mention], ev: Evidence, ctx: Context) -> list[AgreementFact]:
    """Signings: a titled 《…协议》 or an untitled 甲与乙签署…协议 / 甲与乙…签约仪式, with the parties,
    the persons who signed (…代表双方签署) and witnessed (…见证) in this or the next sentences, and the date."""
    top = [m for m in ms if not m.nested]
    titled = [m for m in top if m.label == "Agreement"]
    if titled:
        return _titled_signings(sent, top, titled, ev, ctx)
    return _untitled_signings(sent, top, ev, ctx)


def _titled_signings(sent: Sentence, top: list[Mention], titled: list[Mention], ev: Evidence,
                     ctx: Context) -> list[AgreementFact]:
    """甲与乙签署《…协议》: each titled agreement the sentence signs (the parties from the lead when not here)."""
    text = ctx.document.text
    out: list[AgreementFact] = []
    for a in titled:
        before = text[sent.start:a.start]
        if not SIGN.search(before[-12:]) and not re.search(r"签署|签订|签约", text[a.end:sent.end][:6]):
            continue
        pair = _pair_around_conj(text, top, sent.start, a.start)
        pair_refs = [ctx.ref(m) for m in pair] if pair else _signing_parties_nearby(text, ctx, a)
        earlier = _earlier_year(sent, ctx)
        signers, witnesses, used, roles = ((), (), (), ()) if earlier else _signing_people(ctx, sent, a.start, 12)
        out.append(AgreementFact(a.text, tuple(pair_refs), signers, witnesses,
                                 earlier or _date_near(text, sent, ctx), ev, used, roles))
    return out


def _untitled_signings(sent: Sentence, top: list[Mention], ev: Evidence, ctx: Context) -> list[AgreementFact]:
    """甲与乙签署…协议 / 甲与乙…签约仪式: the title made of the parties and what they sign."""
    text = ctx.document.text
    out: list[AgreementFact] = []
    floor = sent.start
    for m in UNTITLED.finditer(sent.text):
        pos = sent.start + m.start()
        pair = _pair_around_conj(text, top, floor, pos)
        low, floor = floor, sent.start + m.end()
        if len(pair) == 2:
            signings = [(pair, (ctx.ref(pair[0]), _signing_party(pair[1], ctx)))]
        elif len(group := _party_list_before(text, top, low, pos)) >= 2:
            signings = [(group, tuple(ctx.ref(g) for g in group))]  # 甲、乙、丙合作共建工业园区签约仪式
        else:
            signings = _home_signs_with(text, top, sent, pos, m, ctx)
        for names, parties in signings:
            if m.group("doc"):
                title = text[names[0].start:names[-1].end] + m.group("doc")
            elif names[-1].end <= pos and re.search(r"(协议|合同|备忘录)$", text[names[-1].end:pos]):
                title = text[names[0].start:pos]  # 甲与乙战略合作协议签约仪式
            elif names[-1].end <= pos:
                title = text[names[0].start:pos] + "签约"
            else:
                title = f"{parties[0].name}与{parties[1].name}签约"
            signers, witnesses, used, roles = _signing_people(ctx, sent, pos)
            out.append(AgreementFact(title, parties, signers, witnesses, _date_near(text, sent, ctx), ev, used, roles))
    return out


def _party_list_before(text: str, top: list[Mention], floor: int, pos: int) -> list[Mention]:
    """The parties listed before a signing: 王蒙徽和王志刚分别代表[住房和城乡建设部、科学技术部]签署…,
    参加了[鄂尔多斯市、锡林郭勒盟、兴安盟]合作共建工业园区签约仪式: two or more bodies, firms or places joined by
    、/和/及, at most a short subject-matter phrase (no 等, no attending verb) before the signing word."""
    cands = [m for m in top if floor <= m.start and m.end <= pos and m.label in ORG_CLASSES + ("Place",)]
    for k in range(len(cands) - 1, -1, -1):
        gap = text[cands[k].end:pos]
        if re.fullmatch(r"[\u4e00-\u9fff]{0,12}", gap) and "等" not in gap and not ATTEND.search(gap):
            group = [cands[k]]
            for prev in reversed(cands[:k]):
                if not re.fullmatch(r"、|和|及|以及", text[prev.end:group[0].start]):
                    break
                group.insert(0, prev)
            return group if len(group) >= 2 else []
    return []


def _home_signs_with(text: str, top: list[Mention], sent: Sentence, pos: int, m, ctx: Context) -> list:
    """成功签约京东集团、巨人集团、快手科技等企业: the home county (or city) signs with each firm listed after 签约,
    when the clause names no party before it."""
    if m.group() != "签约":
        return []
    start = max([sent.start] + [sent.start + x.end() for x in re.finditer(r"[，,；;：:]", text[sent.start:pos])])
    if any(start <= n.start and n.end <= pos for n in top if n.label in ORG_CLASSES + ("Place", "Person")):
        return []
    home = ctx.home.county or ctx.home.city
    firms = [f for f in group_after(text, top, pos + 2, sent.end) if f.label == "Enterprise"]
    if not home or not firms:
        return []
    place = EntityRef("Place", home, home)
    return [([f], (place, ctx.ref(f))) for f in firms]


SIGN_CUT = re.compile(r"代表[^，,。；;]{0,24}?(?:签署|签订|签约|签字)|签署|签订|签约|签字")
ATTEND = re.compile(cue("attend_verbs"))
SIGNING_WORDS = re.compile(r"签约|签署|签订|签字|仪式")


def _signing_people(ctx: Context, sent: Sentence, pos: int, lookback: int = 0):
    """Who signed and who witnessed, each with the sentence that names them: signatories are the persons before
    代表…签 or 签署/签约 in a clause of the signing sentence or the two after it; witnesses the persons before
    出席/参加/见证… in a sentence about the signing (this one, the two after it, or ``lookback`` before it), signers
    excluded. Returns (signatories, witnesses, the sentences used other than ``sent``, the roles with evidence)."""
    i = next((k for k, s in enumerate(ctx.sentences) if s.start == sent.start), 0)
    signers: dict[EntityRef, Sentence] = {}
    for s in ctx.sentences[i:i + 3]:
        for clause in clauses(s):
            cut = SIGN_CUT.search(clause.text)
            if not cut or ATTEND.search(clause.text[: cut.start()]):
                continue  # 周建平出席签约仪式: attending is witnessing, not signing
            for r in _persons_in(ctx, clause.start, clause.start + cut.start()):
                signers.setdefault(r, s)
    witnesses: dict[EntityRef, Sentence] = {}
    for s in ctx.sentences[max(0, i - lookback):i + 3]:
        if not SIGNING_WORDS.search(s.text):
            continue
        for att in ATTEND.finditer(s.text):
            for r in _persons_in(ctx, s.start, s.start + att.start()):
                if r not in signers:
                    witnesses.setdefault(r, s)
    roles = tuple([RoleFact("signatory", r, ctx.evidence(s)) for r, s in signers.items()]
                  + [RoleFact("witness", r, ctx.evidence(s)) for r, s in witnesses.items()])
    used = [s for s in list(signers.values()) + list(witnesses.values()) if s != sent]
    evidence = tuple(dict.fromkeys(ctx.evidence(s) for s in sorted(used, key=lambda s: s.start)))
    return tuple(signers), tuple(witnesses), evidence, roles


def _persons_in(ctx: Context, start: int, end: int) -> list[EntityRef]:
    out = []
    for m in ctx.mentions:
        if m.label == "Person" and start <= m.start and m.end <= end:
            r = ctx.ref(m)
            if r not in out:
                out.append(r)
    return out


SIGNING_TAIL = re.compile(cue("signing_matter"))  # what a signing is about, after the party's name


def _signing_party(m: Mention, ctx: Context) -> EntityRef:
    """The firm in 甲与[中船风帆]产业链招商项目签约: the name before the subject matter of the signing."""
    if m.label not in ("Project", "IndustrialPark", "Enterprise"):
        return ctx.ref(m)
    text = ctx.document.text
    if m.label == "Enterprise" and m.text.endswith(("有限公司", "有限责任公司", "股份有限公司", "集团")):
        return ctx.ref(m)  # a full name already
    cut = SIGNING_TAIL.search(text, m.start + 2, m.end + 8)
    if cut is None or not re.fullmatch(r"[\u4e00-\u9fff()（）]+", text[m.start:cut.start()]):
        return ctx.ref(m)
    name = text[m.start:cut.start()]
    if name == m.text:
        return ctx.ref(m)
    return EntityRef("Enterprise", name, name)


def _earlier_year(sent: Sentence, ctx: Context) -> str | None:
    """自2020年…签订《…》: an agreement signed in a year before the report's."""
    m = re.search(r"((?:19|20)\d{2})年", sent.text)
    doc_year = (ctx.document.date or "")[:4]
    if m and doc_year and m.group(1) < doc_year:
        return m.group(1)
    return None


@rule("agreement", name="one-per-signing", scope="document", requires=("signings",))
def one_per_signing(facts: DocumentFacts, ctx: Context) -> list[AgreementFact]:
    """A headline and the lead report the same signing: keep the fuller record once (revises
    ``facts.agreements``; adds nothing)."""
    facts.agreements = _one_record_each(facts.agreements)
    return []


def _one_record_each(agreements: list[AgreementFact]) -> list[AgreementFact]:
    """The fullest record of each signing, in text order.

    Two records are one signing when their parties are the same, or share one party while one of
    them comes from a headline (a sentence without sentence punctuation)."""
    def headline(a: AgreementFact) -> bool:
        return not re.search(r"[，。；,;]", a.evidence.text)

    def richness(a: AgreementFact):
        return (not headline(a), len(a.signatories) + len(a.witnesses), len(a.title))

    kept: list[AgreementFact] = []
    for a in sorted(agreements, key=richness, reverse=True):
        names = {p.name for p in a.parties}
        same = any({p.name for p in k.parties} == names or
                   (headline(a) and names & {p.name for p in k.parties}) for k in kept)
        if not same:
            kept.append(a)
    return sorted(kept, key=lambda a: a.evidence.start)


def _pair_around_conj(text: str, top: list[Mention], floor: int, limit: int) -> list[Mention]:
    """The nearest 甲与乙 pair of organisations or places before ``limit``."""
    cands = [m for m in top if floor <= m.start and m.end <= limit and m.label in ORG_CLASSES + ("Place",)]
    for a, b in zip(reversed(cands[:-1]), reversed(cands[1:])):
        if text[a.end:b.start] in ("与", "和", "同"):
            return [a, b]
    return []


def _signing_parties_nearby(text: str, ctx: Context, a: Mention) -> list[EntityRef]:
    """Parties of a titled agreement from the report's lead: 辽源市人民政府与中国一汽…签约仪式."""
    for s in ctx.sentences:
        if s.start >= a.start:
            break
        if "签约" in s.text or "合作" in s.text:
            top = [m for m in ctx.mentions if s.start <= m.start and m.end <= s.end and not m.nested]
            pair = _pair_around_conj(text, top, s.start, s.end)
            if pair:
                return [ctx.ref(m) for m in pair]
    return []


def _date_near(text: str, sent: Sentence, ctx: Context) -> str | None:
    year = (ctx.document.date or "")[:4]
    window = text[max(0, sent.start - 1500):sent.end]
    m = None
    for m in re.finditer(r"(?:((?:19|20)\d{2})年)?(\d{1,2})月(\d{1,2})日", window):
        pass
    if m:
        y = m.group(1) or year
        return f"{y}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if y else None
    y = re.search(r"((?:19|20)\d{2})年", sent.text)
    return y.group(1) if y else None
