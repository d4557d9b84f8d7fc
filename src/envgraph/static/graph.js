/* envgraph interactive graph.
 *
 * Reads the graph from the JSON data block (id "envgraph-data") and draws it with
 * vis-network. Every string that came from the texts is put into the page with textContent or
 * as a vis label (drawn on a canvas) -- never as HTML. window.envgraph exposes the state for
 * tests and for users who want to script the page.
 */
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("envgraph-data").textContent);
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const edgeById = new Map(data.edges.map((e) => [e.id, e]));
  const incident = new Map(data.nodes.map((n) => [n.id, []]));
  for (const e of data.edges) {
    incident.get(e.from).push(e.id);
    if (e.to !== e.from) incident.get(e.to).push(e.id);
  }
  const agg = data.aggregate;
  const groupById = new Map(agg ? agg.groups.map((g) => [g.id, g]) : []);

  const isolated = new Set(data.nodes.filter((n) => incident.get(n.id).length === 0).map((n) => n.id));
  const state = {
    // actors without any relation are hidden at first when others have relations (less clutter)
    showIsolated: isolated.size === data.nodes.length,
    lang: data.lang,
    types: new Set(data.types.map((t) => t.name)),
    relations: new Set(data.relations.map((r) => r.name)),
    query: "",
    view: agg ? "overview" : "all", // overview | group | all | search
    group: null,
    visibleNodes: new Set(),
    visibleEdges: new Set(),
    matches: new Set(),
  };

  // ---------------------------------------------------------------- small DOM helpers
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }
  function langBase(tag) {
    return String(tag).split("-")[0].toLowerCase();
  }

  // ---------------------------------------------------------------- labels and tooltips
  function labelOf(n, lang) {
    const labels = n.labels || {};
    if (labels[lang]) return labels[lang];
    const base = langBase(lang);
    for (const tag of Object.keys(labels).sort()) {
      if (langBase(tag) === base) return labels[tag];
    }
    return n.fallback || labels.en || n.label || n.iri;
  }
  function tooltip(n) {
    const box = el("div", "tt");
    box.appendChild(el("b", null, labelOf(n, state.lang)));
    box.appendChild(el("div", "tt-type", n.type));
    for (const tag of Object.keys(n.labels || {}).sort()) {
      const row = el("div");
      row.appendChild(el("span", "tt-lang", tag));
      row.appendChild(document.createTextNode(n.labels[tag]));
      box.appendChild(row);
    }
    return box;
  }
  function groupLabel(g) {
    if (g.pooled) return "Small groups (" + g.size + ")";
    const top = byId.get(g.top[0]);
    return (top ? labelOf(top, state.lang) : "Group") + " +" + (g.size - 1);
  }
  function groupTooltip(g) {
    const box = el("div", "tt");
    box.appendChild(el("b", null, groupLabel(g)));
    box.appendChild(el("div", "tt-type", g.size + " actors — click to open"));
    for (const id of g.top) {
      const n = byId.get(id);
      if (n) box.appendChild(el("div", null, labelOf(n, state.lang) + " (" + n.type + ")"));
    }
    const types = Object.keys(g.types).map((t) => t + " " + g.types[t]).join(", ");
    box.appendChild(el("div", "tt-type", types));
    return box;
  }

  // ---------------------------------------------------------------- vis data
  function visNode(n) {
    return Object.assign({}, n, { label: labelOf(n, state.lang), title: tooltip(n) });
  }
  const nodes = new vis.DataSet(data.nodes.map(visNode));
  const edges = new vis.DataSet(data.edges.map((e) => Object.assign({}, e, { title: e.relation + " — " + e.evidence.length + " fact(s)" })));
  if (agg) {
    nodes.add(agg.groups.map((g) => ({
      id: g.id, meta: true, label: groupLabel(g), title: groupTooltip(g), shape: "dot",
      size: g.radius, x: g.x, y: g.y, color: g.color, borderWidth: 2,
      font: { size: 24, strokeWidth: 6 },
    })));
    edges.add(agg.links.map((l, i) => ({
      id: "m" + i, meta: true, from: l.from, to: l.to, label: String(l.count),
      width: Math.min(1 + Math.log2(l.count), 10), arrows: { to: { enabled: false } },
      color: { color: "#9aa7b4", highlight: "#56687a", opacity: 0.7 },
    })));
  }

  const nodeView = new vis.DataView(nodes, { filter: (n) => state.visibleNodes.has(n.id) });
  const edgeView = new vis.DataView(edges, { filter: (e) => state.visibleEdges.has(e.id) });

  // ---------------------------------------------------------------- filtering
  function matchesQuery(n, q) {
    if (String(n.iri).toLowerCase().indexOf(q) >= 0) return true;
    for (const tag of Object.keys(n.labels || {})) {
      if (String(n.labels[tag]).toLowerCase().indexOf(q) >= 0) return true;
    }
    for (const pair of n.alt || []) {
      if (String(pair[0]).toLowerCase().indexOf(q) >= 0) return true;
    }
    return String(n.fallback || "").toLowerCase().indexOf(q) >= 0;
  }

  function recompute() {
    const visibleNodes = new Set();
    const visibleEdges = new Set();
    state.matches = new Set();
    if (state.view === "overview") {
      for (const g of agg.groups) visibleNodes.add(g.id);
      agg.links.forEach((l, i) => visibleEdges.add("m" + i));
    } else {
      let scope = null; // null: every node
      if (state.view === "group") {
        scope = new Set(data.nodes.filter((n) => agg.memberGroup[n.id] === state.group).map((n) => n.id));
      }
      if (state.query) {
        for (const n of data.nodes) {
          if (state.types.has(n.type) && matchesQuery(n, state.query)) state.matches.add(n.id);
        }
        const around = new Set(state.matches);
        for (const id of state.matches) {
          for (const eid of incident.get(id)) {
            const e = edgeById.get(eid);
            if (state.relations.has(e.relation)) around.add(e.from === id ? e.to : e.from);
          }
        }
        scope = scope ? new Set([...scope].filter((id) => around.has(id))) : around;
      }
      const candidate = (n) => state.types.has(n.type) && (!scope || scope.has(n.id)) &&
        (state.showIsolated || !isolated.has(n.id) || state.matches.has(n.id) || n.id === data.center);
      for (const e of data.edges) {
        if (!state.relations.has(e.relation)) continue;
        if (candidate(byId.get(e.from)) && candidate(byId.get(e.to))) visibleEdges.add(e.id);
      }
      const allRelations = state.relations.size === data.relations.length;
      for (const n of data.nodes) {
        if (!candidate(n)) continue;
        if (allRelations || state.matches.has(n.id) || n.id === data.center ||
            incident.get(n.id).some((eid) => visibleEdges.has(eid))) {
          visibleNodes.add(n.id);
        }
      }
    }
    state.visibleNodes = visibleNodes;
    state.visibleEdges = visibleEdges;
    nodeView.refresh();
    edgeView.refresh();
    updateCounts();
    updateCrumbs();
  }

  function updateCounts() {
    const counts = document.getElementById("counts");
    if (state.view === "overview") {
      counts.textContent = agg.groups.length + " groups of " + data.nodes.length + " actors — click a group to open it";
    } else {
      let shownEdges = 0;
      for (const id of state.visibleEdges) if (!String(id).startsWith("m")) shownEdges += 1;
      counts.textContent = "Showing " + state.visibleNodes.size + " of " + data.nodes.length +
        " actors, " + shownEdges + " of " + data.edges.length + " relations";
    }
  }

  function updateCrumbs() {
    const crumbs = document.getElementById("crumbs");
    clear(crumbs);
    if (!agg || state.view === "overview") return;
    const back = el("button", null, "‹ Overview");
    back.type = "button";
    back.id = "back";
    back.addEventListener("click", () => { showOverview(); });
    crumbs.appendChild(back);
    if (state.view === "group") {
      crumbs.appendChild(document.createTextNode(" " + groupLabel(groupById.get(state.group))));
    }
  }

  // ---------------------------------------------------------------- side panel
  const panel = document.getElementById("panel");

  function entityLink(iri, text) {
    if (!data.entityLink) return el("span", null, text);
    const a = el("a", null, text);
    a.href = data.entityLink + encodeURIComponent(iri);
    return a;
  }

  function evidenceBlock(parent, evidence) {
    for (const ev of evidence) {
      if (ev[1]) parent.appendChild(el("blockquote", null, "“" + ev[1] + "”"));
      const src = el("div", "src");
      const conf = ev[3] === null || ev[3] === undefined ? "" : " · " + Number(ev[3]).toFixed(2);
      src.textContent = ev[0] + " · " + ev[2] + conf;
      parent.appendChild(src);
    }
  }

  function factBlock(e) {
    const from = byId.get(e.from);
    const to = byId.get(e.to);
    const box = el("div", "fact");
    const color = e.color && e.color.color ? e.color.color : "#ccc";
    box.style.borderLeftColor = color;
    const head = el("div");
    head.appendChild(entityLink(from.iri, labelOf(from, state.lang)));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(el("span", "rel", e.relation));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(entityLink(to.iri, labelOf(to, state.lang)));
    box.appendChild(head);
    if (!e.evidence.length) box.appendChild(el("div", "src", "no evidence recorded (inferred)"));
    evidenceBlock(box, e.evidence);
    return box;
  }

  function showNode(id) {
    const n = byId.get(id);
    if (!n) return;
    state.selected = { node: id };
    clear(panel);
    panel.appendChild(el("h2", null, labelOf(n, state.lang)));
    panel.appendChild(el("div", "type", n.type));
    panel.appendChild(el("div", "iri", n.iri));
    panel.appendChild(el("h3", null, "Names"));
    const table = el("table");
    for (const tag of Object.keys(n.labels || {}).sort()) {
      const tr = el("tr");
      tr.appendChild(el("td", "tag", tag));
      tr.appendChild(el("td", null, n.labels[tag]));
      table.appendChild(tr);
    }
    for (const pair of n.alt || []) {
      const tr = el("tr");
      tr.appendChild(el("td", "tag", pair[1] + " (alt)"));
      tr.appendChild(el("td", null, pair[0]));
      table.appendChild(tr);
    }
    panel.appendChild(table);
    if ((n.attributes || []).length) {
      panel.appendChild(el("h3", null, "Attributes"));
      for (const a of n.attributes) {
        const box = el("div", "fact");
        const head = el("div");
        head.appendChild(el("span", "rel", a[0]));
        head.appendChild(document.createTextNode(": " + a[1]));
        box.appendChild(head);
        evidenceBlock(box, [[a[2], a[3], "", null]]);
        panel.appendChild(box);
      }
    }
    const facts = incident.get(id).map((eid) => edgeById.get(eid));
    panel.appendChild(el("h3", null, "Facts (" + facts.length + ")"));
    for (const e of facts) panel.appendChild(factBlock(e));
    if (data.entityLink) {
      const more = el("p");
      more.appendChild(entityLink(n.iri, "Open the entity page"));
      panel.appendChild(more);
    }
  }

  function showEdge(id) {
    const e = edgeById.get(id);
    if (!e) return;
    state.selected = { edge: id };
    clear(panel);
    panel.appendChild(el("h2", null, e.relation));
    panel.appendChild(el("h3", null, "Fact"));
    panel.appendChild(factBlock(e));
  }

  function showGroup(gid) {
    const g = groupById.get(gid);
    clear(panel);
    panel.appendChild(el("h2", null, groupLabel(g)));
    panel.appendChild(el("div", "type", g.size + " actors"));
    const list = el("ul");
    for (const t of Object.keys(g.types)) list.appendChild(el("li", null, t + ": " + g.types[t]));
    panel.appendChild(list);
  }

  // ---------------------------------------------------------------- controls
  function shapeSwatch(shape, color) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    svg.setAttribute("viewBox", "0 0 16 16");
    const shapes = {
      dot: ["circle", { cx: 8, cy: 8, r: 6.5 }],
      square: ["rect", { x: 2, y: 2, width: 12, height: 12 }],
      diamond: ["polygon", { points: "8,1 15,8 8,15 1,8" }],
      triangle: ["polygon", { points: "8,1.5 15,14 1,14" }],
      triangleDown: ["polygon", { points: "1,2 15,2 8,14.5" }],
      hexagon: ["polygon", { points: "4,1.5 12,1.5 15.5,8 12,14.5 4,14.5 0.5,8" }],
      star: ["polygon", { points: "8,0.5 10,6 15.5,6 11,9.5 12.8,15 8,11.6 3.2,15 5,9.5 0.5,6 6,6" }],
    };
    const spec = shapes[shape] || shapes.dot;
    const shapeEl = document.createElementNS(ns, spec[0]);
    for (const k of Object.keys(spec[1])) shapeEl.setAttribute(k, String(spec[1][k]));
    shapeEl.setAttribute("fill", color);
    shapeEl.setAttribute("stroke", "#333");
    shapeEl.setAttribute("stroke-width", "0.6");
    svg.appendChild(shapeEl);
    const wrap = el("span", "swatch");
    wrap.appendChild(svg);
    return wrap;
  }

  function buildFilters() {
    const typeList = document.getElementById("type-filter");
    for (const t of data.types) {
      const li = el("li");
      const label = el("label");
      const box = el("input");
      box.type = "checkbox";
      box.checked = true;
      box.value = t.name;
      box.dataset.kind = "type";
      box.addEventListener("change", () => {
        if (box.checked) state.types.add(t.name); else state.types.delete(t.name);
        if (state.view === "overview") state.view = "all";
        recompute();
      });
      label.appendChild(box);
      label.appendChild(shapeSwatch(t.shape, t.color));
      label.appendChild(el("span", null, t.name));
      label.appendChild(el("span", "count", t.count));
      li.appendChild(label);
      typeList.appendChild(li);
    }
    const relList = document.getElementById("relation-filter");
    for (const r of data.relations) {
      const li = el("li");
      const label = el("label");
      const box = el("input");
      box.type = "checkbox";
      box.checked = true;
      box.value = r.name;
      box.dataset.kind = "relation";
      box.addEventListener("change", () => {
        if (box.checked) state.relations.add(r.name); else state.relations.delete(r.name);
        if (state.view === "overview") state.view = "all";
        recompute();
      });
      const line = el("span", "line");
      line.style.borderTopColor = r.color;
      label.appendChild(box);
      label.appendChild(line);
      label.appendChild(el("span", null, r.name));
      label.appendChild(el("span", "count", r.count));
      li.appendChild(label);
      relList.appendChild(li);
    }
    if (isolated.size && isolated.size < data.nodes.length) {
      const li = el("li");
      const label = el("label");
      const box = el("input");
      box.type = "checkbox";
      box.checked = state.showIsolated;
      box.id = "show-isolated";
      box.addEventListener("change", () => {
        state.showIsolated = box.checked;
        if (state.view === "overview") state.view = "all";
        recompute();
        fit();
      });
      label.appendChild(box);
      label.appendChild(el("span", null, "Actors without relations"));
      label.appendChild(el("span", "count", isolated.size));
      li.appendChild(label);
      document.getElementById("other-filter").appendChild(li);
    } else {
      document.getElementById("other-filter").parentNode.hidden = true;
    }
    const select = document.getElementById("lang");
    for (const tag of data.languages) {
      const opt = el("option", null, tag);
      opt.value = tag;
      if (tag === state.lang) opt.selected = true;
      select.appendChild(opt);
    }
    select.addEventListener("change", () => setLanguage(select.value));
    const search = document.getElementById("search");
    let timer = null;
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => setQuery(search.value), 200);
    });
  }

  // ---------------------------------------------------------------- actions (also for tests)
  function fit() {
    network.fit({ animation: false });
    network.moveTo({ scale: network.getScale() * 0.88, animation: false });
  }

  function setLanguage(lang) {
    state.lang = lang;
    document.getElementById("lang").value = lang;
    nodes.update(data.nodes.map((n) => ({ id: n.id, label: labelOf(n, lang), title: tooltip(n) })));
    if (agg) nodes.update(agg.groups.map((g) => ({ id: g.id, label: groupLabel(g), title: groupTooltip(g) })));
    if (state.selected && state.selected.node) showNode(state.selected.node);
    else if (state.selected && state.selected.edge) showEdge(state.selected.edge);
  }

  function setQuery(text) {
    state.query = String(text || "").trim().toLowerCase();
    document.getElementById("search").value = text || "";
    if (state.query) {
      if (state.view === "overview") state.view = "search";
    } else if (state.view === "search") {
      state.view = agg ? "overview" : "all";
    }
    recompute();
    if (state.matches.size) {
      network.selectNodes([...state.matches].filter((id) => state.visibleNodes.has(id)));
    }
    fit();
  }

  function setFilter(kind, names) {
    const wanted = new Set(names);
    const target = kind === "type" ? state.types : state.relations;
    target.clear();
    for (const name of wanted) target.add(name);
    for (const box of document.querySelectorAll('input[data-kind="' + kind + '"]')) {
      box.checked = wanted.has(box.value);
    }
    if (state.view === "overview") state.view = "all";
    recompute();
    fit();
  }

  function showIsolated(on) {
    state.showIsolated = !!on;
    const box = document.getElementById("show-isolated");
    if (box) box.checked = !!on;
    recompute();
    fit();
  }

  function openGroup(gid) {
    state.view = "group";
    state.group = gid;
    recompute();
    fit();
  }

  function showOverview() {
    state.view = "overview";
    state.group = null;
    state.query = "";
    document.getElementById("search").value = "";
    recompute();
    fit();
  }

  // ---------------------------------------------------------------- start
  buildFilters();
  recompute();
  const container = document.getElementById("graph");
  const network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, data.options);
  network.on("click", (params) => {
    if (params.nodes.length) {
      const id = params.nodes[0];
      if (groupById.has(id)) { showGroup(id); openGroup(id); } else showNode(id);
    } else if (params.edges.length && edgeById.has(params.edges[0])) {
      showEdge(params.edges[0]);
    }
  });
  let ready = false;
  function markReady() {
    ready = true;
    document.body.dataset.ready = "1";
  }
  if (data.options.physics && data.options.physics.enabled) {
    // bounded stabilisation, then physics off: the layout stays where it settled
    network.once("stabilizationIterationsDone", () => {
      network.setOptions({ physics: { enabled: false } });
      fit();
      markReady();
    });
  } else {
    network.once("afterDrawing", markReady);
  }
  if (data.center) {
    showNode(data.center);
    network.selectNodes([data.center]);
  }
  fit();

  window.envgraph = {
    data, state, network, nodes, edges, nodeView, edgeView,
    setLanguage, setQuery, setFilter, openGroup, showOverview, showNode, showEdge, showIsolated,
    isReady: () => ready,
    visibleNodeIds: () => nodeView.getIds(),
    visibleEdgeIds: () => edgeView.getIds(),
    drawnNodeCount: () => Object.keys(network.body.nodes).filter((id) => network.body.nodeIndices.indexOf(id) >= 0).length,
    labelOf: (id) => nodes.get(id).label,
  };
})();
