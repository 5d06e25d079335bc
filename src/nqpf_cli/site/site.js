/* nqpf glossary site: index filtering and the comparison view.
 * Data comes from <script type="application/json"> blocks written by `nqpf export`.
 * Knowledge-base text is only ever put in the page with textContent, never as HTML. */
(function () {
  "use strict";

  function byId(id) {
    return document.getElementById(id);
  }

  function data(id) {
    var element = byId(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  // Case, width and tone marks folded: "Xīn Zhì" -> "xin zhi".
  function fold(text) {
    return text.normalize("NFKC").toLowerCase().normalize("NFD").replace(/\p{M}/gu, "");
  }

  // Also without spaces and punctuation: "xīn zhì shēngchǎnlì" -> "xinzhishengchanli".
  function compact(text) {
    return fold(text).replace(/[^\p{L}\p{N}]/gu, "");
  }

  function hashParams() {
    return new URLSearchParams(location.hash.replace(/^#/, ""));
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /* -- index: instant filtering -------------------------------------------------------- */

  function initIndex() {
    var index = data("nqpf-index");
    var list = byId("entries");
    var input = byId("q");
    var kind = byId("kind");
    if (!index || !list || !input || !kind) return;
    var count = byId("count");
    var empty = byId("empty");
    var total = index.length;
    var items = {};
    Array.prototype.forEach.call(list.children, function (li, order) {
      items[li.getAttribute("data-id")] = { li: li, order: order };
    });

    // 0 a name is the query, 1 a name starts with it, 2 a name contains it,
    // 3 every word is in the names or summary; 9 no match.
    function score(record, query, words) {
      if (!query) return words.length ? 9 : 0;
      var best = 9;
      record.k.forEach(function (key) {
        if (key === query) best = Math.min(best, 0);
        else if (key.indexOf(query) === 0) best = Math.min(best, 1);
        else if (key.indexOf(query) > -1) best = Math.min(best, 2);
      });
      if (best === 9 && words.every(function (w) { return record.t.indexOf(w) > -1; })) {
        best = 3;
      }
      return best;
    }

    function update() {
      var query = compact(input.value);
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var wanted = kind.value;
      var shown = [];
      index.forEach(function (record) {
        var item = items[record.id];
        if (!item) return;
        var s = wanted && item.li.getAttribute("data-kind") !== wanted ? 9 : score(record, query, words);
        if (s < 9) shown.push([s, item.order, item.li]);
        else item.li.hidden = true;
      });
      shown.sort(function (x, y) { return x[0] - y[0] || x[1] - y[1]; });
      shown.forEach(function (x) {
        x[2].hidden = false;
        list.appendChild(x[2]);
      });
      var noun = total === 1 ? "entry" : "entries";
      count.textContent =
        shown.length === total ? total + " " + noun : shown.length + " of " + total + " " + noun;
      empty.hidden = shown.length > 0;
    }

    input.addEventListener("input", update);
    kind.addEventListener("change", update);
    var initial = hashParams().get("q");
    if (initial) input.value = initial;
    update();
  }

  /* -- compare: two entries side by side ------------------------------------------------ */

  function initCompare() {
    var model = data("nqpf-compare");
    var pickA = byId("pick-a");
    var pickB = byId("pick-b");
    var table = byId("compare");
    if (!model || !pickA || !pickB || !table) return;

    function known(id) {
      return id !== null && Object.prototype.hasOwnProperty.call(model.entries, id);
    }

    function heading(id) {
      var entry = model.entries[id];
      var th = element("th");
      th.scope = "col";
      var link = element("a", null, entry.name);
      link.href = entry.href;
      th.appendChild(link);
      if (entry.zh) {
        var zh = element("span", "zh", entry.zh);
        zh.lang = "zh";
        th.appendChild(zh);
      }
      return th;
    }

    function cell(id, key) {
      var entry = model.entries[id];
      var value = entry.cells[key];
      var td = element("td");
      if (!value) {
        td.appendChild(element("span", "none", "—"));
        return td;
      }
      td.appendChild(document.createTextNode(value.text));
      if (value.analyst) {
        td.appendChild(document.createTextNode(" "));
        td.appendChild(element("em", "analyst", "(analyst's reading)"));
      }
      value.sources.forEach(function (n) {
        var cite = element("a", "cite", "[" + n + "]");
        cite.href = entry.href + "#source-" + n;
        td.appendChild(document.createTextNode(" "));
        td.appendChild(cite);
      });
      return td;
    }

    function render() {
      var a = pickA.value;
      var b = pickB.value;
      table.textContent = "";
      var head = element("thead");
      var top = element("tr");
      top.appendChild(element("td"));
      top.appendChild(heading(a));
      top.appendChild(heading(b));
      head.appendChild(top);
      table.appendChild(head);
      var body = element("tbody");
      model.rows.forEach(function (row) {
        if (!model.entries[a].cells[row.key] && !model.entries[b].cells[row.key]) return;
        var tr = element("tr");
        var th = element("th", null, row.label);
        th.scope = "row";
        if (row.zh) {
          var zh = element("span", "zh", row.zh);
          zh.lang = "zh";
          th.appendChild(zh);
        }
        tr.appendChild(th);
        tr.appendChild(cell(a, row.key));
        tr.appendChild(cell(b, row.key));
        body.appendChild(tr);
      });
      table.appendChild(body);
    }

    function load() {
      var params = hashParams();
      var a = params.get("a");
      var b = params.get("b");
      pickA.value = known(a) ? a : model["default"].a;
      pickB.value = known(b) ? b : model["default"].b;
      render();
    }

    function save() {
      var hash =
        "#a=" + encodeURIComponent(pickA.value) + "&b=" + encodeURIComponent(pickB.value);
      if (location.hash !== hash) location.replace(hash);
      render();
    }

    pickA.addEventListener("change", save);
    pickB.addEventListener("change", save);
    byId("swap").addEventListener("click", function () {
      var a = pickA.value;
      pickA.value = pickB.value;
      pickB.value = a;
      save();
    });
    window.addEventListener("hashchange", load);
    load();
  }

  initIndex();
  initCompare();
})();
