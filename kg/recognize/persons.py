"""Passes for titles (``posts``: 副市长, 董事长) and people (``persons``: after a title, in a byline,
before 同志 or a speech verb, and every other occurrence of a name so found).

>>> from kg.recognize import Home, Recognizer
>>> rec = Recognizer(passes=["posts", "persons"])
>>> [(m.text, m.label) for m in rec.find("副市长司马江出席。本报记者 董博 赵蓓蓓", Home.of_city("辽源市"))]
[('副市长', 'Post'), ('司马江', 'Person'), ('记者', 'Post'), ('董博', 'Person'), ('赵蓓蓓', 'Person')]
"""

from __future__ import annotations

import re

from kg.recognize.base import Mention
from kg.recognize.common import AFTER_NAME, NOT_GIVEN_START, cuts_word, is_title_start, word_spans
from kg.recognize.lexicon import Lexicon, automaton
from kg.recognize.registry import Context, recognizer_pass


@recognizer_pass("posts")
def posts(ctx: Context) -> list[Mention]:
    """Titles of the titles list, longest first, not overlapping."""
    best_at_end: dict[int, str] = {}
    for end, (title, _) in ctx.lexicon.title_automaton.iter(ctx.text):
        if len(title) > len(best_at_end.get(end, "")):
            best_at_end[end] = title
    out = []
    taken: list[tuple[int, int]] = []
    for end, title in sorted(best_at_end.items(), key=lambda kv: -len(kv[1])):
        start = end - len(title) + 1
        title, start = _after_body_head(ctx, title, start)
        if any(s < end + 1 and start < e for s, e in taken):
            continue
        taken.append((start, end + 1))
        out.append(Mention(start, end + 1, "Post", title, title, "title"))
    return out


def _after_body_head(ctx: Context, title: str, start: int) -> tuple[str, int]:
    """常州经开区党工委书记: a title that opens with a body's head word (党工委) glued to a name is the body's
    title (书记); the head belongs to the body's name. A title standing alone (党工委书记顾伟国) stays whole."""
    lx, text = ctx.lexicon, ctx.text
    for k in (3, 2):
        head, rest = title[:k], title[k:]
        if start > 0 and re.match(r"[\u4e00-\u9fff]", text[start - 1]) and rest in lx.titles \
                and lx.suffix_table.get(head, ("",))[0] == "GovernmentBody" and head.endswith("委"):
            return rest, start + k
    return title, start


@recognizer_pass("persons", requires=("posts",))
def persons(ctx: Context) -> list[Mention]:
    """People: after a title (副市长司马江), in a byline (记者 董博), before 同志/总书记, the tagger's
    persons before a speech verb, then every other occurrence of a name so found."""
    text, lx, lac_per = ctx.text, ctx.lexicon, ctx.persons_by_tagger
    out: list[Mention] = []
    out += _after_titles(lx, text, ctx.found["posts"], lac_per)
    out += _bylines(lx, text)
    out += _before_titles(lx, text, lac_per)
    out += _before_speech(lx, text, lac_per)
    confirmed = {m.text for m in out}
    if confirmed:  # every other occurrence of a confirmed name
        auto = automaton((n, None) for n in confirmed)
        for end, (name, _) in auto.iter(text):
            out.append(Mention(end - len(name) + 1, end + 1, "Person", name, name, "repeat"))
    return out


def _after_titles(lx: Lexicon, text: str, titles: list[Mention], lac_per) -> list[Mention]:
    """副市长司马江, 县长 王东"""
    out = []
    for post in titles:
        pos = post.end
        while pos < len(text) and text[pos] == " ":
            pos += 1
        name = name_at(lx, text, pos, lac_per)
        if name and not is_title_start(text, pos, lx.title_automaton) \
                and person_ok(lx, text, pos, pos + len(name), lac_per):
            out.append(Mention(pos, pos + len(name), "Person", name, name, "after-title"))
    return out


def _bylines(lx: Lexicon, text: str) -> list[Mention]:
    """记者 邢国徽 刘鹰 / 本报记者 董博 赵蓓蓓"""
    out = []
    for m in re.finditer(r"(?:记者|通讯员|摄影)[ ]*((?:[\u4e00-\u9fff]{2,4}[ ]*){1,6})", text):
        pos = m.start(1)
        for part in re.finditer(r"[\u4e00-\u9fff]{2,4}", m.group(1)):
            name = part.group()
            if surname_ok(lx, name) and (len(name) <= 3 or name[:2] in lx.double_surnames):
                out.append(Mention(pos + part.start(), pos + part.end(), "Person", name, name, "byline"))
            else:
                break
    return out


