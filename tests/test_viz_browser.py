"""The relationship map in a real browser: Debian's Chromium, headless, driven by Playwright.

Every request that is not for a local file is blocked and recorded; each test opens a page,
waits until the map is stable (``window.kgStableAt``, set by kg/resources/viz.js) and checks what
a researcher sees and does: no request leaves, no console error, one vis node per entity, the
evidence panel, the search, the filters, the English toggle, a non-blank screenshot with CJK
glyphs, and hostile names that stay text. One browser per module; scripts/ci_install_browser.sh
installs chromium and fonts-noto-cjk. Without them the tests skip, unless CI is set: then they fail.
"""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF

from hostile import PAYLOADS, hostile_graph
from kg.viz import write_map
from kg.vocab import KGO

ROOT = Path(__file__).resolve().parent.parent
CLASSES = ("Person", "Enterprise", "GovernmentBody", "Institution", "IndustrialPark", "Project",
           "Place", "Agreement", "Designation")


@pytest.fixture(scope="module")
def seeds(seeds_build) -> Path:
    """The seeds' build (tests/conftest.py): graph.ttl and kg build's default map graph.html."""
    return seeds_build


class MapPage:
    """One page showing one map, with every request, console error and dialog recorded."""

    def __init__(self, browser, path: Path):
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.requests, self.blocked, self.errors, self.dialogs = [], [], [], []
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)
        self.page.wait_for_function("window.kgStableAt !== undefined", timeout=60_000)

    def _route(self, route):
        url = route.request.url
        self.requests.append(url)
        if url.startswith("file:"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def node_id(self, label: str) -> int:
        return self.js("l => nodes.get({filter: n => n.kg_zh === l})[0].id", label)

    def node_point(self, node: int, scale: float = 1.5) -> tuple[float, float]:
        """Centre the view on a node and return where it is on the page."""
        box = self.page.locator("#mynetwork").bounding_box()
        pos = self.js("""([id, scale]) => {
            network.moveTo({position: network.getPositions([id])[id], scale: scale});
            const p = network.getPositions([id])[id];
            return network.canvasToDOM(p); }""", [node, scale])
        return box["x"] + pos["x"], box["y"] + pos["y"]

    def panel_text(self) -> str:
        self.page.wait_for_selector("#kg-panel:not([hidden])", timeout=5_000)
        return self.page.inner_text("#kg-panel")

    def assert_clean(self):
        assert self.blocked == [], f"requests left the page: {self.blocked}"
        assert set(self.requests) == {self.url}, self.requests
        assert self.errors == [], self.errors
        assert self.dialogs == [], self.dialogs

    def close(self):
        self.page.close()


@pytest.fixture()
def seeds_map(browser, seeds):
    page = MapPage(browser, seeds / "graph.html")
    yield page
    page.close()


def test_offline_and_one_vis_node_per_entity(seeds_map, seeds):
    g = rdflib.Graph().parse(seeds / "graph.ttl", format="turtle")
    entities = {str(s) for cls in CLASSES for s in g.subjects(RDF.type, KGO[cls])}
    iris = seeds_map.js("() => network.body.data.nodes.get().map(n => n.kg_iri)")
    assert len(iris) == len(entities) and set(iris) == entities
    assert seeds_map.js("() => Object.keys(network.body.nodes).length") == len(entities)
    assert seeds_map.js("() => network.physics.options.enabled") is False  # stopped once stable
    seeds_map.assert_clean()


def test_clicking_a_person_shows_the_sentence_behind_the_post(seeds_map):
    cheng = seeds_map.node_id("程宇")
    x, y = seeds_map.node_point(cheng)
    seeds_map.page.mouse.click(x, y)
    assert seeds_map.js("() => network.getSelectedNodes()") == [cheng]
    assert seeds_map.page.inner_text("#kg-panel h2") == "程宇"
    sentences = seeds_map.page.locator("#kg-panel .kg-sentence").all_inner_texts()
    assert any("市长" in s and "程宇" in s for s in sentences), sentences
    text = seeds_map.panel_text()
    assert "程宇 → 市长 → 辽源市人民政府" in text and "2025-02-12" in text
    seeds_map.page.click("#kg-panel-close")
    assert seeds_map.js("() => document.getElementById('kg-panel').hidden") is True
    seeds_map.assert_clean()


def test_hover_shows_names_and_class(seeds_map):
    x, y = seeds_map.node_point(seeds_map.node_id("中国一汽"))
    seeds_map.page.mouse.move(x - 40, y - 40)
    seeds_map.page.mouse.move(x, y)
    tip = seeds_map.page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5_000)
    text = tip.inner_text()
    assert "中国一汽" in text and "FAW Group" in text and "一汽集团" in text and "企业 Enterprise" in text
    seeds_map.assert_clean()


