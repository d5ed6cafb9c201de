"""Benchmark the embedded SPARQL store (pyoxigraph) against rdflib on synthetic graphs of the contract's shape.

    .venv/bin/python scripts/bench_sparql.py --quick          # 100k triples, < 1 minute
    .venv/bin/python scripts/bench_sparql.py                  # 1M and 10M triples (rdflib at 1M only)
    .venv/bin/python scripts/bench_sparql.py --sizes 2e5,1e6 --runs 3 --rdflib-max 2e5

For each size a deterministic graph (seeded random) in the shape of ../shared/SCHEMA.md is streamed to an
N-Triples file on disk (never held as Python objects): persons, enterprises, government bodies,
institutions, parks, projects and places with rdfs:label@zh (some @en) and skos:altLabel; one
kgo:Document per synthetic news item (title, date, source, newspaper, short kgo:text); per document
org:Membership nodes (org:member, org:role -> org:Role, org:organization, kgo:roleLabel, kgo:asOf),
kgo:locatedIn / kgo:undertakes / kgo:cooperatesWith / kgo:recognizedAs / org:subOrganizationOf triples,
each with an rdf:Statement,
kgo:Agreement nodes (kgo:party, kgo:signatory, kgo:witness, dcterms:date), kgo:Evidence nodes (kgo:text,
kgo:start, kgo:end, prov:wasDerivedFrom the document) and kgo:mentionedIn. Entity popularity is skewed
(a few hubs are mentioned very often), officials mostly hold the same post across documents.

Measured per size and engine, each engine in its own forked process (so peak RSS is per engine):
  load     pyoxigraph Store().bulk_load(path=..., format=N_TRIPLES) in memory; rdflib Graph().parse(format="nt")
           (rdflib only up to --rdflib-max triples: it needs ~30 s and >1 GB per million triples).
  queries  every queries/**/*.rq of the repo (read at run time; the contract prefixes are predeclared, as in
           kg.store; names of the seeds' graph in their VALUES blocks, e.g. 中国一汽, are swapped for hub
           entities of the same class, see --keep-query-names) plus 8 built-in researcher queries (posts
           of an official, projects per enterprise, cooperation pairs, evidence for an entity by label,
           counts per class, co-mentions, enterprises in a city, agreements of an official). Each query
           runs --runs times; the time includes materialising all result rows; p50 and max per query.
           A run starts only if it is expected to end within --budget seconds for that query; a run that
           overruns the budget is killed and reported as "timeout" (queries run in a forked child).
           Row counts of the two engines are compared ("a≠b" in the rows column when they differ).
  overall  p50 = median of the per-query p50s (each query counts once), for all queries and for each
           folder (queries/, builtin/); a timeout counts as the budget, which leaves the median exact
           unless it is the budget itself (then shown as "≥"); ratio = rdflib / pyoxigraph.
Goal checked: overall p50 <= --goal-ms on the largest size (10M by default) on pyoxigraph, and pyoxigraph
>= --goal-ratio times faster than rdflib (overall p50 ratio at the largest size rdflib was run on).
Peak RSS: ru_maxrss of each engine process and its query children (resource.getrusage / wait4).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import resource
import select
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATOR_VERSION = 2

KGO = "https://w3id.org/zhengqi/ontology#"
KGR = "https://w3id.org/zhengqi/id/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"

try:  # the same predeclared prefixes as the project's store (kg.store.run_query)
    from kg.store import QUERY_PREFIXES
except Exception:  # noqa: BLE001 - the benchmark must run even while kg/ is being edited
    QUERY_PREFIXES = {"kgo": KGO, "kgr": KGR, "org": ORG, "prov": PROV, "skos": SKOS, "dcterms": DCT,
                      "rdf": RDF, "rdfs": RDFS, "xsd": XSD}


# ====================================================================== synthetic graph

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
SYL = "辽源吉长春松白山通化延边四平安东丰西龙梅河口盛德兴隆宁远清泉阳新华和平泰来永定富民金城宝庆嘉禾云台凤鸣青岭"
ENT_CORE = "启星天楹鑫达亿瑞华润恒通中汇博友宏远金禾博瑞伟业泰丰瀚海远航利民凯盛永信盛元祥和国泰安泰同创联合"
INDUSTRY = ["铝业", "钢铁", "化工", "新能源", "汽车零部件", "医药", "食品", "纺织", "电子", "机械", "建材",
            "碳业", "生物科技", "农业发展", "物流", "电力", "矿业", "智能装备", "光伏", "储能科技"]
BODY_SUFFIX = [("人民政府", "政府"), ("委员会", "委"), ("工业和信息化局", "工信局"), ("发展和改革委员会", "发改委"),
               ("商务局", "商务局"), ("人民代表大会常务委员会", "人大常委会"), ("政协", "政协"),
               ("生态环境局", "环保局"), ("交通运输局", "交通局"), ("财政局", "财政局"),
               ("科学技术局", "科技局"), ("自然资源局", "资源局")]
INST_SUFFIX = ["大学", "理工学院", "职业技术学院", "科学研究院", "日报社", "商会", "中心医院", "设计研究院"]
PARK_SUFFIX = [("高新技术产业开发区", "高新区"), ("经济开发区", "经开区"), ("化工园区", "化工园"),
               ("产业园", "产业园"), ("工业集中区", "工业区")]
PRODUCTS = ["年产10万吨铝型材", "75MN挤压生产线", "风光储氢氨醇一体化", "新能源汽车零部件", "智能制造产业园",
            "锂电池材料", "生物医药产业园", "光伏发电", "冷链物流园", "绿色建材", "氢能装备", "碳纤维",
            "污水处理厂", "棚户区改造", "数据中心", "梅花鹿精深加工"]
PLACE_SUFFIX = ["省", "市", "县", "镇", "村"]
PLACE_SUFFIX_ALT = ["省", "市", "区", "乡", "屯"]
BODY_ROLES = ["市长", "副市长", "市委书记", "市委副书记", "局长", "副局长", "主任", "副主任", "区长", "县长",
              "党组书记", "秘书长", "常务副市长", "县委书记", "镇长"]
ENT_ROLES = ["董事长", "总经理", "副总经理", "党委书记", "总工程师", "董事", "监事会主席"]
DESIGNATIONS = ["省首批制造业单项冠军", "国家级专精特新小巨人企业", "省级专精特新中小企业", "国家高新技术企业",
                "省级绿色工厂", "省级企业技术中心", "国家级绿色工厂", "省级智能制造示范工厂",
                "国家知识产权优势企业", "省级瞪羚企业", "市级龙头企业", "省级农业产业化龙头企业"]
TOPICS = ["战略合作框架协议", "产业链招商项目签约", "供应链试点合作框架协议", "校企合作协议", "投资合作协议",
          "绿色零碳园区合作协议", "新能源汽车购车签约"]
NEWSPAPERS = ["辽源日报", "吉林日报", "长春日报", "东丰日报"]
FILLER = ["会议强调，要坚持稳中求进工作总基调。", "与会人员进行了深入交流。", "活动现场气氛热烈。",
          "下一步将持续优化营商环境。", "双方表示将进一步加强沟通对接。"]

MASK48 = (1 << 48) - 1
SLUGS = ["person", "enterprise", "body", "institution", "park", "project", "place", "agreement",
         "doc", "evidence", "statement", "membership", "role", "designation"]
CLASSES = ["Person", "Enterprise", "GovernmentBody", "Institution", "IndustrialPark", "Project", "Place"]
P, E, B, I, K, J, L = range(7)  # pool numbers (same order as CLASSES)


def code(i: int, alphabet: str, min_len: int = 1) -> str:
    """A unique string for each i (least significant digit first, so neighbours differ in the first char)."""
    n, out = len(alphabet), []
    while True:
        i, r = divmod(i, n)
        out.append(alphabet[r])
        if i == 0 and len(out) >= min_len:
            return "".join(out)


def hid(kind: int, i: int) -> str:
    """A stable 12-hex id like the builder's stable_id (a bijection of i for each kind)."""
    return format(((i + 1) * 0x9E3779B97F4A7C15 + kind * 0x5851F42D4C957F2D) & MASK48, "012x")


