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
from kg.recognize.common import AFTER_NAME, NOT_GIVEN_START, is_title_start
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
        if any(s < end + 1 and start < e for s, e in taken):
            continue
        taken.append((start, end + 1))
        out.append(Mention(start, end + 1, "Post", title, title, "title"))
    return out


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
        if name and not is_title_start(text, pos, lx.title_automaton):
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
        for n in (3, 2):
            s = m.end() - n
            cand = text[s:m.end()]
            if s >= 0 and surname_ok(lx, cand) and (lac_per.get(s) or n == 3):
                out.append(Mention(s, m.end(), "Person", cand, cand, "before-title"))
                break
    return out


def _before_speech(lx: Lexicon, text: str, lac_per) -> list[Mention]:
    """the tagger's persons before a speech verb"""
    out = []
    for tok in lac_per.values():
        if not (2 <= len(tok.text) <= 4 and surname_ok(lx, tok.text)):
            continue
        after = text[tok.end:tok.end + 4]
        if any(after.startswith(v) for v in lx.speech):
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


def surname_ok(lx: Lexicon, name: str) -> bool:
    """True when ``name`` starts with a known surname."""
    return name[:2] in lx.double_surnames or name[:1] in lx.single_surnames