def test_search_finds_names_and_aliases(seeds_map):
    faw = seeds_map.node_id("中国一汽")
    seeds_map.page.fill("#kg-search", "中国一汽")
    first = seeds_map.page.locator("#kg-results li").first
    assert first.inner_text().startswith("中国一汽")
    seeds_map.page.press("#kg-search", "Enter")
    assert seeds_map.js("() => network.getSelectedNodes()") == [faw]
    assert seeds_map.page.inner_text("#kg-panel h2") == "中国一汽"
    seeds_map.page.fill("#kg-search", "一汽集团")  # an alias
    seeds_map.page.press("#kg-search", "Enter")
    assert seeds_map.js("() => network.getSelectedNodes()") == [faw]
    seeds_map.page.fill("#kg-search", "没有这个名字")
    assert seeds_map.page.inner_text("#kg-results") == "没有找到 Not found"
    seeds_map.assert_clean()


def test_class_and_relation_filters_and_english_labels(seeds_map):
    persons = seeds_map.js("() => nodes.get({filter: n => n.kg_cls === 'Person'}).length")
    seeds_map.page.uncheck('[data-kg-class="Person"]')
    assert seeds_map.js("() => nodes.get({filter: n => n.hidden}).length") == persons
    assert seeds_map.js("() => edges.get({filter: e => e.kg_rel === 'post' && !e.hidden}).length") == 0
    seeds_map.page.check('[data-kg-class="Person"]')
    assert seeds_map.js("() => nodes.get({filter: n => n.hidden}).length") == 0
    located = seeds_map.js("() => edges.get({filter: e => e.kg_rel === 'locatedIn'}).length")
    seeds_map.page.uncheck('[data-kg-rel="locatedIn"]')
    assert seeds_map.js("() => edges.get({filter: e => e.hidden}).length") == located
    seeds_map.page.check('[data-kg-rel="locatedIn"]')
    assert seeds_map.js("() => edges.get({filter: e => e.hidden}).length") == 0

    faw, cheng = seeds_map.node_id("中国一汽"), seeds_map.node_id("程宇")
    label = "id => nodes.get(id).label"
    seeds_map.page.click("#kg-lang")
    pinyin = seeds_map.js("id => nodes.get(id).kg_py", cheng)  # kgo:pinyin when the build gives it
    assert seeds_map.js(label, faw) == "FAW Group" and seeds_map.js(label, cheng) == (pinyin or "程宇")
    assert "Mayor" in seeds_map.js("() => edges.get().map(e => e.label)")
    assert seeds_map.page.inner_text("#kg-lang") == "中文"
    seeds_map.page.click("#kg-lang")
    assert seeds_map.js(label, faw) == "中国一汽"
    seeds_map.assert_clean()


_INK = """async (png) => {
    const img = new Image();
    img.src = "data:image/png;base64," + png;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width; c.height = img.height;
    const ctx = c.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let ink = 0; const colours = new Set();
    for (let i = 0; i < d.length; i += 4) {
        if (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235) { ink++; }
        colours.add((d[i] >> 4) * 256 + (d[i + 1] >> 4) * 16 + (d[i + 2] >> 4));
    }
    return {ink: ink / (d.length / 4), colours: colours.size};
}"""