def place_depth(i: int) -> int:
    d = 0
    while i > 0:
        i = (i - 1) // 8
        d += 1
    return min(d, 4)


def place_parent(i: int) -> int:
    return (i - 1) // 8


def place_name(i: int) -> str:
    d = place_depth(i)
    suffix = (PLACE_SUFFIX if i % 3 else PLACE_SUFFIX_ALT)[d]
    return code(i, SYL, 2) + suffix


def person_name(i: int) -> str:
    s = len(SURNAMES)
    return SURNAMES[i % s] + code(i // s, GIVEN, 1)


def ent_short(i: int) -> str:
    return code(i, ENT_CORE, 2) + INDUSTRY[(i * 7 + i // 13) % len(INDUSTRY)]


def names(pool: int, i: int, n_places: int) -> tuple[str, list[str], str | None]:
    """(canonical @zh label, alt labels, @en label or None) of entity i of a pool."""
    if pool == P:
        return person_name(i), [], None
    if pool == E:
        short = ent_short(i)
        alts = [short] + ([code(i, ENT_CORE, 2) + "集团"] if i % 4 == 0 else [])
        return short + ("集团有限公司" if i % 5 == 0 else "有限公司"), alts, (f"Enterprise {i} Co., Ltd." if i % 3 == 0 else None)
    if pool == B:
        place = place_name((i // len(BODY_SUFFIX)) % n_places)
        full, short = BODY_SUFFIX[i % len(BODY_SUFFIX)]
        return place + full, [place[:-1] + short] if short != full else [], None
    if pool == I:
        return code(i, SYL, 2) + INST_SUFFIX[i % len(INST_SUFFIX)], [], (f"Institution {i}" if i % 2 == 0 else None)
    if pool == K:
        place = place_name(i % n_places)
        full, short = PARK_SUFFIX[(i // n_places) % len(PARK_SUFFIX)]
        return place + full, [place[:-1] + short], None
    if pool == J:
        product = PRODUCTS[i % len(PRODUCTS)] + ("二期" if (i // len(PRODUCTS)) % 3 == 1 else "")
        owner = project_owner(i)
        return ent_short(owner) + product + "项目", [product + "项目"], None
    if pool == L:
        name = place_name(i)
        return name, [name[:-1]] if len(name) > 2 else [], None
    raise ValueError(pool)


_n_enterprises = 1


def project_owner(j: int) -> int:
    return (j * 2654435761 >> 7) % _n_enterprises


def lit(text: str, lang: str = "zh") -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"@' + lang


def typed(value, dtype: str) -> str:
    return f'"{value}"^^<{XSD}{dtype}>'


def pool_sizes(target: int) -> list[int]:
    """Entity pools, proportional to the target size (only entities that are mentioned are written)."""
    return [max(50, target // 40), max(40, target // 70), max(12, target // 400), max(8, target // 900),
            max(5, target // 1500), max(40, target // 90), max(20, target // 1500)]


def probe(target: int, pool: int, rank: int = 0, alias: bool = False, county: bool = False) -> str:
    """The name of the rank-th most mentioned entity of a pool (places: the rank-th city or county)."""
    global _n_enterprises
    sizes = pool_sizes(target)
    _n_enterprises = sizes[E]
    i = (9 + rank if county else 1 + rank) if pool == L else rank
    name, alts, _ = names(pool, i, sizes[L])
    return alts[0] if alias and alts else name


def probes(target: int) -> dict[str, str]:
    """Labels the built-in queries ask for: the most mentioned person/enterprise, a city-level place."""
    return {"person": probe(target, P), "enterprise": probe(target, E), "city": probe(target, L)}


# names in the seeds' graph that queries/*.rq use in VALUES: (subject, pool, is an alias); used when
# out/graph.ttl is missing, otherwise read from it
SEED_NAMES = {"中国一汽": ("faw", E, False), "一汽": ("faw", E, True), "启星铝业": ("qixing", E, False),
              "辽源市人民政府": ("lygov", B, False), "东丰县": ("dongfeng", L, False),
              "辽源市": ("liaoyuan", L, False), "程宇": ("chengyu", P, False)}


def seed_names() -> dict[str, tuple[str, int, bool]]:
    """Names of the seeds' graph (out/graph.ttl): label -> (subject, pool, is an alias)."""
    found: dict[str, tuple[str, int, bool]] = {}
    graph = ROOT / "out" / "graph.ttl"
    try:
        import pyoxigraph as ox

        types, labels = {}, []
        pools = {f"{KGO}{c}": n for n, c in enumerate(CLASSES)}
        for t in ox.parse(path=str(graph), format=ox.RdfFormat.TURTLE):
            p = t.predicate.value
            if p == f"{RDF}type" and t.object.value in pools:
                types[t.subject.value] = pools[t.object.value]
            elif p in (f"{RDFS}label", f"{SKOS}altLabel") and isinstance(t.object, ox.Literal):
                labels.append((t.object.value, t.subject.value, p.endswith("altLabel")))
        for text, subject, alias in labels:
            if subject in types and (text not in found or not alias):
                found[text] = (subject, types[subject], alias)
    except Exception:  # noqa: BLE001 - no graph built yet, or being rebuilt: the fixed list will do
        found = {}
    return found or dict(SEED_NAMES)


def substitute_names(text: str, target: int, known: dict, ranks: dict) -> tuple[str, list[str]]:
    """Replace seed names in VALUES blocks by the names of hub entities of the same class in the
    synthetic graph (distinct seed entities -> distinct hubs), so that lookups find something."""
    import re

    changes = []

    def values(m):
        def one(lm):
            name = lm.group(1)
            if name not in known:
                return lm.group(0)
            subject, pool, alias = known[name]
            rank = ranks.setdefault(pool, {}).setdefault(subject, len(ranks[pool]))
            new = probe(target, pool, rank, alias, county=pool == L and name[-1:] in "县区旗")
            changes.append(f"{name}→{new}")
            return f'"{new}"'
        return re.sub(r'"([^"\\\n]+)"', one, m.group(0))
    text = re.sub(r"(?m)^(?!\s*#)[^#\n]*VALUES\s[^{]*\{[^}]*\}", values, text)
    return text, changes


def generate(path: Path, target: int, seed: int) -> dict:
    """Stream a synthetic graph of about ``target`` distinct triples to ``path`` (N-Triples)."""
    global _n_enterprises
    rnd = random.Random(seed)
    rand, randint, choice = rnd.random, rnd.randint, rnd.choice
    sizes = pool_sizes(target)
    _n_enterprises = sizes[E]
    n_places = sizes[L]
    created = [bytearray(n) for n in sizes]
    counts = {c: 0 for c in CLASSES}
    counts.update(Membership=0, Statement=0, Evidence=0, Agreement=0, Document=0)
    seen_facts: set[int] = set()
    roles_done: set[str] = set()
    designations_done: set[int] = set()
    buf: list[str] = []
    written = 0

    T_TYPE = f"<{RDF}type>"
    T_LABEL, T_ALT = f"<{RDFS}label>", f"<{SKOS}altLabel>"
    T_MENT, T_DERIV = f"<{KGO}mentionedIn>", f"<{PROV}wasDerivedFrom>"
    T_TEXT, T_START, T_END = f"<{KGO}text>", f"<{KGO}start>", f"<{KGO}end>"
    PRED = {"locatedIn": f"<{KGO}locatedIn>", "undertakes": f"<{KGO}undertakes>",
            "cooperatesWith": f"<{KGO}cooperatesWith>", "recognizedAs": f"<{KGO}recognizedAs>",
            "subOrganizationOf": f"<{ORG}subOrganizationOf>"}
    PRED_NO = {k: n for n, k in enumerate(PRED)}
    slug_of = ["person", "enterprise", "body", "institution", "park", "project", "place"]

    def iri(kind: int, i: int) -> str:
        return f"<{KGR}{SLUGS[kind]}/{hid(kind, i)}>"

    def pick(pool: int, skew: float = 2.0) -> int:
        return int(sizes[pool] * rand() ** skew)

    out = path.open("w", encoding="utf-8", buffering=1 << 20)
    t0 = time.perf_counter()
    doc = 0
    while written < target:
        d_iri = f"<{KGR}doc/{doc:07d}_{hid(8, doc)}>"
        date = f"20{18 + doc * 7 // max(1, target // 200) % 8:02d}-{1 + doc % 12:02d}-{1 + doc % 28:02d}"
        sentences: list[str] = []
        offset = 0
        mentioned: set[tuple[int, int]] = set()
        ev_iri = None

        def entity(pool: int, i: int) -> tuple[str, str]:
            """The IRI and canonical name of an entity; writes it on first use and its mention in this doc."""
            nonlocal written
            s = f"<{KGR}{slug_of[pool]}/{hid(pool, i)}>"
            name, alts, en = names(pool, i, n_places)
            if not created[pool][i]:
                created[pool][i] = 1
                counts[CLASSES[pool]] += 1
                buf.append(f"{s} {T_TYPE} <{KGO}{CLASSES[pool]}> .\n{s} {T_LABEL} {lit(name)} .\n")
                written += 2
                for a in alts:
                    buf.append(f"{s} {T_ALT} {lit(a)} .\n")
                    written += 1
                if en:
                    buf.append(f"{s} {T_LABEL} {lit(en, 'en')} .\n")
                    written += 1
            if (pool, i) not in mentioned:
                mentioned.add((pool, i))
                buf.append(f"{s} {T_MENT} {d_iri} .\n")
                written += 1
            return s, name

        def evidence(text: str, reuse: bool = True) -> str:
            """An evidence node for a sentence of this doc (sometimes the previous sentence's node)."""
            nonlocal offset, written, ev_iri
            if reuse and ev_iri is not None and rand() < 0.25:
                return ev_iri
            start, end = offset, offset + len(text)
            sentences.append(text)
            offset = end
            e = f"<{KGR}evidence/{hid(9, counts['Evidence'])}>"
            counts["Evidence"] += 1
            buf.append(f"{e} {T_TYPE} <{KGO}Evidence> .\n{e} {T_DERIV} {d_iri} .\n{e} {T_TEXT} {lit(text)} .\n"
                       f"{e} {T_START} {typed(start, 'integer')} .\n{e} {T_END} {typed(end, 'integer')} .\n")
            written += 5
            ev_iri = e
            return e

        def fact(sp: int, si: int, pred: str, op: int, oi: int, text: str) -> None:
            """A plain triple with its rdf:Statement (one per distinct triple) and evidence."""
            nonlocal written
            s, _ = entity(sp, si)
            o, _ = (entity(op, oi) if op >= 0 else (f"<{KGR}designation/{hid(13, oi)}>", ""))
            key = ((((PRED_NO[pred] * 8 + sp) << 32 | si) * 8 + (op if op >= 0 else 7)) << 32) | oi
            st = f"<{KGR}statement/{hid(10, hash(key) & MASK48)}>"
            ev = evidence(text)
            if key not in seen_facts:
                seen_facts.add(key)
                counts["Statement"] += 1
                p = PRED[pred]
                buf.append(f"{s} {p} {o} .\n{st} {T_TYPE} <{RDF}Statement> .\n{st} <{RDF}subject> {s} .\n"
                           f"{st} <{RDF}predicate> {p} .\n{st} <{RDF}object> {o} .\n")
                written += 5
            buf.append(f"{st} {T_DERIV} {ev} .\n")
            written += 1

        # --- posts
        for _ in range(randint(1, 5)):
            p = pick(P)
            if rand() < 0.8:  # an official's usual post
                at_ent = p % 4 == 0
                org_pool, org_i = (E, (p * 31) % sizes[E]) if at_ent else (B, (p * 17) % sizes[B])
                role = (ENT_ROLES if at_ent else BODY_ROLES)[(p // 7) % (len(ENT_ROLES) if at_ent else len(BODY_ROLES))]
            else:
                at_ent = rand() < 0.3
                org_pool, org_i = (E, pick(E)) if at_ent else (B, pick(B))
                role = choice(ENT_ROLES if at_ent else BODY_ROLES)
            ps, pname = entity(P, p)
            has_org = rand() < 0.9
            os_, oname = entity(org_pool, org_i) if has_org else ("", "")
            ev = evidence(f"{oname}{role}{pname}出席会议并讲话。" if rand() < 0.5 else f"{pname}任{oname}{role}。")
            m = f"<{KGR}membership/{hid(11, counts['Membership'])}>"
            counts["Membership"] += 1
            r = f"<{KGR}role/{hashlib.md5(role.encode()).hexdigest()[:12]}>"
            if role not in roles_done:
                roles_done.add(role)
                buf.append(f"{r} {T_TYPE} <{ORG}Role> .\n{r} {T_LABEL} {lit(role)} .\n")
                written += 2
            buf.append(f"{m} {T_TYPE} <{ORG}Membership> .\n{m} <{ORG}member> {ps} .\n{m} <{ORG}role> {r} .\n"
                       f"{m} <{KGO}roleLabel> {lit(role)} .\n{m} <{KGO}asOf> {typed(date, 'date')} .\n"
                       f"{m} {T_DERIV} {ev} .\n")
            written += 6
            if has_org:
                buf.append(f"{m} <{ORG}organization> {os_} .\n")
                written += 1

        # --- plain relations
        for _ in range(randint(2, 8)):
            x = rand()
            if x < 0.07:  # part of: a bureau of a government, a unit of an enterprise group
                if rand() < 0.5:
                    b = pick(B)
                    if b % len(BODY_SUFFIX) >= 2:
                        par = b - b % len(BODY_SUFFIX)
                        fact(B, b, "subOrganizationOf", B, par, f"{entity(B, b)[1]}是{entity(B, par)[1]}组成部门。")
                else:
                    e = pick(E)
                    if e >= 10:
                        par = e // 10
                        fact(E, e, "subOrganizationOf", E, par, f"{entity(E, e)[1]}系{entity(E, par)[1]}旗下企业。")
            elif x < 0.38:  # located in
                y = rand()
                if y < 0.35:
                    e = pick(E)
                    if rand() < 0.3:
                        k = pick(K)
                        fact(E, e, "locatedIn", K, k, f"{entity(E, e)[1]}落户{entity(K, k)[1]}。")
                    else:
                        pl = pick(L, 1.5)
                        fact(E, e, "locatedIn", L, pl, f"{entity(E, e)[1]}位于{entity(L, pl)[1]}。")
                elif y < 0.55:
                    j = pick(J)
                    k = pick(K)
                    fact(J, j, "locatedIn", K, k, f"{entity(J, j)[1]}坐落在{entity(K, k)[1]}。")
                elif y < 0.7:
                    k = pick(K)
                    pl = k % n_places
                    fact(K, k, "locatedIn", L, pl, f"{entity(K, k)[1]}地处{entity(L, pl)[1]}。")
                elif y < 0.85:
                    b = pick(B)
                    pl = (b // len(BODY_SUFFIX)) % n_places
                    fact(B, b, "locatedIn", L, pl, f"{entity(B, b)[1]}驻地{entity(L, pl)[1]}。")
                else:
                    pl = 1 + pick(L, 1.2) % max(1, n_places - 1)
                    par = place_parent(pl)
                    fact(L, pl, "locatedIn", L, par, f"{entity(L, pl)[1]}隶属{entity(L, par)[1]}。")
            elif x < 0.62:  # undertakes
                j = pick(J)
                e = project_owner(j) if rand() < 0.85 else pick(E)
                fact(E, e, "undertakes", J, j, f"{entity(E, e)[1]}投资建设{entity(J, j)[1]}。")
            elif x < 0.86:  # cooperates with
                a_pool = choice((E, E, B, L, I))
                b_pool = choice((E, I, I, E, B))
                a, b = pick(a_pool), pick(b_pool)
                if (a_pool, a) != (b_pool, b):
                    fact(a_pool, a, "cooperatesWith", b_pool, b,
                         f"{entity(a_pool, a)[1]}与{entity(b_pool, b)[1]}签署合作协议，双方将深化合作。")
            else:  # recognized as
                e = pick(E)
                dn = (e + randint(0, 3)) % len(DESIGNATIONS)
                if dn not in designations_done:
                    designations_done.add(dn)
                    dd = f"<{KGR}designation/{hid(13, dn)}>"
                    buf.append(f"{dd} {T_TYPE} <{KGO}Designation> .\n{dd} {T_LABEL} {lit(DESIGNATIONS[dn])} .\n")
                    written += 2
                fact(E, e, "recognizedAs", -1, dn, f"{entity(E, e)[1]}被认定为{DESIGNATIONS[dn]}。")

        # --- agreements
        if rand() < 0.2:
            a_iri = f"<{KGR}agreement/{hid(7, counts['Agreement'])}>"
            counts["Agreement"] += 1
            p1_pool, p2_pool = choice((B, L)), choice((E, E, I))
            p1, p1n = entity(p1_pool, pick(p1_pool))
            p2, p2n = entity(p2_pool, pick(p2_pool))
            title = f"{p1n}与{p2n}{choice(TOPICS)}"
            sigs = [entity(P, pick(P)) for _ in range(randint(1, 2))]
            wits = [entity(P, pick(P)) for _ in range(randint(0, 2))]
            text = (f"{p1n}与{p2n}签署《{title}》，{'、'.join(n for _, n in sigs)}代表双方签约"
                    + (f"，{'、'.join(n for _, n in wits)}见证签约。" if wits else "。"))
            ev = evidence(text, reuse=False)
            buf.append(f"{a_iri} {T_TYPE} <{KGO}Agreement> .\n{a_iri} {T_LABEL} {lit(title)} .\n"
                       f"{a_iri} <{KGO}party> {p1} .\n{a_iri} <{KGO}party> {p2} .\n"
                       f"{a_iri} <{DCT}date> {typed(date, 'date')} .\n{a_iri} {T_DERIV} {ev} .\n"
                       f"{a_iri} {T_MENT} {d_iri} .\n")
            written += 7
            for s, _ in sigs:
                buf.append(f"{a_iri} <{KGO}signatory> {s} .\n")
            for s, _ in wits:
                buf.append(f"{a_iri} <{KGO}witness> {s} .\n")
            written += len(sigs) + len(wits)

        # --- the document itself
        sentences.append(FILLER[doc % len(FILLER)])
        title = sentences[0][:20].rstrip("。，")
        buf.append(f"{d_iri} {T_TYPE} <{KGO}Document> .\n{d_iri} {T_TEXT} {lit(''.join(sentences))} .\n"
                   f"{d_iri} <{DCT}title> {lit(title)} .\n{d_iri} <{DCT}date> {typed(date, 'date')} .\n"
                   f"{d_iri} <{DCT}source> \"{doc:07d}.txt\" .\n"
                   f"{d_iri} <{DCT}isPartOf> {lit(NEWSPAPERS[doc % len(NEWSPAPERS)] + f' 第{1 + doc // 40}期')} .\n")
        written += 6
        counts["Document"] += 1
        doc += 1
        if len(buf) > 4000:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))
    out.close()
    return {"lines": written, "seconds": time.perf_counter() - t0, "bytes": path.stat().st_size,
            "counts": counts}


# ====================================================================== queries

BUILTIN = {
    "posts_by_official": """
SELECT ?role ?org ?orgName ?date WHERE {
  ?p rdfs:label "«person»"@zh .
  ?m org:member ?p ; kgo:roleLabel ?role ; kgo:asOf ?date .
  OPTIONAL { ?m org:organization ?org . ?org rdfs:label ?orgName FILTER(lang(?orgName) = "zh") }
} ORDER BY DESC(?date)""",
    "projects_per_enterprise": """
SELECT ?e ?name (COUNT(DISTINCT ?project) AS ?projects) WHERE {
  ?e a kgo:Enterprise ; kgo:undertakes ?project ; rdfs:label ?name .
  FILTER(lang(?name) = "zh")
} GROUP BY ?e ?name ORDER BY DESC(?projects) LIMIT 20""",
    "cooperation_pairs": """
SELECT ?aName ?bName WHERE {
  ?a kgo:cooperatesWith ?b .
  ?a a kgo:Enterprise ; rdfs:label ?aName . ?b a kgo:Institution ; rdfs:label ?bName .
  FILTER(lang(?aName) = "zh" && lang(?bName) = "zh")
} ORDER BY ?aName ?bName LIMIT 100""",
    "evidence_for_entity": """
SELECT ?s ?p ?o ?text ?doc ?start ?end WHERE {
  ?x rdfs:label|skos:altLabel "«enterprise»"@zh .
  { ?st rdf:subject ?x } UNION { ?st rdf:object ?x }
  ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?ev .
  ?ev kgo:text ?text ; prov:wasDerivedFrom ?doc ; kgo:start ?start ; kgo:end ?end .
}""",
    "counts_per_class": """
SELECT ?class (COUNT(?x) AS ?n) WHERE { ?x a ?class } GROUP BY ?class ORDER BY DESC(?n)""",
    "co_mentions": """
SELECT ?y ?name (COUNT(DISTINCT ?d) AS ?docs) WHERE {
  ?x rdfs:label "«person»"@zh ; kgo:mentionedIn ?d .
  ?y kgo:mentionedIn ?d ; rdfs:label ?name .
  FILTER(?y != ?x && lang(?name) = "zh")
} GROUP BY ?y ?name ORDER BY DESC(?docs) LIMIT 20""",
    "enterprises_in_city": """
SELECT ?e ?name WHERE {
  ?city rdfs:label "«city»"@zh .
  ?e a kgo:Enterprise ; kgo:locatedIn+ ?city ; rdfs:label ?name .
  FILTER(lang(?name) = "zh")
}""",
    "agreements_of_official": """
SELECT ?a ?title ?date ?partyName WHERE {
  ?p rdfs:label "«person»"@zh .
  ?a kgo:signatory|kgo:witness ?p ; rdfs:label ?title ; kgo:party ?party .
  ?party rdfs:label ?partyName FILTER(lang(?partyName) = "zh")
  OPTIONAL { ?a dcterms:date ?date }
}""",
}


def load_queries(target: int, folder: Path, builtin: bool, files: bool, keep_names: bool,
                 verbose: bool) -> list[tuple[str, str]]:
    queries = []
    if files and folder.is_dir():
        known, ranks = ({}, {}) if keep_names else (seed_names(), {})
        for f in sorted(folder.rglob("*.rq")):
            text = f.read_text(encoding="utf-8")
            name = f"{folder.name}/{f.relative_to(folder)}"
            if not keep_names:
                text, changes = substitute_names(text, target, known, ranks)
                if changes and verbose:
                    print(f"  {name}: {', '.join(changes)}", flush=True)
            queries.append((name, text))
    if builtin:
        for name, text in BUILTIN.items():
            for key, value in probes(target).items():
                text = text.replace(f"«{key}»", value)
            queries.append((f"builtin/{name}", text.strip()))
    return queries


# ====================================================================== engines

def load_store(engine: str, path: Path):
    if engine == "pyoxigraph":
        import pyoxigraph as ox

        store = ox.Store()
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
        return store
    from rdflib import Graph

    g = Graph()
    g.parse(str(path), format="nt")
    return g


def store_size(engine: str, store) -> int:
    return len(store)


def execute(engine: str, store, query: str) -> int:
    """Run a query and materialise every row; returns the number of rows (triples, or 1 for ASK)."""
    if engine == "pyoxigraph":
        import pyoxigraph as ox

        res = store.query(query, prefixes=QUERY_PREFIXES)
        if isinstance(res, ox.QueryBoolean):
            return 1
        if isinstance(res, ox.QueryTriples):
            return sum(1 for _ in res)
        return len([tuple(sol) for sol in res])
    res = store.query(query, initNs=QUERY_PREFIXES)
    if res.type == "ASK":
        return 1
    return len([tuple(row) for row in res])


# ====================================================================== forked children

class Child:
    """A forked child that reports JSON lines through a pipe; the parent reads them with timeouts."""

    def __init__(self, fn, *args) -> None:
        r, w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # child
            os.close(r)
            code = 0

            def send(**msg) -> None:
                data = (json.dumps(msg, ensure_ascii=False) + "\n").encode()
                while data:
                    data = data[os.write(w, data):]
            try:
                fn(send, *args)
            except BaseException as exc:  # noqa: BLE001
                code = 1
                try:
                    send(event="crash", error=f"{type(exc).__name__}: {exc}")
                except Exception:  # noqa: BLE001
                    pass
            os._exit(code)
        os.close(w)
        self.pid, self.fd, self.buf, self.eof = pid, r, b"", False

    def recv(self, deadline: float | None = None) -> dict | None:
        """The next message; None at end of stream; raises TimeoutError when the deadline passes."""
        while b"\n" not in self.buf:
            if self.eof:
                return None
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.fd], [], [], wait)
            if not ready:
                raise TimeoutError
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                self.eof = True
                if not self.buf:
                    return None
                self.buf += b"\n"
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line) if line.strip() else self.recv(deadline)

    def finish(self, kill: bool = False) -> int:
        """Reap the child (killing it first if asked); returns its peak RSS in bytes."""
        if kill:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.close(self.fd)
        _, _, usage = os.wait4(self.pid, 0)
        return usage.ru_maxrss * 1024


def query_child(send, engine: str, store, queries: list[tuple[str, str]], first: int, runs: int,
                budget: float) -> None:
    for q in range(first, len(queries)):
        send(event="start", query=q)
        total = last = 0.0
        for k in range(runs):
            if k and total + last > budget:
                break
            t = time.perf_counter()
            try:
                rows = execute(engine, store, queries[q][1])
            except Exception as exc:  # noqa: BLE001 - a query one engine cannot parse or run
                send(event="error", query=q, error=f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
                break
            last = time.perf_counter() - t
            total += last
            send(event="run", query=q, seconds=last, rows=rows)
        send(event="done", query=q)


def engine_child(send, engine: str, path: str, queries: list[tuple[str, str]], runs: int,
                 budget: float) -> None:
    """Load the graph, then run the queries in forked grandchildren (killed when over budget)."""
    t = time.perf_counter()
    store = load_store(engine, Path(path))
    seconds = time.perf_counter() - t
    send(event="loaded", seconds=seconds, triples=store_size(engine, store),
         rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    peak = 0
    q = 0
    while q < len(queries):
        child = Child(query_child, engine, store, queries, q, runs, budget)
        deadline = None
        current = q
        killed = False
        while True:
            try:
                msg = child.recv(deadline)
            except TimeoutError:
                send(event="timeout", query=current)
                killed = True
                break
            if msg is None:
                break
            if msg["event"] == "start":
                current = msg["query"]
                deadline = time.monotonic() + budget * 1.1 + 0.3
            elif msg["event"] == "done":
                deadline = None
            send(**msg)
        peak = max(peak, child.finish(kill=killed))
        q = current + 1 if killed else len(queries)
    send(event="rss", rss=max(peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024))


def run_engine(engine: str, path: Path, queries: list[tuple[str, str]], runs: int, budget: float,
               load_timeout: float, verbose: bool) -> dict:
    res = {"engine": engine, "load": None, "triples": None, "rss": None, "queries": {}}
    for name, _ in queries:
        res["queries"][name] = {"times": [], "rows": None, "status": "ok", "error": None}
    child = Child(engine_child, engine, str(path), queries, runs, budget)
    deadline = time.monotonic() + load_timeout
    killed = False
    while True:
        try:
            msg = child.recv(deadline)
        except TimeoutError:
            res["load"] = "timeout"
            killed = True
            break
        if msg is None:
            break
        ev = msg["event"]
        if ev == "loaded":
            res["load"], res["triples"], res["rss"] = msg["seconds"], msg["triples"], msg["rss"]
            deadline = None
            if verbose:
                print(f"  {engine}: loaded {msg['triples']:,} triples in {msg['seconds']:.1f} s", flush=True)
        elif ev in ("run", "error", "timeout", "done"):
            q = res["queries"][queries[msg["query"]][0]]
            if ev == "run":
                q["times"].append(msg["seconds"])
                q["rows"] = msg["rows"]
            elif ev == "error":
                q["status"], q["error"] = "error", msg["error"]
            elif ev == "timeout":
                q["status"] = "timeout" if not q["times"] else "partial"
            if verbose and ev in ("done", "timeout", "error"):
                print(f"    {engine:10} {queries[msg['query']][0]:40} {fmt_stat(q, budget)}", flush=True)
        elif ev == "rss":
            res["rss"] = max(res["rss"] or 0, msg["rss"])
        elif ev == "crash":
            res["crash"] = msg["error"]
            print(f"  {engine}: crashed: {msg['error']}", file=sys.stderr, flush=True)
    res["rss"] = max(res["rss"] or 0, child.finish(kill=killed))
    return res


# ====================================================================== report

def ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    v = seconds * 1000
    return f"{v:.2f} ms" if v < 10 else f"{v:.1f} ms" if v < 1000 else f"{seconds:.2f} s"


def p50(q: dict) -> float | None:
    return statistics.median(q["times"]) if q["times"] else None


def fmt_stat(q: dict, budget: float) -> str:
    if q["status"] == "error":
        return f"error: {q['error']}"
    if q["status"] == "timeout":
        return f"timeout (> {budget:g} s)"
    extra = f" ({len(q['times'])} runs, budget)" if q["status"] == "partial" else ""
    return f"p50 {ms(p50(q))}  max {ms(max(q['times']) if q['times'] else None)}  rows {q['rows']}{extra}"


def effective_p50(q: dict, budget: float) -> tuple[float | None, bool]:
    """(p50, is_lower_bound): a timeout counts as the budget, as a lower bound."""
    if q["status"] == "timeout":
        return budget, True
    if q["status"] == "error" or not q["times"]:
        return None, False
    return p50(q), False


def gb(n: int | None) -> str:
    return "-" if not n else f"{n / 2**30:.2f} GB"


def overall(names: list[str], ox_r: dict | None, rd_r: dict | None, budget: float) -> dict:
    """Median of per-query p50s on each engine (queries that ran on pyoxigraph), their ratio, and the
    geometric mean of per-query ratios; rdflib timeouts count as the budget (then a lower bound)."""
    ox_p, rd_p, ratios, lower, ox_lower = [], [], [], False, False
    for name in names:
        op = effective_p50(ox_r["queries"][name], budget) if ox_r else (None, False)
        if op[0] is None:
            continue
        if op[1]:  # timed out on pyoxigraph too: no ratio, counts as the budget for the p50
            ox_lower = True
        ox_p.append(op[0])
        rp = effective_p50(rd_r["queries"][name], budget) if rd_r else (None, False)
        if rp[0] is not None:
            rd_p.append(rp[0])
            lower |= rp[1]
            if not op[1]:
                ratios.append(rp[0] / op[0])
    # a median is a rank statistic: counting timeouts as the budget leaves it exact unless it is the budget
    ox_lower = ox_lower and bool(ox_p) and statistics.median(ox_p) >= budget
    out = {"n": len(ox_p), "ox_p50": statistics.median(ox_p) if ox_p else None, "rd_p50": None,
           "ratio": None, "geo_ratio": None, "lower": False, "geo_lower": False, "ox_lower": ox_lower,
           "ox_timeouts": sum(1 for n in names if ox_r and ox_r["queries"][n]["status"] == "timeout"),
           "rd_timeouts": sum(1 for n in names if rd_r and rd_r["queries"][n]["status"] == "timeout")}
    if rd_r and rd_p and len(rd_p) == len(ox_p):
        out["rd_p50"] = statistics.median(rd_p)
        out["lower"] = lower and out["rd_p50"] >= budget
        out["ratio"] = out["rd_p50"] / out["ox_p50"]
        if ratios:
            out["geo_lower"] = lower
            out["geo_ratio"] = math.exp(statistics.fmean(math.log(r) for r in ratios))
    return out


def groups_of(queries) -> dict[str, list[str]]:
    groups = {"all": [n for n, _ in queries]}
    for n, _ in queries:
        groups.setdefault(n.split("/", 1)[0] + "/", []).append(n)
    return groups if len(groups) > 2 else {"all": groups["all"]}


def fmt_ratio(r: float | None, lower: bool) -> str:
    return (">" if lower else "") + (f"{r:.0f}x" if r >= 10 else f"{r:.1f}x") if r else "-"


def report_size(size: int, info: dict, results: dict, queries, budget: float) -> dict:
    ox_r, rd_r = results.get("pyoxigraph"), results.get("rdflib")
    print()
    print(f"=== {size:,} triples requested: {info['lines']:,} written, "
          f"{format(ox_r['triples'], ',') if ox_r and ox_r['triples'] else '?'} in the store; "
          f"N-Triples {info['bytes'] / 2**20:.0f} MB, generated in {info['seconds']:.1f} s ===")
    print("    " + ", ".join(f"{k} {v:,}" for k, v in info["counts"].items()))

    def load_s(r):
        if r is None:
            return "not run"
        return "timeout" if r["load"] == "timeout" else f"{r['load']:.2f} s" if r["load"] is not None else "crashed"

    ratio = ""
    if ox_r and rd_r and isinstance(ox_r["load"], float) and isinstance(rd_r["load"], float):
        ratio = f"   rdflib/pyoxigraph {rd_r['load'] / ox_r['load']:.1f}x"
    print(f"load: pyoxigraph {load_s(ox_r)}   rdflib {load_s(rd_r)}{ratio}")
    w = max(len(n) for n, _ in queries) + 1
    print(f"{'query':{w}} {'rows':>7} {'oxi p50':>10} {'oxi max':>10} {'rdflib p50':>11} {'rdflib max':>11} {'ratio':>8}")

    def cells(q):
        if q is None:
            return "-", "-"
        if q["status"] in ("timeout", "error") or not q["times"]:
            return q["status"], q["status"]
        return ms(p50(q)), ms(max(q["times"])) + ("*" if q["status"] == "partial" else "")

    for name, _ in queries:
        oq = ox_r["queries"][name] if ox_r else None
        rq = rd_r["queries"][name] if rd_r else None
        (o50, omax), (r50, rmax) = cells(oq), cells(rq)
        op = effective_p50(oq, budget) if oq else (None, False)
        rp = effective_p50(rq, budget) if rq else (None, False)
        rat = ""
        if op[0] is not None and rp[0] is not None and not op[1]:
            rat = fmt_ratio(rp[0] / op[0], rp[1])
        rows = oq["rows"] if oq and oq["rows"] is not None else (rq["rows"] if rq else None)
        if oq and rq and oq["rows"] is not None and rq["rows"] is not None and oq["rows"] != rq["rows"]:
            rows = f"{oq['rows']}≠{rq['rows']}"
        print(f"{name:{w}} {str(rows if rows is not None else '-'):>7} {o50:>10} {omax:>10} {r50:>11} {rmax:>11} {rat:>8}")
    for name, _ in queries:
        for eng, r in (("pyoxigraph", ox_r), ("rdflib", rd_r)):
            if r and r["queries"][name]["status"] == "error":
                print(f"  ! {eng} {name}: {r['queries'][name]['error']}")
    if any(q["status"] == "partial" for r in (ox_r, rd_r) if r for q in r["queries"].values()):
        print("  * fewer runs than asked: the next run would have overrun the budget")
    summary = {"size": size, "lines": info["lines"], "ox_load": ox_r["load"] if ox_r else None,
               "rd_load": rd_r["load"] if rd_r else None, "ox_rss": ox_r["rss"] if ox_r else None,
               "rd_rss": rd_r["rss"] if rd_r else None, "groups": {}}
    for group, names in groups_of(queries).items():
        g = summary["groups"][group] = overall(names, ox_r, rd_r, budget)
        label = f"overall p50, {group} ({g['n']} queries)"
        rd = (("≥" if g["lower"] else "") + ms(g["rd_p50"])) if g["rd_p50"] else "-"
        print(f"{label:{w}} {'':>7} {('≥' if g['ox_lower'] else '') + ms(g['ox_p50']):>10} {'':>10} {rd:>11} {'':>11} {fmt_ratio(g['ratio'], g['lower']):>8}"
              + (f"   geometric mean of ratios {fmt_ratio(g['geo_ratio'], g['geo_lower'])}" if g["geo_ratio"] else ""))
    print(f"peak RSS: pyoxigraph {gb(summary['ox_rss'])}   rdflib {gb(summary['rd_rss']) if rd_r else 'not run'}")
    print(f"timeouts (> {budget:g} s): pyoxigraph {summary['groups']['all']['ox_timeouts']}"
          + (f", rdflib {summary['groups']['all']['rd_timeouts']}" if rd_r else ""), flush=True)
    return summary


def report_all(summaries: list[dict], args) -> None:
    print()
    print("=== summary (query p50 = median over queries of each query's p50) ===")
    print(f"{'triples':>12} {'queries':>9} {'oxi load':>9} {'rdflib load':>12} {'ratio':>7} {'oxi p50':>10} "
          f"{'rdflib p50':>11} {'ratio':>7} {'oxi RSS':>9} {'rdflib RSS':>11}")
    for s in summaries:
        lr = (f"{s['rd_load'] / s['ox_load']:.1f}x" if isinstance(s["ox_load"], float)
              and isinstance(s["rd_load"], float) else "-")
        rl = s["rd_load"] if s["rd_load"] is not None else "not run"
        rl = f"{rl:.2f} s" if isinstance(rl, float) else rl
        ol = f"{s['ox_load']:.2f} s" if isinstance(s["ox_load"], float) else str(s["ox_load"])
        for i, (group, g) in enumerate(s["groups"].items()):
            rd = (("≥" if g["lower"] else "") + ms(g["rd_p50"])) if g["rd_p50"] else "-"
            head = (f"{s['lines']:>12,} {group:>9} {ol:>9} {rl:>12} {lr:>7}" if i == 0
                    else f"{'':>12} {group:>9} {'':>9} {'':>12} {'':>7}")
            tail = f" {gb(s['ox_rss']):>9} {gb(s['rd_rss']):>11}" if i == 0 else ""
            print(f"{head} {('≥' if g['ox_lower'] else '') + ms(g['ox_p50']):>10} {rd:>11} {fmt_ratio(g['ratio'], g['lower']):>7}{tail}")
    if not summaries:
        return
    big = max(summaries, key=lambda s: s["size"])
    print()
    note = "" if big["size"] >= 10_000_000 else f"  (note: the largest size run is {big['size']:,}, not 10M)"
    for group, g in big["groups"].items():
        ok = g["ox_p50"] is not None and g["ox_p50"] * 1000 <= args.goal_ms
        print(f"goal 1 [{group}]: pyoxigraph p50 <= {args.goal_ms:g} ms at {big['lines']:,} triples: "
              f"{'≥' if g['ox_lower'] else ''}{ms(g['ox_p50'])} -> {'HOLDS' if ok else 'FAILS'}{note}")
    with_rd = [s for s in summaries if s["groups"]["all"]["ratio"]]
    if not with_rd:
        print("goal 2: rdflib was not run (see --rdflib-max)")
        return
    r = max(with_rd, key=lambda s: s["size"])
    note = "" if r["size"] == big["size"] else f"  (rdflib not run at {big['size']:,}; raise --rdflib-max to measure it)"
    for group, g in r["groups"].items():
        if not g["ratio"]:
            continue
        ok = g["ratio"] >= args.goal_ratio
        print(f"goal 2 [{group}]: pyoxigraph >= {args.goal_ratio:g}x faster than rdflib at {r['lines']:,} triples: "
              f"p50 ratio {fmt_ratio(g['ratio'], g['lower'])}, geometric mean of per-query ratios "
              f"{fmt_ratio(g['geo_ratio'], g['geo_lower'])} -> {'HOLDS' if ok else 'FAILS'}{note}")


# ====================================================================== main

def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    mult = {"k": 10**3, "m": 10**6}.get(text[-1:], 1)
    return int(float(text[:-1] if mult > 1 else text) * mult)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1e6,1e7", type=lambda s: [parse_size(x) for x in s.split(",")],
                    help="comma-separated graph sizes in triples, e.g. 1e6,1e7 or 200k,1M (default: 1e6,1e7)")
    ap.add_argument("--quick", action="store_true",
                    help="one 100k-triple graph (overrides --sizes); finishes in well under a minute")
    ap.add_argument("--runs", type=int, default=None, help="runs per query and engine (default: 5; --quick: 3)")
    ap.add_argument("--rdflib-max", type=parse_size, default=1_000_000,
                    help="largest size rdflib is loaded at (default: 1e6; 0 = never run rdflib)")
    ap.add_argument("--budget", type=float, default=None,
                    help="time budget per query and engine in seconds: no new run starts if it would end "
                         "past it, a run that overruns it is killed and reported as timeout "
                         "(default: 60; --quick: 1)")
    ap.add_argument("--load-timeout", type=float, default=1800.0,
                    help="give up loading a graph into an engine after this many seconds (default: 1800)")
    ap.add_argument("--seed", type=int, default=42, help="random seed of the generator (default: 42)")
    ap.add_argument("--queries-dir", type=Path, default=ROOT / "queries",
                    help="folder whose *.rq files (recursively) are benchmarked too (default: <repo>/queries)")
    ap.add_argument("--no-builtin", action="store_true", help="skip the built-in queries")
    ap.add_argument("--no-files", action="store_true", help="skip the queries/*.rq files")
    ap.add_argument("--keep-query-names", action="store_true",
                    help="run queries/*.rq as written; by default names of the seeds' graph in their VALUES "
                         "blocks (中国一汽, 辽源市人民政府 …) are replaced by hub entities of the same class in the "
                         "synthetic graph, so that the lookups find something")
    ap.add_argument("--workdir", type=Path, default=None,
                    help="where the N-Triples files go (default: a temporary folder, removed at the end)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the generated files in --workdir and reuse them on the next run with the same "
                         "size and seed")
    ap.add_argument("--goal-ms", type=float, default=50.0, help="goal for pyoxigraph overall p50 (default: 50)")
    ap.add_argument("--goal-ratio", type=float, default=20.0,
                    help="goal for the rdflib/pyoxigraph p50 ratio (default: 20)")
    ap.add_argument("--json", type=Path, default=None, help="also write all measurements to this JSON file")
    ap.add_argument("-q", "--quiet", action="store_true", help="print only the tables, not progress")
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes = [100_000]
    args.runs = args.runs or (3 if args.quick else 5)
    args.budget = args.budget or (1.0 if args.quick else 60.0)
    if args.keep and args.workdir is None:
        ap.error("--keep needs --workdir")
    verbose = not args.quiet
    start = time.perf_counter()

    tmp = None
    if args.workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench_sparql_")
        workdir = Path(tmp.name)
    else:
        workdir = args.workdir
        workdir.mkdir(parents=True, exist_ok=True)

    summaries, everything = [], []
    try:
        for size in args.sizes:
            path = workdir / f"synthetic-{size}-s{args.seed}-v{GENERATOR_VERSION}.nt"
            meta = path.with_suffix(".json")
            if args.keep and path.exists() and meta.exists():
                info = json.loads(meta.read_text())
                if verbose:
                    print(f"{size:,}: reusing {path}", flush=True)
            else:
                if verbose:
                    print(f"{size:,}: generating {path} ...", flush=True)
                info = generate(path, size, args.seed)
                meta.write_text(json.dumps(info))
                if verbose:
                    print(f"  {info['lines']:,} triples, {info['bytes'] / 2**20:.0f} MB in {info['seconds']:.1f} s",
                          flush=True)
            queries = load_queries(size, args.queries_dir, not args.no_builtin, not args.no_files,
                                   args.keep_query_names, verbose)
            if not queries:
                print("no queries to run", file=sys.stderr)
                return 2
            results = {}
            engines = ["pyoxigraph"] + (["rdflib"] if size <= args.rdflib_max else [])
            for engine in engines:
                results[engine] = run_engine(engine, path, queries, args.runs, args.budget,
                                             args.load_timeout, verbose)
            summaries.append(report_size(size, info, results, queries, args.budget))
            everything.append({"size": size, "generated": info, "results": results,
                               "queries": [n for n, _ in queries]})
            if not args.keep:
                path.unlink(missing_ok=True)
                meta.unlink(missing_ok=True)
        report_all(summaries, args)
    finally:
        if tmp is not None:
            tmp.cleanup()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"\nthis process (generator) peak RSS {gb(own)}; total wall time {time.perf_counter() - start:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                         "summaries": summaries, "runs": everything}, ensure_ascii=False,
                                        indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
