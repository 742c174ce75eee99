// Offline search over the site's index (assets/search-index.js, loaded on demand by a script tag
// so that it also works from file://). Every term must occur in the item's 一级/二级事项 or content,
// in a subject name as resolved at the locality, or in the locality's name.
(function () {
  "use strict";
  var PAGE = 50;        // result groups shown at a time
  var PLACES = 20;      // localities listed under one result before "等"
  var script = document.currentScript;
  var form = document.getElementById("gk-search");
  var q = document.getElementById("gk-sq");
  var selLoc = document.getElementById("gk-sloc");
  var selDomain = document.getElementById("gk-sdomain");
  var selLevel = document.getElementById("gk-slevel");
  var status = document.getElementById("gk-status");
  var list = document.getElementById("gk-results");
  var more = document.getElementById("gk-more");
  var index = null, found = [], shown = 0, terms = [];

  function setStatus(text) { status.textContent = text; }

  window.gkcatIndex = function (data) {
    var locs = data.localities, n = locs.length, i;
    var byPath = {}, roles = new Array(n);
    for (i = 0; i < n; i++) {
      byPath[locs[i][0]] = i;
      // a role resolves to the nearest department of that name up the chain (resolve_subject)
      var own = locs[i][5], parent = locs[i][3], map = {}, k;
      if (parent >= 0) for (k in roles[parent]) map[k] = roles[parent][k];
      for (k in own) map[k] = own[k];
      roles[i] = map;
    }
    var entries = data.entries.map(function (e) {
      var places = [], pos = 0, j, r;
      for (j = 0; j < e[6].length; j += 2) {
        pos += e[6][j];
        for (r = 0; r < e[6][j + 1]; r++) places.push(pos + r);
        pos += e[6][j + 1];
      }
      return { domain: e[0], id: e[1], level1: e[2], level2: e[3], content: e[4], subject: e[5],
               text: (e[2] + "\n" + e[3] + "\n" + e[4]).toLowerCase(), places: places };
    });
    index = { data: data, locs: locs, byPath: byPath, roles: roles, entries: entries };
    run(false);
  };

  function subjectsAt(e, i) {
    var map = index.roles[i];
    return e.subject.map(function (s) { return Object.prototype.hasOwnProperty.call(map, s) ? map[s] : s; });
  }

  // For one term: which localities' names hold it, and at which localities which roles' names do.
  function termHits(t) {
    var locs = index.locs, name = new Uint8Array(locs.length), role = {}, any = false, i, k;
    for (i = 0; i < locs.length; i++) {
      if (locs[i][1].toLowerCase().indexOf(t) >= 0) { name[i] = 1; any = true; }
      var map = index.roles[i];
      for (k in map) if (map[k].toLowerCase().indexOf(t) >= 0) { (role[i] = role[i] || {})[k] = 1; any = true; }
    }
    return { term: t, name: name, role: role, any: any };
  }

  function search() {
    var t0 = performance.now();
    var lo = 0, hi = index.locs.length, level = -1, domain = -1;
    if (selLoc.value && index.byPath[selLoc.value] !== undefined) {
      lo = index.byPath[selLoc.value]; hi = index.locs[lo][4];
    }
    if (selLevel.value) index.data.levels.forEach(function (lv, i) { if (lv[0] === selLevel.value) level = i; });
    if (selDomain.value) index.data.domains.forEach(function (d, i) { if (d[0] === selDomain.value) domain = i; });
    var hits = terms.map(termHits), out = [], total = 0;
    index.entries.forEach(function (e) {
      if (domain >= 0 && e.domain !== domain) return;
      var rest = [], ok = true;
      hits.forEach(function (h) {
        if (e.text.indexOf(h.term) >= 0) return;
        var literal = e.subject.some(function (s) { return s.toLowerCase().indexOf(h.term) >= 0; });
        if (literal) return;
        if (!h.any) ok = false; else rest.push(h);
      });
      if (!ok) return;
      var places = [];
      e.places.forEach(function (i) {
        if (i < lo || i >= hi || (level >= 0 && index.locs[i][2] !== level)) return;
        for (var r = 0; r < rest.length; r++) {
          var h = rest[r];
          if (h.name[i]) continue;
          var rh = h.role[i];
          if (rh && e.subject.some(function (s) { return rh[s]; })) continue;
          return;
        }
        places.push(i);
      });
      if (places.length) { out.push({ e: e, places: places }); total += places.length; }
    });
    return { groups: out, total: total, ms: performance.now() - t0 };
  }

  function highlight(parent, text) {
    var lower = text.toLowerCase(), pos = 0;
    while (pos < text.length) {
      var best = -1, len = 0;
      terms.forEach(function (t) {
        var at = lower.indexOf(t, pos);
        if (at >= 0 && (best < 0 || at < best)) { best = at; len = t.length; }
      });
      if (best < 0) break;
      parent.appendChild(document.createTextNode(text.slice(pos, best)));
      var m = document.createElement("mark");
      m.textContent = text.slice(best, best + len);
      parent.appendChild(m);
      pos = best + len;
    }
    parent.appendChild(document.createTextNode(text.slice(pos)));
  }

  function href(i, e) {
    return index.locs[i][0] + "/" + index.data.domains[e.domain][0] + ".html#" + e.id;
  }

  function el(tag, cls) { var x = document.createElement(tag); if (cls) x.className = cls; return x; }

  function render(group) {
    var e = group.e, first = group.places[0], li = el("li");
    var h = el("p", "title"), a = el("a");
    a.href = href(first, e);
    highlight(a, e.level2);
    h.appendChild(a);
    var meta = el("span", "meta");
    meta.textContent = "　" + index.data.domains[e.domain][1] + " · ";
    h.appendChild(meta);
    highlight(meta, e.level1);
    li.appendChild(h);
    var body = el("p");
    highlight(body, e.content);
    li.appendChild(body);
    var subj = el("p", "meta");
    subj.appendChild(document.createTextNode("公开主体（" + index.locs[first][1] + "）："));
    highlight(subj, subjectsAt(e, first).join("、"));
    li.appendChild(subj);
    var where = el("p", "where");
    where.appendChild(document.createTextNode("公开地区（" + group.places.length + "）："));
    group.places.slice(0, PLACES).forEach(function (i, n) {
      if (n) where.appendChild(document.createTextNode("、"));
      var p = el("a");
      p.href = href(i, e);
      highlight(p, index.locs[i][1]);
      where.appendChild(p);
    });
    if (group.places.length > PLACES) where.appendChild(document.createTextNode(" 等"));
    li.appendChild(where);
    return li;
  }

  function showMore() {
    found.groups.slice(shown, shown + PAGE).forEach(function (g) { list.appendChild(render(g)); });
    shown = Math.min(found.groups.length, shown + PAGE);
    more.hidden = shown >= found.groups.length;
  }

  function run(fromForm) {
    terms = q.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    list.textContent = "";
    more.hidden = true;
    if (!terms.length) { setStatus(fromForm ? "请输入关键词。" : ""); return; }
    found = search();
    shown = 0;
    setStatus(found.groups.length
      ? "找到 " + found.groups.length + " 个事项，在各地区共公开 " + found.total + " 处（" + found.ms.toFixed(0) + " 毫秒）。"
      : "没有找到包含“" + terms.join(" ") + "”的事项。");
    showMore();
  }

  function fromUrl() {
    var params = new URLSearchParams(location.search);
    q.value = params.get("q") || "";
    selLoc.value = params.get("loc") || "";
    selDomain.value = params.get("domain") || "";
    selLevel.value = params.get("level") || "";
    var quick = document.getElementById("gk-q");
    if (quick) quick.value = q.value;
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var params = new URLSearchParams(new FormData(form));
    try { history.replaceState(null, "", "?" + params.toString()); } catch (err) { /* file:// may refuse */ }
    if (index) run(true);
  });
  more.addEventListener("click", showMore);

  fromUrl();
  setStatus("正在载入索引……");
  var tag = document.createElement("script");
  tag.src = script.getAttribute("data-index");
  tag.onerror = function () { setStatus("无法载入搜索索引（" + tag.src + "）。"); };
  document.body.appendChild(tag);
})();