# Without a CJK font every Chinese character is drawn as the same empty box.
_DISTINCT_GLYPHS = """() => {
    const c = document.createElement("canvas"); c.width = c.height = 64;
    const ctx = c.getContext("2d");
    ctx.font = "48px " + getComputedStyle(document.body).fontFamily;
    const draw = ch => { ctx.clearRect(0, 0, 64, 64); ctx.fillText(ch, 4, 52);
                         return ctx.getImageData(0, 0, 64, 64).data.join(); };
    return draw("政") !== draw("企");
}"""


def test_screenshot_is_not_blank_and_chinese_has_a_font(seeds_map, browser, tmp_path: Path):
    assert seeds_map.js(_DISTINCT_GLYPHS), "Chinese shows as boxes: apt-get install fonts-noto-cjk"
    png = seeds_map.page.screenshot(path=str(tmp_path / "map.png"))
    canvas = seeds_map.page.locator("#mynetwork canvas").screenshot()
    blank = browser.new_page()
    try:
        page_ink = blank.evaluate(_INK, base64.b64encode(png).decode())
        map_ink = blank.evaluate(_INK, base64.b64encode(canvas).decode())
    finally:
        blank.close()
    assert page_ink["ink"] > 0.01 and page_ink["colours"] >= 9, page_ink  # the class colours at least
    assert map_ink["ink"] > 0.002 and map_ink["colours"] >= 6, map_ink
    seeds_map.assert_clean()


def test_big_map_layout_is_precomputed_and_capped(browser, seeds, tmp_path: Path):
    g = rdflib.Graph().parse(seeds / "graph.ttl", format="turtle")
    out = tmp_path / "big.html"
    total = write_map(g, out, max_nodes=150, layout_threshold=100)["total_nodes"]
    page = MapPage(browser, out)
    try:
        assert page.js("() => network.physics.options.enabled") is False
        assert page.js("() => nodes.length") == 150
        assert f"showing the 150 most connected of {total} nodes" in page.page.inner_text("#kg-top")
        stable_ms = page.js("window.kgStableAt")
        assert 0 < stable_ms < 10_000
        page.assert_clean()
    finally:
        page.close()


def test_hostile_names_and_sentences_stay_text(browser, tmp_path: Path):
    ttl = tmp_path / "hostile.ttl"
    hostile_graph().serialize(ttl, format="turtle", encoding="utf-8")
    out = tmp_path / "hostile.html"
    proc = subprocess.run([sys.executable, "-m", "kg", "viz", str(ttl), "-o", str(out)],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 0, proc.stderr
    page = MapPage(browser, out)
    try:
        person = page.node_id(PAYLOADS["label"])
        x, y = page.node_point(person)
        page.page.mouse.move(x - 30, y - 30)
        page.page.mouse.move(x, y)  # the tooltip
        page.page.locator("div.vis-tooltip").wait_for(state="visible", timeout=5_000)
        tip = page.page.inner_text("div.vis-tooltip")
        assert PAYLOADS["label"] in tip and PAYLOADS["alias"] in tip and PAYLOADS["pinyin"] in tip
        page.page.fill("#kg-search", "svg onload")  # finds the alias, shows the label as text
        assert page.page.locator("#kg-results li").first.inner_text().startswith(PAYLOADS["label"])
        page.page.press("#kg-search", "Enter")
        text = page.panel_text()
        for key in ("label", "english", "alias", "pinyin", "body", "role", "title"):
            assert PAYLOADS[key] in text, key
        assert PAYLOADS["sentence"] in page.page.inner_text("#kg-panel .kg-sentence")
        page.page.click("#kg-lang")  # English labels: the payload of the English name, drawn as text
        assert page.js("id => nodes.get(id).label", person) == PAYLOADS["english"]
        page.page.mouse.move(x, y + 200)
        page.page.mouse.move(x, y)
        page.page.wait_for_timeout(300)
        assert page.js("() => window.__xss") is None
        assert page.js("() => document.querySelectorAll('body svg:not(.kg-shape), img, textarea, b[onmouseover]')"
                       ".length") == 0
        assert page.js("() => document.title") == "政企图谱 Zhengqi KG"
        page.assert_clean()  # also: no request for the images' src=x / src=y
    finally:
        page.close()
