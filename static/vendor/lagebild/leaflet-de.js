/* German texts for Leaflet's controls and Leaflet.draw (Lagebild Leipziger Osten, own code).
   Loaded after leaflet.js (and leaflet.draw.js, where a map draws) and before the map is
   created, so every control is built with these options. Scale bar: metric only. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  L.Control.Zoom.prototype.options.zoomInTitle = "Vergrößern";
  L.Control.Zoom.prototype.options.zoomOutTitle = "Verkleinern";
  L.Control.Scale.prototype.options.imperial = false;
  L.Control.Scale.prototype.options.metric = true;
  if (!L.drawLocal) { return; }
  var de = {
    draw: {
      toolbar: {
        actions: {title: "Zeichnen abbrechen", text: "Abbrechen"},
        finish: {title: "Zeichnen abschließen", text: "Fertig"},
        undo: {title: "Zuletzt gesetzten Punkt löschen", text: "Letzten Punkt löschen"},
        buttons: {
          polyline: "Linie zeichnen", polygon: "Fläche (Vieleck) zeichnen",
          rectangle: "Rechteck zeichnen", circle: "Kreis zeichnen",
          marker: "Markierung setzen", circlemarker: "Kreismarkierung setzen"
        }
      },
      handlers: {
        circle: {tooltip: {start: "Klicken und ziehen, um einen Kreis zu zeichnen."},
                 radius: "Radius"},
        circlemarker: {tooltip: {start: "In die Karte klicken, um die Kreismarkierung zu setzen."}},
        marker: {tooltip: {start: "In die Karte klicken, um die Markierung zu setzen."}},
        polygon: {tooltip: {
          start: "Klicken, um mit der Fläche zu beginnen.",
          cont: "Klicken, um die Fläche fortzusetzen.",
          end: "Auf den ersten Punkt klicken, um die Fläche zu schließen."}},
        polyline: {
          error: "<strong>Fehler:</strong> Die Kanten dürfen sich nicht kreuzen!",
          tooltip: {start: "Klicken, um mit der Linie zu beginnen.",
                    cont: "Klicken, um die Linie fortzusetzen.",
                    end: "Auf den letzten Punkt klicken, um die Linie abzuschließen."}},
        rectangle: {tooltip: {start: "Klicken und ziehen, um ein Rechteck zu zeichnen."}},
        simpleshape: {tooltip: {end: "Maustaste loslassen, um das Zeichnen abzuschließen."}}
      }
    },
    edit: {
      toolbar: {
        actions: {
          save: {title: "Änderungen speichern", text: "Speichern"},
          cancel: {title: "Bearbeiten abbrechen, Änderungen verwerfen", text: "Abbrechen"},
          clearAll: {title: "Alle Flächen löschen", text: "Alle löschen"}
        },
        buttons: {edit: "Flächen bearbeiten", editDisabled: "Keine Flächen zum Bearbeiten",
                  remove: "Flächen löschen", removeDisabled: "Keine Flächen zum Löschen"}
      },
      handlers: {
        edit: {tooltip: {text: "Griffe oder Markierungen ziehen, um zu bearbeiten.",
                         subtext: "„Abbrechen“ macht die Änderungen rückgängig."}},
        remove: {tooltip: {text: "Auf eine Fläche klicken, um sie zu löschen."}}
      }
    }
  };
  (function merge(target, source) {
    Object.keys(source).forEach(function (key) {
      if (typeof source[key] === "object" && target[key]) { merge(target[key], source[key]); }
      else { target[key] = source[key]; }
    });
  })(L.drawLocal, de);
})();
