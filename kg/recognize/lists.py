"""The ``enumerations`` pass: lists whose head names the class of every item (鑫达钢铁、厚德食品等企业),
facilities that opened (…投入运营) and what settles in a park (…落户).

>>> from kg.recognize import Home, Recognizer
>>> rec = Recognizer(passes=["enumerations"])
>>> [(m.text, m.label) for m in rec.find("鑫达钢铁、厚德食品等企业参加。", Home.of_city("辽源市"))]
[('鑫达钢铁', 'Enterprise'), ('厚德食品', 'Enterprise')]
"""

from __future__ import annotations

import re

from kg.gazetteer import gazetteer
from kg.recognize.base import Home, Mention, place_prefix
from kg.recognize.common import COUNTED, QUANTITY, left_edge, strip_lead_words, unknown_runs, words
from kg.recognize.judge import brand_like, local_project, not_generic, specific, trade_ok
from kg.recognize.lexicon import Lexicon
from kg.recognize.registry import Context, recognizer_pass

INSTITUTION_HEADS = ("研究院", "设计院", "研究所")
FIRM_ENDS = ("集团", "科技", "股份", "控股", "实业", "公司")
ENUM_HEADS = {"企业": "Enterprise", "公司": "Enterprise", "央企": "Enterprise", "产业主体": "Enterprise",
              "市场主体": "Enterprise", "经营主体": "Enterprise", "项目": "Project",
              "工程": "Project", "产业园区": "IndustrialPark", "产业园": "IndustrialPark", "园区": "IndustrialPark",
              "高校": "Institution", "院所": "Institution", "科研院所": "Institution"}
ITEM = r"[^、，,。；;：:\s“”\"等]{2,24}"  # an item never holds 等: 甲、乙等央企投资的丙等项目 is two lists
LISTED = re.compile(rf"((?:{ITEM}、)*{ITEM})等(?:\d+|[一二三四五六七八九十百]+)?[户家个所项条座]?"
                    r"(?P<batch>(?:一大批|一批|多家|众多)[\u4e00-\u9fff]{0,3}?)?"
                    r"(国家重大|重大|重点|新能源|煤化工|化工|能源|交通|水利|骨干|龙头|规上|科技型|新型|优质|知名|产业|农业|工业|服务业|民生|路桥)??"
                    r"(企业|公司|央企|产业主体|市场主体|经营主体|项目|工程|产业园区|产业园|园区|高校|科研院所|院所)")
OPENED = re.compile(rf"((?:{ITEM}、)+{ITEM}?)(?:相继|先后|陆续|已|均|全面|正式)?"
                    r"(?:投入运营|投入使用|建成投用|建成投产|竣工投产|开工建设|开门营业)")
SETTLED = re.compile(r"(?:^|(?<=[，,。；;、\s“”])|(?<=公司)|(?<=企业)|(?<=央企))"
                     r"([\u4e00-\u9fff]{2,6}?)(?:成功|正式|已)?(?:落户|入驻|进驻)")


