// Every Plotly figure of the site is drawn through window.ObsPlot.draw: one configuration (no "share" button,
// which would upload the data; no lasso), the page's language for the toolbar and the dates, one number format
// (1.500 in Spanish, 1,500 in English, four digits included) and whole-number ticks on count axes.
// Plotly's Python package bundles only the English locale, so the Spanish one is registered here
// (its keys are plotly.js's lib/locales/es.js; the number marks are Chile's).
(function () {
  "use strict";
  if (!window.Plotly) { return; }
  window.Plotly.register({
    moduleType: "locale",
    name: "es",
    dictionary: {
      "Autoscale": "Escala automática",
      "Box Select": "Seleccionar con rectángulo",
      "Compare data on hover": "Comparar datos al pasar el cursor",
      "Double-click on legend to isolate one trace": "Doble clic en la leyenda para aislar una serie",
      "Double-click to zoom back out": "Doble clic para volver a la escala inicial",
      "Download plot as a PNG": "Descargar gráfico como PNG",
      "Download plot as a png": "Descargar gráfico como PNG",
      "Download plot as JSON": "Descargar gráfico como JSON",
      "Download plot": "Descargar gráfico",
      "Lasso Select": "Seleccionar con lazo",
      "Pan": "Desplazar",
      "Produced with Plotly.js": "Hecho con Plotly.js",
      "Reset": "Restablecer",
      "Reset axes": "Restablecer ejes",
      "Reset view": "Restablecer vista",
      "Reset views": "Restablecer vistas",
      "Show closest data on hover": "Mostrar el dato más cercano al pasar el cursor",
      "Snapshot succeeded": "Imagen guardada",
      "Sorry, there was a problem downloading your snapshot!": "No se pudo descargar la imagen.",
      "Taking snapshot - this may take a few seconds": "Preparando la imagen; puede tardar unos segundos",
      "Toggle Spike Lines": "Mostrar u ocultar guías",
      "Toggle show closest data on hover": "Mostrar u ocultar el dato más cercano",
      "Zoom": "Acercar con rectángulo",
      "Zoom in": "Acercar",
      "Zoom out": "Alejar",
      "trace": "serie"
    },
    format: {
      days: ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"],
      shortDays: ["dom", "lun", "mar", "mié", "jue", "vie", "sáb"],
      months: ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
               "noviembre", "diciembre"],
      shortMonths: ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"],
      date: "%d-%m-%Y",
      decimal: ",",
      thousands: "."
    }
  });

  var lang = (document.documentElement.getAttribute("lang") || "es").toLowerCase();
  var LOCALE = lang.indexOf("es") === 0 ? "es" : "en";
  var COUNT_FORMATS = [",d", "d"];
  var SMALL = 10;  // below this largest count, Plotly's automatic ticks fall between whole numbers (0,5 …)

  function numbers(values) {
    var out = [];
    (values || []).forEach(function (v) {
      if (Array.isArray(v)) { out = out.concat(numbers(v)); } else if (typeof v === "number" && isFinite(v)) { out.push(v); }
    });
    return out;
  }

  function largest(values) {
    var found = numbers(values);
    return found.length ? Math.max.apply(null, found) : 0;
  }

  // Counts: whole-number ticks; a selection without data gets the axis 0 to 1, not 0, 0, 0, 1, 1.
  function wholeTicks(axis, top) {
    if (top < SMALL) {
      axis.tick0 = 0;
      axis.dtick = 1;
      if (top < 1) { axis.range = [0, 1]; axis.autorange = false; }
    }
  }

  function tidy(figure) {
    var layout = figure.layout || {};
    Object.keys(layout).forEach(function (key) {
      var match = /^([xy])axis(\d*)$/.exec(key);
      var axis = layout[key];
      if (!match || !axis || typeof axis !== "object") { return; }
      if (!axis.tickformat) { axis.separatethousands = true; }
      if (COUNT_FORMATS.indexOf(axis.tickformat) < 0 || axis.type === "date" || axis.type === "category") { return; }
      var id = match[1] + match[2];
      var values = (figure.data || []).filter(function (trace) {
        return (trace[match[1] + "axis"] || match[1]) === id;
      }).map(function (trace) { return trace[match[1]]; });
      wholeTicks(axis, largest(values));
    });
    (figure.data || []).forEach(function (trace) {
      [[trace.colorbar, trace.z], [trace.marker && trace.marker.colorbar, trace.marker && trace.marker.color]]
        .forEach(function (pair) {
          var bar = pair[0];
          if (!bar) { return; }
          if (!bar.tickformat) { bar.separatethousands = true; }
          if (COUNT_FORMATS.indexOf(bar.tickformat) >= 0 && largest(pair[1]) < SMALL) {
            bar.tick0 = 0;
            bar.dtick = 1;
          }
        });
    });
    return figure;
  }

  function draw(target, figure, options) {
    var config = {
      responsive: true, displaylogo: false, scrollZoom: false, locale: LOCALE,
      showSendToCloud: false, showEditInChartStudio: false, plotlyServerURL: "",
      modeBarButtonsToRemove: ["sendDataToCloud", "sendChartToCloud", "editInChartStudio", "select2d", "lasso2d",
                               "autoScale2d", "toggleSpikelines"]
    };
    Object.keys(options || {}).forEach(function (key) { config[key] = options[key]; });
    tidy(figure);
    return window.Plotly.newPlot(target, figure.data, figure.layout, config);
  }

  window.ObsPlot = {draw: draw, tidy: tidy, locale: LOCALE};
})();
