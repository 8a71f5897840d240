/* folio web edition: the search page (templates/web/search.js). The index (search-index.js,
   written by the build) lists the claims, sections, notes and quotations with their text;
   a result holds every word asked for, accents and case aside. No server, no network:
   it works opened from disk too. */
(function () {
  "use strict";
  var records = window.FOLIO_SEARCH || [];
  var form = document.querySelector(".search-page form");
  var input = document.getElementById("search-query");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var KINDS = { claim: "Claim", section: "Section", note: "Note", quotation: "Quotation" };

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var folded = records.map(function (r) { return fold(r.title + " " + r.text); });

  function snippet(text, word) {
    var at = fold(text).indexOf(word);
    var start = Math.max(0, at - 80);
    var piece = (start > 0 ? "\u2026" : "") + text.slice(start, start + 220) + (start + 220 < text.length ? "\u2026" : "");
    return piece;
  }

  function run(query) {
    var words = fold(query).split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!words.length) { status.textContent = ""; return; }
    var found = [];
    folded.forEach(function (text, i) {
      var score = 0;
      for (var w = 0; w < words.length; w++) {
        var count = text.split(words[w]).length - 1;
        if (!count) return;
        score += count + (fold(records[i].title).indexOf(words[w]) >= 0 ? 5 : 0);
      }
      found.push([score, i]);
    });
    found.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    status.textContent = found.length ? found.length + (found.length === 1 ? " result" : " results") + " for \u201c" + query + "\u201d" : "Nothing found for \u201c" + query + "\u201d";
    found.slice(0, 100).forEach(function (hit) {
      var r = records[hit[1]];
      var item = document.createElement("li");
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = KINDS[r.kind] || r.kind;
      var link = document.createElement("a");
      link.href = r.url;
      link.textContent = r.title || r.url;
      var text = document.createElement("p");
      text.textContent = snippet(r.text, words[0]);
      item.appendChild(kind);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(link);
      item.appendChild(text);
      list.appendChild(item);
    });
  }

  var query = new URLSearchParams(window.location.search).get("q") || "";
  input.value = query;
  var header = document.getElementById("search-box");
  if (header) header.value = query;
  run(query);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run(input.value);
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    try { window.history.replaceState(null, "", url.toString()); } catch (e) { /* file: URLs */ }
  });
})();
