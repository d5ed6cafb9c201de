/* Zhengqi KG relationship map (written into the page by kg/viz.py).
 * Tooltips, the evidence panel, search, class/relation filters, the language toggle and the
 * physics stop. Names and sentences come from untrusted documents: they only ever reach the
 * page through textContent / text nodes, never as HTML. */
var kgMap = (function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var network, nodes, edges, english = false;
  var index = [];        // [{id, names: [lower-case names], size}]
  var byLabel = {};      // Chinese label -> [ids]

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function className(cls) {
    var c = data.classes[cls] || [cls, cls];
    return c[0] + " " + c[1];
  }

  function alsoKnownAs(n) {
    return [n.kg_en, n.kg_py].filter(Boolean).join(" · ");
  }

  function tooltip(n) {
    var box = el("div", "kg-tip");
    box.appendChild(el("b", null, n.kg_zh));
    if (alsoKnownAs(n)) { box.appendChild(el("div", null, alsoKnownAs(n))); }
    box.appendChild(el("div", null, "类别 Class: " + className(n.kg_cls)));
    if (n.kg_aliases.length) { box.appendChild(el("div", null, "别名 Aliases: " + n.kg_aliases.join("、"))); }
    if (n.kg_posts.length) { box.appendChild(el("div", null, "职务 Posts: " + n.kg_posts.join("、"))); }
    box.appendChild(el("div", "kg-muted", "点击查看证据 Click for the evidence"));
    return box;
  }

  function prepareNodes(list) {
    list.forEach(function (n) { n.title = tooltip(n); });
    return list;
  }

  function prepareEdges(list) { return list; }  // edge titles are plain text already

  /* --- the side panel ------------------------------------------------------------------ */

  // Append text to parent with every occurrence of the words wrapped in <mark>.
  function markText(parent, text, words) {
    words = words.filter(function (w) { return w && w.length > 1; });
    var pos = 0;
    while (pos < text.length) {
      var best = -1, word = "";
      words.forEach(function (w) {
        var i = text.indexOf(w, pos);
        if (i >= 0 && (best < 0 || i < best || (i === best && w.length > word.length))) { best = i; word = w; }
      });
      if (best < 0) { break; }
      parent.appendChild(document.createTextNode(text.slice(pos, best)));
      parent.appendChild(el("mark", null, word));
      pos = best + word.length;
    }
    parent.appendChild(document.createTextNode(text.slice(pos)));
  }

  function nameSpan(label) {
    var ids = byLabel[label] || [];
    var span = el("span", ids.length === 1 ? "kg-link" : null, label);
    if (ids.length === 1) { span.addEventListener("click", function () { focusNode(ids[0]); }); }
    return span;
  }

  function factItem(node, fact) {
    // fact = [relation, other, "→" | "←", [[sentence, document, date, start, end], ...]]
    var li = el("li", "kg-fact"), head = el("div", "kg-fact-head");
    var ends = fact[2] === "→" ? [node.kg_zh, fact[1]] : [fact[1], node.kg_zh];
    head.appendChild(ends[0] === node.kg_zh ? el("span", null, ends[0]) : nameSpan(ends[0]));
    head.appendChild(document.createTextNode(" → " + fact[0] + " → "));
    head.appendChild(ends[1] === node.kg_zh ? el("span", null, ends[1]) : nameSpan(ends[1]));
    li.appendChild(head);
    var list = el("ul", "kg-sources");
    fact[3].forEach(function (src) {
      var item = el("li", "kg-source"), sentence = el("q", "kg-sentence");
      markText(sentence, src[0], [node.kg_zh, fact[1], fact[0].split(" ")[0]]);
      item.appendChild(sentence);
      item.appendChild(el("div", "kg-cite", "《" + src[1] + "》" + (src[2] ? " · " + src[2] : "")
                                            + " · [" + src[3] + ":" + src[4] + "]"));
      list.appendChild(item);
    });
    if (!fact[3].length) { list.appendChild(el("li", "kg-muted", "（无证据句 no evidence sentence）")); }
    li.appendChild(list);
    return li;
  }

  function showPanel(id) {
    var n = nodes.get(id);
    if (!n) { return; }
    var info = data.facts[String(id)] || {docs: [], facts: []};
    var body = document.getElementById("kg-panel-body");
    body.replaceChildren();
    body.appendChild(el("h2", null, n.kg_zh));
    if (alsoKnownAs(n)) { body.appendChild(el("div", null, alsoKnownAs(n))); }
    body.appendChild(el("div", "kg-muted", "类别 Class: " + className(n.kg_cls)));
    if (n.kg_aliases.length) { body.appendChild(el("div", null, "别名 Aliases: " + n.kg_aliases.join("、"))); }
    if (n.kg_posts.length) { body.appendChild(el("div", null, "职务 Posts: " + n.kg_posts.join("、"))); }
    if (n.kg_iri) { body.appendChild(el("div", "kg-muted", n.kg_iri)); }
    body.appendChild(el("h3", null, "事实与证据 Facts and evidence (" + info.facts.length + ")"));
    var facts = el("ul", "kg-facts");
    info.facts.forEach(function (f) { facts.appendChild(factItem(n, f)); });
    if (!info.facts.length) { facts.appendChild(el("li", "kg-muted", "（没有关系 no facts）")); }
    body.appendChild(facts);
    if (info.docs.length) {
      body.appendChild(el("h3", null, "出现于 Mentioned in (" + info.docs.length + ")"));
      var docs = el("ul", "kg-facts");
      info.docs.forEach(function (d) { docs.appendChild(el("li", null, "《" + d + "》")); });
      body.appendChild(docs);
    }
    var panel = document.getElementById("kg-panel");
    panel.hidden = false;
    panel.scrollTop = 0;
  }

  /* --- search ---------------------------------------------------------------------------- */

  function buildIndex() {
    nodes.forEach(function (n) {
      var names = [n.kg_zh].concat(n.kg_aliases, n.kg_en ? [n.kg_en] : [], n.kg_py ? [n.kg_py] : []);
      index.push({id: n.id, names: names.map(function (s) { return String(s).toLowerCase(); }), size: n.size});
      (byLabel[n.kg_zh] = byLabel[n.kg_zh] || []).push(n.id);
    });
  }

  // Ids of the nodes a query names: exact names first, then prefixes, then substrings.
  function search(query, limit) {
    var q = query.trim().toLowerCase(), hits = [];
    if (!q) { return []; }
    index.forEach(function (entry) {
      var rank = 3;
      entry.names.forEach(function (name) {
        if (name === q) { rank = 0; }
        else if (rank > 1 && name.indexOf(q) === 0) { rank = 1; }
        else if (rank > 2 && name.indexOf(q) > 0) { rank = 2; }
      });
      if (rank < 3) { hits.push([rank, -entry.size, entry.id]); }
    });
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]; });
    return hits.slice(0, limit || 12).map(function (h) { return h[2]; });
  }

  function showResults(ids) {
    var list = document.getElementById("kg-results");
    list.replaceChildren();
    ids.forEach(function (id, i) {
      var n = nodes.get(id), item = el("li", i === 0 ? "kg-active" : null, n.kg_zh);
      item.setAttribute("data-kg-id", id);
      item.appendChild(el("span", "kg-muted", className(n.kg_cls)));
      item.addEventListener("mousedown", function (ev) { ev.preventDefault(); focusNode(id); });
      list.appendChild(item);
    });
    if (!ids.length && document.getElementById("kg-search").value.trim()) {
      list.appendChild(el("li", "kg-muted", "没有找到 Not found"));
    }
    list.hidden = !list.childNodes.length;
  }

  function focusNode(id) {
    var n = nodes.get(id);
    if (!n) { return; }
    var box = document.querySelector('[data-kg-class="' + n.kg_cls + '"]');
    if (box && !box.checked) { box.checked = true; applyFilters(); }
    network.selectNodes([id]);
    document.getElementById("kg-results").hidden = true;
    showPanel(id);
    var panel = document.getElementById("kg-panel");  // centre the node in what the panel leaves
    network.focus(id, {scale: Math.max(network.getScale(), 1.0), offset: {x: -panel.offsetWidth / 2, y: 0},
                       animation: {duration: 400, easingFunction: "easeInOutQuad"}});
  }

  function wireSearch() {
    var input = document.getElementById("kg-search");
    input.addEventListener("input", function () { showResults(search(input.value)); });
    input.addEventListener("keydown", function (ev) {
      var items = Array.prototype.slice.call(document.querySelectorAll("#kg-results li[data-kg-id]"));
      var at = items.findIndex(function (li) { return li.classList.contains("kg-active"); });
      if (ev.key === "Enter" && items.length) {
        focusNode(Number(items[Math.max(at, 0)].getAttribute("data-kg-id")));
      } else if ((ev.key === "ArrowDown" || ev.key === "ArrowUp") && items.length) {
        ev.preventDefault();
        if (at >= 0) { items[at].classList.remove("kg-active"); }
        at = (at + (ev.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
        items[at].classList.add("kg-active");
      } else if (ev.key === "Escape") {
        document.getElementById("kg-results").hidden = true;
      }
    });
    input.addEventListener("blur", function () { document.getElementById("kg-results").hidden = true; });
  }

  /* --- filters and language -------------------------------------------------------------- */

  function checked(attr) {
    var on = {};
    document.querySelectorAll("[" + attr + "]").forEach(function (cb) { on[cb.getAttribute(attr)] = cb.checked; });
    return on;
  }

  function applyFilters() {
    var cls = checked("data-kg-class"), rel = checked("data-kg-rel"), nodeChanges = [], edgeChanges = [];
    var shown = {};
    nodes.forEach(function (n) {
      var hidden = cls[n.kg_cls] === false;
      shown[n.id] = !hidden;
      if (Boolean(n.hidden) !== hidden) { nodeChanges.push({id: n.id, hidden: hidden}); }
    });
    edges.forEach(function (e) {
      var hidden = rel[e.kg_rel] === false || !shown[e.from] || !shown[e.to];
      if (Boolean(e.hidden) !== hidden) { edgeChanges.push({id: e.id, hidden: hidden}); }
    });
    if (nodeChanges.length) { nodes.update(nodeChanges); }
    if (edgeChanges.length) { edges.update(edgeChanges); }
  }

  function setEnglish(on) {
    english = on;
    nodes.update(nodes.map(function (n) {
      return {id: n.id, label: on ? (n.kg_en || n.kg_py || n.kg_zh) : n.kg_zh};
    }));
    edges.update(edges.map(function (e) { return {id: e.id, label: on ? (e.kg_en || e.kg_zh) : e.kg_zh}; }));
    document.getElementById("kg-lang").textContent = on ? "中文" : "English";
  }

  /* --- start ----------------------------------------------------------------------------- */

  function markStable() {
    if (window.kgStableAt === undefined) {
      window.kgStableAt = performance.now();
      document.body.setAttribute("data-kg-stable", "true");
      var bar = document.getElementById("loadingBar");  // pyvis' progress overlay
      if (bar) { bar.style.display = "none"; }
      if (data.focus.length) { network.selectNodes(data.focus); }
    }
  }

  function watchStability() {
    if (data.layout === "precomputed" || nodes.length === 0) {
      network.once("afterDrawing", markStable);
      network.redraw();
      return;
    }
    var stopped = false;
    function stopPhysics() {
      if (stopped) { return; }
      stopped = true;
      network.setOptions({physics: {enabled: false}});
      network.once("afterDrawing", markStable);
      network.redraw();
    }
    network.once("stabilizationIterationsDone", stopPhysics);
    network.once("stabilized", stopPhysics);
  }

  function start(net, nodeSet, edgeSet) {
    network = net; nodes = nodeSet; edges = edgeSet;
    buildIndex();
    watchStability();
    network.on("click", function (params) { if (params.nodes.length) { showPanel(params.nodes[0]); } });
    wireSearch();
    document.querySelectorAll("[data-kg-class], [data-kg-rel]").forEach(function (cb) {
      cb.addEventListener("change", applyFilters);
    });
    document.getElementById("kg-lang").addEventListener("click", function () { setEnglish(!english); });
    document.getElementById("kg-panel-close").addEventListener("click", function () {
      document.getElementById("kg-panel").hidden = true;
    });
  }

  return {prepareNodes: prepareNodes, prepareEdges: prepareEdges, start: start, search: search,
          focusNode: focusNode, showPanel: showPanel};
})();