@recognizer_pass("enumerations")
def enumerations(ctx: Context) -> list[Mention]:
    """Lists whose head names the class of every item: 鑫达钢铁、厚德食品等企业 (…等一大批福建企业);
    福泰大路、安北大街等18个路桥工程; 优美姿、泛电商等产业园 (→ 优美姿产业园); 红星美凯龙家居、俄罗斯商品仓储中心投入运营."""
    text, home, lx = ctx.text, ctx.home, ctx.lexicon
    out: list[Mention] = []
    for m in LISTED.finditer(text):
        head = m.group(m.lastindex)
        cls = ENUM_HEADS[head]
        if m.group("batch") and cls != "Enterprise":
            continue  # 背街小巷改造、河湖治理等一批民生工程: kinds of works, not named ones
        suffix = head if cls == "IndustrialPark" else ""
        out += list_items(lx, text, m.start(1), m.group(1), cls, suffix, home)
    for m in OPENED.finditer(text):  # facilities that opened: named, if not by a rare word
        out += list_items(lx, text, m.start(1), m.group(1), "Project", "", home, strict=False)
    for m in SETTLED.finditer(text):  # 吉林亚联落户辽源高新区: what settles in a park is a firm
        name = m.group(1)
        trade = name[len(place_prefix(name, home)[0]):]
        if len(trade) >= 2 and (unknown_runs(trade[:2], lx) or trade_ok(lx, trade[:2])):
            if not gazetteer().lookup(name) and name not in lx.generic and not place_prefix(name + "X")[0] == name:
                out.append(Mention(m.start(1), m.end(1), "Enterprise", name, name, "enumeration"))
    strong = {(c.start, c.end): c.label for c in ctx.candidates if c.source.startswith(("head:", "known", "context"))}
    # a list of firms may hold a registered 研究院 (纺织袜业设计研究院等18户企业): the list's class wins
    return [m for m in out if (m.start, m.end) not in strong
            or m.label == "Enterprise" and strong[(m.start, m.end)] == "Institution"]


def list_items(lx: Lexicon, text: str, pos: int, items: str, cls: str, suffix: str, home: Home,
               strict: bool = True) -> list[Mention]:
    """The items of a list (``items`` starts at ``pos``) that can be names of class ``cls``."""
    out = []
    parts: list[tuple[int, str]] = []
    for part in items.split("、"):
        parts.append((pos, part))
        pos += len(part) + 1
    expanded: list[tuple[int, str]] = []
    for p0, part in parts:  # 京沪高速铁路和千万吨级炼油厂: two items, the first ending in a head word
        m = re.search(r"(和|及|以及)", part)
        if m and part[: m.start()].endswith(lx.project_heads):
            expanded += [(p0, part[: m.start()]), (p0 + m.end(), part[m.end():])]
        else:
            expanded.append((p0, part))
    for k, (p0, part) in enumerate(expanded):
        if "等" in part or "一批" in part:
            continue
        s, e = p0, p0 + len(part)
        if k == 0:
            s = max(left_edge(text, e, len(part), 2, lx=lx), e - 16)
            name = strip_lead_words(text[s:e], 2, lx)
            s = e - len(name)
        name = text[s:e]
        if not _item_ok(lx, name, cls, suffix, home, strict):
            continue
        canon = name if name.endswith(suffix) else name + suffix
        out.append(Mention(s, e, cls, name, canon, "enumeration"))
    return out


def _item_ok(lx: Lexicon, name: str, cls: str, suffix: str, home: Home, strict: bool) -> bool:
    if cls == "Project" and all(w in lx.industry_words or w in lx.generic for w in words(name)):
        return False  # 石化钢铁: an industry, not a project
    if not re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9()（）]{2,24}", name) or QUANTITY.match(name) \
            or COUNTED.search(name) or name in lx.generic or gazetteer().lookup(name) \
            or place_prefix(name + "X")[0] == name:
        return False
    registered = name.endswith(INSTITUTION_HEADS)  # 纺织袜业设计研究院等18户企业
    if cls == "Enterprise" and len(name) >= 4 and name.endswith(FIRM_ENDS) and not_generic(lx, name[:-2]):
        return True  # 京东集团、巨人集团、快手科技等企业: a firm's head word in a list of firms
    if cls == "Enterprise" and not registered and (len(name) > 12 or not (
            brand_like(lx, name[:2], -1, set()) or brand_like(lx, name[:3], -1, set())
            or name.startswith(tuple(lx.brand_words)) or unknown_runs(name[:4], lx))):
        return False
    if cls != "Enterprise" and not not_generic(lx, name):
        return False
    if cls == "Institution" and (len(name) < 4 or not specific(lx, name, home)):
        return False
    if (cls == "Project" and strict or suffix == "园区") and not specific(lx, name, home) \
            and not (cls == "Project" and local_project(lx, name, home)):
        return False
    if not strict and (len(name) < 4 or not local_project(lx, name, home) and not specific(lx, name, home)):
        return False
    return True
