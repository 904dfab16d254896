/* German for the fixed English texts of Streamlit's own interface that it offers no
   parameter for: the skip link, the file uploader's button, size note and file sizes, select
   boxes' placeholders and "no results", the toolbars of charts and tables, and the date
   picker's calendar (month and day names follow the browser's language there) — in text,
   aria-label, title and placeholder. Own code (Lagebild Leipziger Osten). Runs once per
   page; a MutationObserver translates what React draws later. Also: Enter applies a typed
   date. */
(function () {
  "use strict";
  if (window.__lagebildGerman) { return; }
  window.__lagebildGerman = true;
  // A date typed into a date field applies on Enter too, not only on a click elsewhere:
  // Streamlit commits a typed date when the focus leaves the field after a pointer press
  // (a bare blur() while typing is ignored), so Enter presses "outside" and leaves.
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key === "Enter" && field && field.closest &&
        field.closest("[data-testid='stDateInput']")) {
      document.body.dispatchEvent(new PointerEvent("pointerdown", {bubbles: true}));
      document.body.dispatchEvent(new MouseEvent("mousedown", {bubbles: true}));
      field.blur();
    }
  }, true);
  var EXACT = {
    "Skip to main content": "Zum Inhalt springen",
    "Upload": "Datei wählen",
    "Upload directories": "Ordner wählen",
    "Browse files": "Datei wählen",
    "Drag and drop file here": "Datei hierher ziehen",
    "Drag and drop files here": "Dateien hierher ziehen",
    "No results": "Keine Treffer",
    "No options to select": "Keine Auswahl möglich",
    "Choose an option": "Bitte wählen",
    "Choose options": "Bitte wählen",
    "Choose or add an option": "Bitte wählen oder eingeben",
    "Select...": "Bitte wählen …",
    "Selected values": "Gewählte Werte",
    "Select all": "Alle wählen",
    "Clear all": "Alle entfernen",
    "Clear value": "Eingabe löschen",
    "Clear selection": "Auswahl aufheben",
    "Open": "Öffnen",
    "Close": "Schließen",
    "Show data": "Daten zeigen",
    "Show chart": "Diagramm zeigen",
    "Data View": "Datenansicht",
    "Download as CSV": "Als CSV herunterladen",
    "Download as PNG": "Als PNG herunterladen",
    "Save as Image": "Als Bild speichern",
    "Fullscreen": "Vollbild",
    "Close fullscreen": "Vollbild beenden",
    "Toggle fullscreen": "Vollbild ein/aus",
    "Show/hide columns": "Spalten ein-/ausblenden",
    "Search": "Suchen",
    "Copy to clipboard": "In die Zwischenablage kopieren",
    "Copy column name": "Spaltennamen kopieren",
    "Sort ascending": "Aufsteigend sortieren",
    "Sort descending": "Absteigend sortieren",
    "Autosize": "Breite anpassen",
    "Pin column": "Spalte fixieren",
    "Unpin column": "Fixierung lösen",
    "Hide column": "Spalte ausblenden",
    "Main menu": "Hauptmenü",
    "App pages": "Seiten",
    "Choose date": "Datum wählen",
    "Cancel": "Abbrechen",
    "Choose date range": "Zeitraum wählen",
    "Use arrow keys to navigate dates. Enter to select. Escape to close.":
      "Mit den Pfeiltasten durch die Tage; Eingabetaste wählt, Escape schließt."
  };
  var MONTHS = {January: "Januar", February: "Februar", March: "März", April: "April",
    May: "Mai", June: "Juni", July: "Juli", August: "August", September: "September",
    October: "Oktober", November: "November", December: "Dezember"};
  var DAYS = {Su: "So", Mo: "Mo", Tu: "Di", We: "Mi", Th: "Do", Fr: "Fr", Sa: "Sa"};
  var PER_FILE = /^(.*\S)\s*per file(.*)$/;
  // an uploaded file's size, "1.4KB" or "512 bytes" -> "1,4 kB", "512 Byte"
  var SIZE = /^(\d+(?:\.\d+)?)\s*(bytes?|B|KB|MB|GB)$/;
  var UNITS = {byte: "Byte", bytes: "Byte", B: "Byte", KB: "kB", MB: "MB", GB: "GB"};
  var MONTH_YEAR = /^(January|February|March|April|May|June|July|August|September|October|November|December)(\s+\d{4})?$/;
  // a month inside a sentence, e.g. the calendar's hidden "Choose date, March 2026"
  var MONTH_IN_TEXT = /\b(January|February|March|April|May|June|July|August|September|October|November|December)\b(?=\s+\d)/g;

  function german(text, node) {
    var trimmed = text.trim();
    if (EXACT[trimmed]) { return EXACT[trimmed]; }
    var m = PER_FILE.exec(trimmed);
    // Streamlit's server-wide limit; the page's label states the limit that applies
    if (m) { return ""; }
    m = SIZE.exec(trimmed);
    if (m) { return m[1].replace(".", ",") + "\u00a0" + UNITS[m[2]]; }
    m = MONTH_YEAR.exec(trimmed);
    if (m) { return MONTHS[m[1]] + (m[2] || ""); }
    if (DAYS[trimmed] && node && node.parentElement &&
        node.parentElement.closest('[data-testid="stDateInputCalendar"]')) {
      return DAYS[trimmed];
    }
    if (MONTH_IN_TEXT.test(trimmed)) {
      MONTH_IN_TEXT.lastIndex = 0;
      return trimmed.replace(/^Choose date\b/, "Datum wählen")
        .replace(MONTH_IN_TEXT, function (month) { return MONTHS[month]; });
    }
    return null;
  }

  function translate(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var node = root.nodeType === Node.TEXT_NODE ? root : walker.nextNode();
    while (node) {
      var value = german(node.nodeValue || "", node);
      if (value !== null && value !== node.nodeValue) { node.nodeValue = value; }
      node = walker.nextNode();
    }
    if (root.querySelectorAll) {
      var found = Array.prototype.slice.call(
        root.querySelectorAll("[aria-label], [title], [placeholder]"));
      found.push(root);  // an attribute that changed on the element itself
      found.forEach(function (el) {
        if (!el.getAttribute) { return; }
        ["aria-label", "title", "placeholder"].forEach(function (name) {
          var v = el.getAttribute(name);
          var value = v && german(v, null);
          if (value !== null && value !== v) { el.setAttribute(name, value); }
        });
      });
    }
  }

  translate(document.body);
  new MutationObserver(function (records) {
    records.forEach(function (r) {
      if (r.type === "characterData") { translate(r.target); }
      if (r.type === "attributes") { translate(r.target); }
      r.addedNodes.forEach(function (n) {
        if (n.nodeType === Node.ELEMENT_NODE || n.nodeType === Node.TEXT_NODE) { translate(n); }
      });
    });
  }).observe(document.body, {childList: true, subtree: true, characterData: true,
                             attributes: true,
                             attributeFilter: ["aria-label", "title", "placeholder"]});
})();
