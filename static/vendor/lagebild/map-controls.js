/* The dashboard's own Leaflet controls (Lagebild Leipziger Osten, own code):
   - L.Control.LagebildSearch: address search over the shipped register's index
     (static/search/orte.json, built by maps/search.py): suggestions as one types, keyboard
     usable (arrows, Enter, Escape), the map flies to the chosen address, street, place or
     Ortsteil. It only moves the map.
   - the layer list, collapsed, names the shown data layers in one line ("Ebenen: …") and its
     button says "Ebenen" instead of Leaflet's English "Layers".
   Loaded after leaflet.js and before the map is created. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }

  var SCALE = 100000, MAX_SUGGESTIONS = 8;

  function fold(text) {
    return text.toLowerCase().replace(/ß/g, "ss").replace(/ä/g, "a").replace(/ö/g, "o")
      .replace(/ü/g, "u").replace(/ae/g, "a").replace(/oe/g, "o").replace(/ue/g, "u")
      .replace(/[^a-z0-9]+/g, " ").trim();
  }

  var indexes = {};  // url -> promise of the prepared index, shared by the maps of a page

  function load(url) {
    if (!indexes[url]) {
      indexes[url] = fetch(url).then(function (r) {
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      }).then(prepare);
    }
    return indexes[url];
  }

  function prepare(raw) {
    var o = raw.origin;
    function ll(a, b) { return [o[0] + a / SCALE, o[1] + b / SCALE]; }
    var entries = [];
    raw.ortsteile.forEach(function (r) {
      entries.push({label: r[0], kind: "Ortsteil", key: fold(r[0]), rank: 0,
                    bounds: [ll(r[1], r[2]), ll(r[3], r[4])]});
    });
    raw.streets.forEach(function (r) {
      entries.push({label: r[0], kind: "Straße", key: fold(r[0]), rank: 1,
                    at: ll(r[1], r[2]), bounds: [ll(r[3], r[4]), ll(r[5], r[6])],
                    numbers: r[7].map(function (n) { return {no: n[0], at: ll(n[1], n[2])}; })});
    });
    raw.places.forEach(function (r) {
      entries.push({label: r[0], kind: "Ort", key: fold(r[0]), rank: 2, at: ll(r[1], r[2])});
    });
    return entries;
  }

  // "eisenb 120" -> entries whose name holds every word, then their house numbers that
  // start with the number typed; without a number: Ortsteile, streets, places by fit.
  function suggest(entries, query) {
    var words = fold(query).split(" ").filter(Boolean);
    if (!words.length) { return []; }
    var number = /^\d+[a-z]?$/.test(words[words.length - 1]) && words.length > 1
      ? words.pop() : null;
    var hits = entries.filter(function (e) {
      return words.every(function (w) { return e.key.indexOf(w) >= 0; });
    });
    function fit(e) {  // the name starting with what was typed first, short names first
      return (e.key.indexOf(words[0]) === 0 ? 0 : 1) * 1000 + e.rank * 100
        + Math.min(e.key.length, 99);
    }
    hits.sort(function (a, b) { return fit(a) - fit(b) || (a.label < b.label ? -1 : 1); });
    if (number === null) { return hits.slice(0, MAX_SUGGESTIONS); }
    var out = [];
    hits.forEach(function (e) {
      (e.numbers || []).forEach(function (n) {
        var no = fold(n.no);
        if (no.indexOf(number) === 0) {
          out.push({label: e.label + " " + n.no, kind: "Adresse", at: n.at,
                    exact: no === number ? 0 : 1, len: no.length});
        }
      });
    });
    out.sort(function (a, b) { return a.exact - b.exact || a.len - b.len ||
      (a.label < b.label ? -1 : a.label > b.label ? 1 : 0); });
    return out.slice(0, MAX_SUGGESTIONS);
  }

  L.Control.LagebildSearch = L.Control.extend({
    options: {position: "topleft", url: "", placeholder: "Adresse oder Ort suchen …"},

    onAdd: function (map) {
      var self = this, id = "lagebild-search-" + L.Util.stamp(this);
      var box = L.DomUtil.create("div", "leaflet-bar lagebild-search");
      var input = this._input = L.DomUtil.create("input", "", box);
      input.type = "search";
      input.placeholder = this.options.placeholder;
      input.setAttribute("aria-label", "Adresse oder Ort suchen");
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-autocomplete", "list");
      input.setAttribute("aria-expanded", "false");
      input.setAttribute("aria-controls", id);
      input.autocomplete = "off";
      var list = this._list = L.DomUtil.create("ul", "lagebild-search-list", box);
      list.id = id;
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", "Vorschläge");
      list.hidden = true;
      this._marker = L.layerGroup().addTo(map);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      L.DomEvent.on(input, "focus", function () { load(self.options.url); });
      L.DomEvent.on(input, "input", function () { self._update(); });
      L.DomEvent.on(input, "keydown", function (e) { self._key(e); });
      L.DomEvent.on(input, "blur", function () {
        setTimeout(function () { self._close(); }, 200);  // a click on a suggestion first
      });
      return box;
    },

    addTo: function (map) {  // above the zoom buttons: the first thing in its corner
      L.Control.prototype.addTo.call(this, map);
      var corner = this._container.parentNode;
      corner.insertBefore(this._container, corner.firstChild);
      return this;
    },

    _update: function () {
      var self = this, query = this._input.value;
      load(this.options.url).then(function (entries) {
        if (self._input.value !== query) { return; }  // typed on meanwhile
        self._show(query.trim() ? suggest(entries, query) : null);
      }, function () { self._show([], "Suche nicht verfügbar"); });
    },

    _show: function (items, empty) {
      var self = this, list = this._list;
      list.innerHTML = "";
      this._items = items || [];
      this._active = -1;
      if (items === null) { this._close(); return; }
      if (!this._items.length) {
        var none = L.DomUtil.create("li", "lagebild-search-none", list);
        none.textContent = empty || "Keine Treffer";
      }
      this._items.forEach(function (item, i) {
        var li = L.DomUtil.create("li", "", list);
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.textContent = item.label;
        var kind = L.DomUtil.create("span", "lagebild-search-kind", li);
        kind.textContent = item.kind;
        L.DomEvent.on(li, "mousedown", function (e) {
          L.DomEvent.preventDefault(e);
          self._choose(i);
        });
      });
      list.hidden = false;
      this._input.setAttribute("aria-expanded", "true");
    },

    _close: function () {
      this._list.hidden = true;
      this._input.setAttribute("aria-expanded", "false");
      this._input.removeAttribute("aria-activedescendant");
    },

    _key: function (e) {
      var n = (this._items || []).length;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        L.DomEvent.preventDefault(e);
        if (!n) { return; }
        this._active = (this._active + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
        var self = this;
        Array.prototype.forEach.call(this._list.children, function (li, i) {
          li.setAttribute("aria-selected", i === self._active ? "true" : "false");
        });
        this._input.setAttribute("aria-activedescendant", this._list.id + "-" + this._active);
      } else if (e.key === "Enter") {
        L.DomEvent.preventDefault(e);
        if (n) { this._choose(Math.max(this._active, 0)); }
      } else if (e.key === "Escape") {
        this._close();
      }
    },

    _choose: function (i) {
      var item = this._items[i], map = this._map;
      this._input.value = item.label;
      this._close();
      this._marker.clearLayers();
      if (item.at && (item.kind === "Adresse" || item.kind === "Ort")) {
        L.circleMarker(item.at, {radius: 9, color: "#00838f", weight: 3, fill: false,
                                 interactive: false}).addTo(this._marker);
        map.flyTo(item.at, Math.max(map.getZoom(), 17));
      } else if (item.bounds) {
        map.flyToBounds(item.bounds, {maxZoom: 17, padding: [20, 20]});
      }
      map.fire("lagebildsearch", {label: item.label});
    }
  });

  // The layer list: "Ebenen" as its button's name, and the shown data layers in one line
  // beside it while it is collapsed (``background``: layer names not to list).
  L.Control.Layers.mergeOptions({background: []});
  var initLayout = L.Control.Layers.prototype._initLayout;
  var update = L.Control.Layers.prototype._update;
  var onAdd = L.Control.Layers.prototype.onAdd;
  L.Control.Layers.include({
    _initLayout: function () {
      initLayout.call(this);
      this._layersLink.title = "Ebenen";
      this._layersLink.setAttribute("aria-label", "Ebenen wählen");
      this._summary = L.DomUtil.create("span", "lagebild-layer-summary", this._container);
      L.DomEvent.on(this._summary, "click", this.expand, this);
    },
    _update: function () {
      var result = update.apply(this, arguments);
      this._summarise();
      return result;
    },
    onAdd: function (map) {
      var container = onAdd.call(this, map);
      map.on("overlayadd overlayremove", this._summarise, this);
      return container;
    },
    _summarise: function () {
      if (!this._summary || !this._map) { return; }
      var map = this._map, skip = this.options.background, names = [];
      this._layers.forEach(function (o) {
        if (o.overlay && map.hasLayer(o.layer) && skip.indexOf(o.name) < 0) {
          names.push(o.name);
        }
      });
      this._summary.textContent = "Ebenen: " + (names.length ? names.join(", ") : "keine");
      this._summary.title = this._summary.textContent;
    }
  });
})();
