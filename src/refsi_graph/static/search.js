// Offline search over window.REFSI_INDEX (static/search-index.js): every word
// of the query must occur in one of a concept's labels, notation or variant
// spellings, ignoring case and accents. The index holds the labels already
// folded by refsi (refsi_graph.registry.fold); fold() below does the same to
// the query. Results are built with DOM nodes, never with HTML strings.
(function () {
  "use strict";
  var LIGATURES = { "œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae" };

  function fold(text) {
    return text
      .replace(/[œŒæÆ]/g, function (c) { return LIGATURES[c]; })
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .split(/\s+/)
      .filter(function (word) { return word.length > 0; })
      .join(" ");
  }

  function search(index, query) {
    var words = fold(query).split(" ").filter(function (w) { return w; });
    if (words.length === 0) { return []; }
    var phrase = words.join(" ");
    var found = index.filter(function (entry) {
      return words.every(function (word) { return entry.t.indexOf(word) !== -1; });
    });
    // A label that starts with the query comes first, then the publication's order.
    return found
      .map(function (entry, position) {
        var starts = fold(entry.fr).indexOf(phrase) === 0 ? 0 : 1;
        return { entry: entry, rank: starts, position: position };
      })
      .sort(function (a, b) { return a.rank - b.rank || a.position - b.position; })
      .map(function (item) { return item.entry; });
  }

  function element(tag, className, text, lang) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    if (lang) { node.lang = lang; }
    return node;
  }

  function show(results, query) {
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    list.replaceChildren();
    if (!query.trim()) { status.textContent = ""; return; }
    status.textContent = results.length + " résultat" + (results.length === 1 ? "" : "s") +
      " / " + results.length + " result" + (results.length === 1 ? "" : "s");
    results.forEach(function (entry) {
      var item = element("li");
      var link = element("a", null, null, "fr");
      link.href = entry.u;
      if (entry.n) {
        link.appendChild(element("span", "notation", entry.n));
        link.appendChild(document.createTextNode(" "));
      }
      link.appendChild(document.createTextNode(entry.fr));
      item.appendChild(link);
      if (entry.en && entry.en !== entry.fr) {
        item.appendChild(document.createTextNode(" "));
        item.appendChild(element("span", "en", entry.en, "en"));
      }
      item.appendChild(document.createTextNode(" "));
      item.appendChild(element("span", "kind-of", "(" + entry.k + " / " + entry.ke + ")"));
      list.appendChild(item);
    });
  }

  var index = window.REFSI_INDEX || [];
  var input = document.getElementById("q");
  var form = document.getElementById("search-form");
  if (!input || !form) { return; }
  function run() { show(search(index, input.value), input.value); }
  input.addEventListener("input", run);
  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) { input.value = initial; }
  run();
})();
