"""Pinyin for persons' names, for researchers who write in English (the graph's ``kgo:pinyin``).

Names are written as GB/T 28039-2011 prescribes: surname and given name apart, each capitalised,
a compound surname as one word, the given name as one word (an apostrophe before a syllable that
starts with a, o or e). Surnames read differently from the everyday reading of their character
(单 Shan, 曾 Zeng, 仇 Qiu) and compound surnames come from ``resources/surname_pinyin.tsv``; the
given name is read by pypinyin (its phrase dictionary settles most heteronyms).

>>> person_pinyin("程宇"), person_pinyin("吴碧磊"), person_pinyin("司马江")
('Cheng Yu', 'Wu Bilei', 'Sima Jiang')
>>> person_pinyin("单雄信"), person_pinyin("曾国藩"), person_pinyin("仇景锐")
('Shan Xiongxin', 'Zeng Guofan', 'Qiu Jingrui')
>>> person_pinyin("吕西安"), person_pinyin("买买提·艾力")
("Lü Xi'an", 'Maimaiti Aili')
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from kg.resources import load_table

__all__ = ["person_pinyin", "split_surname", "syllables"]

#: Separators of the parts of a transliterated (e.g. Uyghur) name: 买买提·艾力.
_NAME_DOTS = re.compile(r"[·•・‧∙．.]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SYLLABLE = re.compile(r"[a-zü]+")


@lru_cache(maxsize=1)
def _surnames() -> dict[str, str]:
    return {row[0]: row[1] for row in load_table("surname_pinyin.tsv")}


def split_surname(name: str) -> tuple[str, str]:
    """(surname, given name): a compound surname from the table when the name starts with one,
    else the first character.

    >>> split_surname("欧阳修"), split_surname("王东"), split_surname("司马")
    (('欧阳', '修'), ('王', '东'), ('司马', ''))
    """
    table = _surnames()
    if len(name) >= 2 and name[:2] in table:
        return name[:2], name[2:]
    return name[:1], name[1:]


def syllables(text: str) -> list[str]:
    """Toneless pinyin syllables of the Han characters in ``text`` (ü kept); other runs as they are.

    >>> syllables("绿A1")
    ['lü', 'A1']
    """
    return lazy_pinyin(text, style=Style.NORMAL, v_to_u=True, errors="default")


def _word(parts: list[str]) -> str:
    """Syllables as one capitalised word, with an apostrophe before a, o, e after the first."""
    out = ""
    for i, s in enumerate(p.strip() for p in parts):
        if not s:
            continue
        if i and out and s[0] in "aoe" and _SYLLABLE.fullmatch(s):
            out += "'"
        out += s
    return out[:1].upper() + out[1:]


def person_pinyin(name: str) -> str | None:
    """The name in pinyin, "Surname Givenname"; None when it holds no Han character.

    >>> person_pinyin("习近平"), person_pinyin("长孙无忌"), person_pinyin("John") is None
    ('Xi Jinping', 'Zhangsun Wuji', True)
    """
    name = re.sub(r"\s+", "", name)
    if not _HAN.search(name):
        return None
    if _NAME_DOTS.search(name):  # a transliterated name: each part one word
        return " ".join(_word(syllables(part)) for part in _NAME_DOTS.split(name) if part)
    surname, given = split_surname(name)
    table = _surnames()
    head = table.get(surname) or _word(syllables(surname))
    return f"{head} {_word(syllables(given))}" if given else head
