// Draws the dashboard's figures (built on the server) and keeps the filter form tidy.
// Nothing here reaches the network: Plotly's PNG export runs in the browser.
(function () {
  "use strict";
  var period = document.getElementById("f-period");
  var custom = document.getElementById("custom-dates");
  function toggleDates() {
    if (period && custom) {
      custom.hidden = period.value !== "custom";
    }
  }
  if (period) {
    period.addEventListener("change", toggleDates);
    toggleDates();
  }
  // Dates only travel with a custom period, so the URL stays short and shareable.
  var form = document.getElementById("board-filters");
  if (form) {
    form.addEventListener("submit", function () {
      if (period && period.value !== "custom") {
        ["f-start", "f-end"].forEach(function (id) {
          var el = document.getElementById(id);
          if (el) { el.disabled = true; }
        });
      }
    });
  }
  var source = document.getElementById("board-figures");
  if (!source || !window.Plotly) {
    return;
  }
  var figures = JSON.parse(source.textContent);
  document.querySelectorAll("[data-figure]").forEach(function (target) {
    var name = target.getAttribute("data-figure");
    var figure = figures[name];
    if (!figure) { return; }
    window.Plotly.newPlot(target, figure.data, figure.layout, {
      responsive: true,
      displaylogo: false,
      scrollZoom: false,
      toImageButtonOptions: { format: "png", filename: "tablero-" + name, scale: 2 },
      modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"]
    });
  });
})();
