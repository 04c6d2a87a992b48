// Client-side search over search-index.js (objects and exported common-module methods).
// Loaded lazily with a <script> element, which works from file:// as well as over HTTP.
// Results are built with textContent only: names and synonyms are never parsed as HTML.
(function () {
  "use strict";
  var MAX_RESULTS = 30;
  var root = document.documentElement.getAttribute("data-root") || "";
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  if (!input || !list) return;
  var entries = null;
  var loading = null;
  var selected = -1;

  function prepare(index) {
    // Expand the compact rows (see search_index.py): ids and URLs that follow from type and name.
    var result = [];
    var objects = (index.objects || []).map(function (row) {
      var type = row[3], name = row[1];
      var url = row[4].indexOf("/") < 0 ? "objects/" + type + "/" + row[4] + ".html" : row[4];
      return { id: row[0] || type + "." + name, name: name, synonym: row[2], type: type, url: url };
    });
    objects.forEach(function (o) {
      result.push({
        title: o.name, meta: o.id + (o.synonym ? " · " + o.synonym : ""), url: o.url,
        name: o.name.toLowerCase(), text: (o.id + " " + o.synonym).toLowerCase(), method: false
      });
    });
    (index.methods || []).forEach(function (row) {
      var owner = objects[row[1]];
      result.push({
        title: owner.name + "." + row[0], meta: "экспортный метод · " + owner.id,
        url: owner.url + "#" + (row[2] || "m-Module." + row[0]),
        name: row[0].toLowerCase(), text: (owner.name + "." + row[0]).toLowerCase(), method: true
      });
    });
    return result;
  }

  function load() {
    if (entries) return Promise.resolve(entries);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = root + "search-index.js";
        script.onload = function () { entries = prepare(window.DOCS_SEARCH_INDEX || {}); resolve(entries); };
        script.onerror = function () { loading = null; reject(new Error("search-index.js did not load")); };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function score(entry, query, words) {
    for (var i = 0; i < words.length; i++) if (entry.text.indexOf(words[i]) < 0) return -1;
    var base = entry.method ? 1 : 0;
    if (entry.name === query) return base;
    if (entry.name.indexOf(query) === 0) return 2 + base;
    if (entry.name.indexOf(query) >= 0) return 4 + base;
    return 6 + base;
  }

  function search(query) {
    query = query.trim().toLowerCase();
    if (!query) return { hits: [], total: 0 };
    var words = query.split(/\s+/);
    var hits = [];
    for (var i = 0; i < entries.length; i++) {
      var s = score(entries[i], query, words);
      if (s >= 0) hits.push([s, entries[i].title.length, i]);
    }
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]; });
    return { hits: hits.slice(0, MAX_RESULTS).map(function (h) { return entries[h[2]]; }), total: hits.length };
  }

  function render(found) {
    list.textContent = "";
    selected = -1;
    if (!input.value.trim()) { list.hidden = true; return; }
    if (!found.hits.length) {
      var none = document.createElement("li");
      none.className = "hit-none";
      none.textContent = "Ничего не найдено";
      list.appendChild(none);
    }
    found.hits.forEach(function (entry) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = root + entry.url;
      var name = document.createElement("span");
      name.className = "hit-name";
      name.textContent = entry.title;
      var meta = document.createElement("span");
      meta.className = "hit-meta";
      meta.textContent = entry.meta;
      link.appendChild(name);
      link.appendChild(meta);
      item.appendChild(link);
      list.appendChild(item);
    });
    if (found.total > found.hits.length) {
      var more = document.createElement("li");
      more.className = "hit-none";
      more.textContent = "…и ещё " + (found.total - found.hits.length) + "; уточните запрос";
      list.appendChild(more);
    }
    list.hidden = false;
  }

  function update() {
    load().then(function () { render(search(input.value)); }, function () {
      list.textContent = "";
      var error = document.createElement("li");
      error.className = "hit-none";
      error.textContent = "Индекс поиска не загрузился";
      list.appendChild(error);
      list.hidden = false;
    });
  }

  function move(step) {
    var links = list.querySelectorAll("li > a");
    if (!links.length) return;
    if (selected >= 0) links[selected].parentNode.classList.remove("selected");
    selected = (selected + step + links.length) % links.length;
    links[selected].parentNode.classList.add("selected");
    links[selected].scrollIntoView({ block: "nearest" });
  }

  input.addEventListener("focus", function () { load().catch(function () {}); });
  input.addEventListener("input", update);
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { move(1); event.preventDefault(); }
    else if (event.key === "ArrowUp") { move(-1); event.preventDefault(); }
    else if (event.key === "Escape") { list.hidden = true; }
    else if (event.key === "Enter") {
      var links = list.querySelectorAll("li > a");
      if (links.length) window.location.href = links[selected >= 0 ? selected : 0].href;
    }
  });
  document.addEventListener("click", function (event) {
    if (!list.contains(event.target) && event.target !== input) list.hidden = true;
  });
})();
