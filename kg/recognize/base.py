"""What the recogniser finds (:class:`Mention`) and where a document comes from (:class:`Home`)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from kg.gazetteer import Division, gazetteer
from kg.recognize.lexicon import place_automaton

ORG_CLASSES = ("Enterprise", "GovernmentBody", "Institution", "IndustrialPark", "Project")


@dataclass(frozen=True)
class Mention:
    """A span of the document's text with a class; ``canonical`` is the full name it stands for."""

    start: int
    end: int
    label: str  # one of the 8 classes, or "Post" for a title
    text: str
    canonical: str
    source: str = "rule"
    nested: bool = False  # inside a longer name (the place in 辽源市人民政府)
    confirmed: bool = True  # False: the trained tagger's guess that no rule or check confirms (kg ner shows it; the graph does not use it)


@dataclass(frozen=True)
class Home:
    """Where a document comes from: resolves 市, 市委, 省, 本报, 高新区 …"""

    city: str | None = None
    city_short: str | None = None
    province: str | None = None
    province_short: str | None = None
    newspaper: str | None = None
    city_division: Division | None = field(default=None, compare=False, repr=False)
    county: str | None = None  # the county or district of the city a story is about (宜阳县), when one dominates

    @classmethod
    def of_city(cls, city: str | None, newspaper: str | None = None) -> "Home":
        gaz = gazetteer()
        div = gaz.best(city) if city else None
        if div is None:
            return cls(newspaper=newspaper)
        prov = div.ancestors()[-1] if div.parent else div
        city_short = div.short or div.name.rstrip("市")
        return cls(div.name, city_short, prov.name, prov.short or prov.name, newspaper or f"{city_short}日报", div)

    def fill(self, template: str) -> str | None:
        county = self.county if self.county and self.county.endswith("县") else None
        district = self.county if self.county and self.county.endswith("区") else None
        values = {"city": self.city, "city_short": self.city_short, "province": self.province,
                  "province_short": self.province_short, "newspaper": self.newspaper,
                  "county": county, "district": district,
                  "region": self.province if self.province and self.province.endswith("自治区") else None}
        try:
            out = template.format(**values)
        except KeyError:
            return None
        return None if "None" in out else out


def detect_home(text: str, newspaper: str | None = None) -> Home:
    """The home city: the newspaper's city, else the prefecture-level city named most often.

    >>> detect_home("辽源市召开会议。辽源将加快发展。长春也来了。").city
    '辽源市'
    """
    gaz = gazetteer()
    if newspaper:
        for n in range(min(4, len(newspaper) - 2), 1, -1):
            div = gaz.best(newspaper[:n])
            if div is not None and div.level == "prefecture":
                return Home.of_city(div.name, newspaper)
    counts: dict[str, int] = {}
    for _, (surface, divs) in place_automaton().iter(text):
        for d in divs[:1]:
            if _city_level(d):
                counts[d.name] = counts.get(d.name, 0) + 1
            elif d.level == "county" and d.parent is not None and _city_level(d.parent) and surface == d.name:
                counts[d.parent.name] = counts.get(d.parent.name, 0) + 1  # 梨树县 votes for 四平市
    if not counts:
        return Home(newspaper=newspaper)
    city, n = max(sorted(counts.items()), key=lambda kv: kv[1])
    dominant = n >= 2 and n >= 0.4 * sum(counts.values())  # a national text names many cities, none often
    if city.endswith("市") and gazetteer().by_name[city].level == "province":
        dominant = n >= 5 and n >= 0.6 * sum(counts.values())  # 北京, 上海 in a national report: not its home
    return Home.of_city(city, newspaper) if dominant else Home(newspaper=newspaper)


def page_homes(documents: list) -> list:
    """The articles of a page (``Document.page``) with the page's home city set (``home_city``), found on the
    whole page: a short article about 西安区 on a 辽源 page is read as 辽源's news, not 西安's. Other
    documents, and articles whose home is already set, are returned as they are."""
    pages: dict[str, list] = {}
    for doc in documents:
        if doc.page is not None and doc.home_city is None:
            pages.setdefault(doc.page, []).append(doc)
    homes = {page: detect_home("\n\n".join(a.text for a in arts), arts[0].newspaper).city
             for page, arts in pages.items()}
    return [replace(d, home_city=homes[d.page]) if d.page in homes and homes[d.page] and d.home_city is None else d
            for d in documents]


def _city_level(d: Division) -> bool:
    """A prefecture-level city, or a municipality (重庆市, 北京市: a province-level city)."""
    return d.level == "prefecture" or d.level == "province" and d.name.endswith("市")


def with_county(home: Home, text: str) -> Home:
    """The home with the county or district of its city that the text is about: named (full name or
    stem) at least three times and at least twice as often as any other of the city's counties, so that
    县委, 县长, 我县 resolve to it (宜阳县 in a Luoyang Daily county page).

    >>> with_county(Home.of_city("洛阳市"), "宜阳县召开会议。宜阳加快发展。县长讲话，宜阳县委部署。").county
    '宜阳县'
    """
    if home.city_division is None or home.county:
        return home
    counts: dict[str, int] = {}
    for _, (surface, divs) in place_automaton().iter(text):
        for d in divs[:1]:
            if d.level == "county" and d.parent is home.city_division and d.name[-1] in "县区":
                counts[d.name] = counts.get(d.name, 0) + 1
    if not counts:
        return home
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    name, n = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0
    return replace(home, county=name) if n >= 3 and n >= 2 * second else home


def place_prefix(name: str, home: Home | None = None) -> tuple[str, Division | None]:
    """The longest leading division name: ("辽源市", 辽源市) for 辽源市交通运输局."""
    gaz = gazetteer()
    for n in range(min(len(name) - 1, 12), 1, -1):
        div = gaz.best(name[:n], home.city_division if home else None)
        if div is not None and not (name[:n] != div.name and name[n:n + 1] in "河江湖山"):
            if div.level == "province":  # 广西来宾…: a city of the province right after it
                for k in (3, 2):
                    city = gaz.by_name.get(name[n:n + k] + "市")
                    if city is not None and city.parent is div and len(name) > n + k + 1:
                        return name[:n + k], city
            return name[:n], div
    return "", None