def _before_titles(lx: Lexicon, text: str, lac_per) -> list[Mention]:
    """names before 总书记 / 同志"""
    out = []
    for m in re.finditer(r"([\u4e00-\u9fff]{2,4}?)(?=总书记|同志)", text):
        end = m.end() - 1 if text[m.end() - 1] == "等" else m.end()  # 张海迪等同志: the name is before 等
        for n in (3, 2):
            s = end - n
            cand = text[s:end]
            if s >= 0 and surname_ok(lx, cand) and (lac_per.get(s) or n == 3) \
                    and not cuts_word(text, s) and person_ok(lx, text, s, end, lac_per):
                out.append(Mention(s, end, "Person", cand, cand, "before-title"))
                break
    return out


def _before_speech(lx: Lexicon, text: str, lac_per) -> list[Mention]:
    """the tagger's persons before a speech verb"""
    out = []
    for tok in lac_per.values():
        if not (2 <= len(tok.text) <= 4 and surname_ok(lx, tok.text)):
            continue
        after = text[tok.end:tok.end + 4]
        if any(after.startswith(v) for v in lx.speech) and person_ok(lx, text, tok.start, tok.end, lac_per):
            out.append(Mention(tok.start, tok.end, "Person", tok.text, tok.text, "model+speech"))
    return out


def name_at(lx: Lexicon, text: str, pos: int, lac_per) -> str | None:
    """A person's name starting at ``pos``: the tagger's PER span, else surname + 1–2 characters."""
    two = text[pos:pos + 2]
    if lx.tags.get(two, "") in ("p", "c", "d", "v", "r", "u", "m", "q", "f", "ad", "vn") \
            and lx.freq.get(two, 0) > 200 and two not in lx.double_surnames:
        return None  # 关于发展…: not a name
    tok = lac_per.get(pos)
    if tok is not None and 2 <= len(tok.text) <= 4 and surname_ok(lx, tok.text):
        return tok.text
    for surname in sorted(lx.double_surnames | lx.single_surnames, key=len, reverse=True):
        if text.startswith(surname, pos):
            break
    else:
        return None
    rest = pos + len(surname)
    given = ""
    while len(given) < 2 and rest + len(given) < len(text) and re.match(r"[\u4e00-\u9fff]", text[rest + len(given)]):
        ch = text[rest + len(given)]
        if given and (ch in AFTER_NAME or lx.freq.get(text[rest + len(given):rest + len(given) + 2], 0) > 1000):
            break  # 赵军深入: 深入 is a word, the name is 赵军
        given += ch
    if not given or given[0] in NOT_GIVEN_START:
        return None
    return surname + given


# jieba's tags of common words (nouns, adjectives, verbs, adverbs, function words): such a word does not
# start a person's name; proper nouns (nr, ns, nz) and place words (s: 林中) may
COMMON_WORD_TAGS = {"n", "a", "ad", "an", "v", "vn", "vd", "d", "c", "p", "r", "m", "q", "t", "b", "l", "i", "u"}


def person_ok(lx: Lexicon, text: str, start: int, end: int, lac_per) -> bool:
    """Whether ``text[start:end]`` may be a person's name where a pass found it (after a title, before
    同志, before a speech verb). Not when:

    - its first character is a conjunction or preposition that jieba reads as a word of its own before the
      next word (和其他, 和叶剑英, 于有些): a surname only when the tagger says so (于洪);
    - its first two characters are a common word, not a name or place word (任期, 强烈, 连续, 战线的;
      not 林中坚, 安南);
    - a title follows the surname inside it (和市长, 周总理, 毛主席): a form of address, not a name;
    - a longer name continues past its end (伏罗希|洛夫): jieba's name word or the tagger's person crosses it.

    >>> from kg.recognize.lexicon import shared_lexicon
    >>> lx = shared_lexicon()
    >>> [person_ok(lx, t, 0, n, {}) for t, n in (("王东出席", 2), ("任期目标", 2), ("和其他人", 3), ("周总理说", 3))]
    [True, False, False, False]
    """
    name = text[start:end]
    tok = lac_per.get(start)
    tagged = tok is not None and tok.end == end
    ws = word_spans(text, start, min(len(text), end + 6))
    if lx.tags.get(name[0], "") in ("c", "p") and ws and ws[0][2] == start + 1 and not tagged:
        return False
    two = name[:2]
    if len(two) == 2 and lx.freq.get(two, 0) > 200 and lx.tags.get(two, "") in COMMON_WORD_TAGS \
            and two not in lx.double_surnames:
        return False
    if any(is_title_start(name, i, lx.title_automaton) for i in range(1, len(name))):
        return False
    if any(a < end < b and lx.tags.get(w, "").startswith("nr") for w, a, b in ws):
        return False
    other = next((t for t in lac_per.values() if t.start < end < t.end), None)
    return other is None


def surname_ok(lx: Lexicon, name: str) -> bool:
    """True when ``name`` starts with a known surname."""
    return name[:2] in lx.double_surnames or name[:1] in lx.single_surnames
