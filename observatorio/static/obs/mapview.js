// The map page: layer checkboxes switch Plotly traces on and off; a layer not yet
// drawn is fetched once from the server (same origin, nothing external). The clusters
// ("grupos") are counted on cells that follow the zoom: each zoom's end asks the server
// for the layer again when the cell suited to the new view differs from the drawn one.
(function () {
  "use strict";
  var target = document.getElementById("layer-map");
  var source = document.getElementById("layer-map-data");
  if (!target || !source || !window.ObsPlot) {
    return;
  }
  var figure = JSON.parse(source.textContent);
  var order = JSON.parse(document.getElementById("layer-order").textContent);
  var urlTemplate = target.getAttribute("data-layer-url");
  var status = document.getElementById("map-status");
  var loading = {};
  // Cell sides the server accepts (metres, coarse to fine), and the one the page was drawn with.
  var CELL_KEYS = {grupos: true};
  var CELLS_ACROSS = 30;  // the finest cell that keeps at most this many cells across the view
  var cells = (target.getAttribute("data-cluster-cells") || "").split(" ").filter(Boolean).map(Number);
  var drawnCell = {grupos: Number(target.getAttribute("data-cluster-cell")) || null};

  function cellFor() {
    var range = target._fullLayout && target._fullLayout.xaxis && target._fullLayout.xaxis.range;
    if (!range || !cells.length) { return drawnCell.grupos; }
    var width = Math.abs(range[1] - range[0]), chosen = cells[0];
    cells.forEach(function (cell) {
      if (width / cell <= CELLS_ACROSS) { chosen = Math.min(chosen, cell); }
    });
    return chosen;
  }

  function layerUrl(key) {
    var url = urlTemplate.replace("__KEY__", key);
    return CELL_KEYS[key] ? url + (url.indexOf("?") < 0 ? "?" : "&") + "celda=" + cellFor() : url;
  }

  function say(text) {
    if (status) { status.textContent = text; }
  }

  function rank(key) {
    var i = order.indexOf(key);
    return i < 0 ? order.length : i;
  }

  function indicesOf(key) {
    var out = [];
    (target.data || []).forEach(function (trace, i) {
      if (trace.meta && trace.meta.layer === key) { out.push(i); }
    });
    return out;
  }

  function currentMetric() {
    var checked = document.querySelector("input[name=metrica]:checked");
    return checked ? checked.value : "count";
  }

  function keyOf(input) {
    var key = input.getAttribute("data-layer");
    return key === "coropletico" ? "coropletico-" + currentMetric() : key;
  }

  function setNote(key, layer) {
    var item = key.replace(/-(count|rate|eb)$/, "");
    var note = document.querySelector("[data-note-for='" + item + "']");
    var caution = document.querySelector("[data-caution-for='" + item + "']");
    if (note) { note.textContent = layer.empty_reason || layer.note || ""; }
    if (caution) { caution.textContent = layer.caution || ""; }
  }

  function show(key, visible) {
    var idx = indicesOf(key);
    if (idx.length && visible && CELL_KEYS[key] && !loading[key] && drawnCell[key] !== cellFor()) {
      // Drawn on another cell than this zoom's: drawn again, on the cell suited to it.
      return window.Plotly.deleteTraces(target, idx).then(function () { return show(key, true); });
    }
    if (idx.length) {
      return window.Plotly.restyle(target, {visible: visible}, idx).then(zoomLabels);
    }
    if (!visible || loading[key]) { return Promise.resolve(); }
    loading[key] = true;
    say(target.getAttribute("data-loading"));
    return fetch(layerUrl(key), {credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (layer) {
        loading[key] = false;
        if (CELL_KEYS[key]) {
          drawnCell[key] = layer.cell;
          target.setAttribute("data-cluster-cell", String(layer.cell));
        }
        setNote(key, layer);
        if (!layer.traces.length) { say(layer.caption || ""); return; }
        var at = (target.data || []).filter(function (t) {
          return t.meta && rank(t.meta.layer) <= rank(key);
        }).length;
        var positions = layer.traces.map(function (_, i) { return at + i; });
        var traces = window.ObsPlot.tidy({data: layer.traces, layout: {}}).data;
        return window.Plotly.addTraces(target, traces, positions).then(function () {
          zoomLabels();
          say(layer.title + ": " + target.getAttribute("data-loaded") + (layer.caution ? ". " + layer.caution : ""));
          followZoom();  // the view may have been zoomed while the layer was on its way
        });
      })
      .catch(function () {
        loading[key] = false;
        say(target.getAttribute("data-failed"));
      });
  }

  // At a zoom's end: the cell layers switched on are drawn again if their cell no longer suits the view.
  function followZoom() {
    Object.keys(CELL_KEYS).forEach(function (key) {
      var input = document.querySelector("input[data-layer='" + key + "']");
      if (input && input.checked && !loading[key] && drawnCell[key] !== cellFor()) { show(key, true); }
    });
  }

  function syncUrl() {
    var params = new URLSearchParams(window.location.search);
    params.delete("capa");
    document.querySelectorAll("input[data-layer]").forEach(function (input) {
      if (input.checked) { params.append("capa", keyOf(input)); }
    });
    window.history.replaceState(null, "", window.location.pathname + "?" + params.toString());
  }

  window.ObsPlot.draw(target, figure, {
    scrollZoom: true, toImageButtonOptions: {format: "png", filename: "mapa-observatorio", width: 1400, height: 1000}
  }).then(function () {
    listenClicks();
    target.on("plotly_relayout", function () { zoomLabels(); followZoom(); });
    zoomLabels();
    followZoom();
    target.setAttribute("data-ready", "1");
  });

  document.querySelectorAll("input[data-layer]").forEach(function (input) {
    input.addEventListener("change", function () {
      show(keyOf(input), input.checked).then(syncUrl);
    });
  });
  document.querySelectorAll("input[name=metrica]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      var box = document.querySelector("input[data-layer=coropletico]");
      ["count", "rate", "eb"].forEach(function (m) {
        if (m !== radio.value) { show("coropletico-" + m, false); }
      });
      if (box && box.checked) { show("coropletico-" + radio.value, true).then(syncUrl); }
    });
  });
  var form = document.getElementById("map-filters");
  if (form) {
    form.addEventListener("submit", function () {
      // The layers switched on since the page was drawn go with the filters.
      form.querySelectorAll("input[type=hidden][name=capa]").forEach(function (old) { old.remove(); });
      document.querySelectorAll("input[data-layer]").forEach(function (input) {
        if (!input.checked) { return; }
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = "capa";
        hidden.value = keyOf(input);
        form.appendChild(hidden);
      });
    });
  }
  var base = document.getElementById("base-map");
  if (base) {
    base.addEventListener("change", function () {
      var update = {};
      (figure.layout.images || []).forEach(function (_, i) { update["images[" + i + "].visible"] = base.checked; });
      window.Plotly.relayout(target, update);
    });
  }
  // A click on an area (its fill or its name) opens a small panel: its profile, or the map filtered to it.
  var popup = document.getElementById("area-popup");
  function areaOf(point) {
    var trace = point.data || {};
    if (trace.meta && trace.meta.area) { return trace.meta.area; }
    if (trace.meta && trace.meta.labels && point.customdata) { return point.customdata; }
    return null;
  }
  function openPopup(area, name) {
    var id = String(area[0]);
    document.getElementById("area-popup-name").textContent = name;
    document.getElementById("area-popup-profile").href =
      popup.getAttribute("data-profile-url").replace("987654321", id);
    var params = new URLSearchParams(window.location.search);
    params.delete("area");
    params.set("level", area[2]);
    params.append("area", id);
    document.getElementById("area-popup-filter").href = window.location.pathname + "?" + params.toString();
    popup.hidden = false;
    popup.setAttribute("data-area", id);
  }
  if (popup) {
    document.getElementById("area-popup-close").addEventListener("click", function () { popup.hidden = true; });
    target.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { popup.hidden = true; }
    });
  }
  function listenClicks() {
    if (!popup || !target.on) { return; }
    target.on("plotly_click", function (event) {
      var found = null;
      (event.points || []).some(function (point) {
        var area = areaOf(point);
        if (area) {
          var trace = point.data || {};
          var name = trace.meta && trace.meta.labels ? point.text : trace.name;
          found = {area: area, name: name};
        }
        return !!found;
      });
      if (found) { openPopup(found.area, found.name); }
    });
  }

  // Street names are written only when the map is zoomed in enough (the trace says how wide, in metres).
  function zoomLabels() {
    var range = target._fullLayout && target._fullLayout.xaxis && target._fullLayout.xaxis.range;
    if (!range) { return; }
    var width = Math.abs(range[1] - range[0]);
    var idx = [], vis = [];
    (target.data || []).forEach(function (trace, i) {
      if (!trace.meta || !trace.meta.zoom_labels) { return; }
      var layerShown = indicesOf(trace.meta.layer).some(function (j) {
        return j !== i && target.data[j].visible !== false;
      });
      var want = layerShown && width <= trace.meta.zoom_labels;
      if ((trace.visible !== false) !== want) { idx.push(i); vis.push(want); }
    });
    if (idx.length) { window.Plotly.restyle(target, {visible: vis}, idx); }
  }

  // Search: an area (name or code) or a street of the reference layers; the map zooms to its extent.
  var search = document.getElementById("map-search");
  var searchData = document.getElementById("map-search-data");
  if (search && searchData) {
    var entries = JSON.parse(searchData.textContent);
    var MIN_SIDE = 400;  // metres: a short street is shown with some of its surroundings
    search.addEventListener("submit", function (event) {
      event.preventDefault();
      var wanted = document.getElementById("map-search-input").value.trim().toLowerCase();
      var found = null;
      entries.some(function (entry) {
        if (entry.label.toLowerCase() === wanted) { found = entry; }
        return !!found;
      });
      if (!found) {
        entries.some(function (entry) {
          if (wanted && entry.label.toLowerCase().indexOf(wanted) >= 0) { found = entry; }
          return !!found;
        });
      }
      var status = document.getElementById("map-search-status");
      if (!found) { status.textContent = search.getAttribute("data-not-found"); return; }
      status.textContent = found.label;
      var b = found.bounds;
      // Ranges in the plot's own proportions (the axes keep one metre = one metre), so neither is widened.
      var size = target._fullLayout._size, aspect = size.w / Math.max(size.h, 1);
      var half = Math.max(b[2] - b[0], (b[3] - b[1]) * aspect, MIN_SIDE) * 0.6;
      var cx = (b[0] + b[2]) / 2, cy = (b[1] + b[3]) / 2;
      window.Plotly.relayout(target, {"xaxis.range": [cx - half, cx + half],
                                      "yaxis.range": [cy - half / aspect, cy + half / aspect]});
    });
  }

  var png = document.getElementById("map-png");
  if (png) {
    png.addEventListener("click", function () {
      window.Plotly.downloadImage(target, {format: "png", filename: "mapa-observatorio", width: 1400, height: 1000});
    });
  }
})();
