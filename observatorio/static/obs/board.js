// Draws the dashboard's figures (built on the server) and keeps the filter form tidy.
// Nothing here reaches the network: Plotly's PNG export runs in the browser.
(function () {
  "use strict";
  var period = document.getElementById("f-period");
  // The month picker goes with period=month, the year with period=year, the dates with period=custom.
  var pickers = document.querySelectorAll("#board-filters [data-for]");
  function togglePickers() {
    pickers.forEach(function (el) {
      el.hidden = !period || period.value !== el.getAttribute("data-for");
    });
  }
  if (period) {
    period.addEventListener("change", togglePickers);
    togglePickers();
  }
  // Only what the period needs travels, and no empty values: the URL stays short and shareable.
  var form = document.getElementById("board-filters");
  if (form) {
    form.addEventListener("submit", function () {
      pickers.forEach(function (el) {
        if (el.hidden) {
          el.querySelectorAll("input").forEach(function (input) { input.disabled = true; });
        }
      });
      form.querySelectorAll("select, input[type=hidden]").forEach(function (el) {
        if (!el.multiple && el.value === "") { el.disabled = true; }
      });
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
      showSendToCloud: false, showEditInChartStudio: false, plotlyServerURL: "",  // no "share": it uploads the data
      modeBarButtonsToRemove: ["sendDataToCloud", "sendChartToCloud", "editInChartStudio", "select2d", "lasso2d", "autoScale2d", "toggleSpikelines"]
    });
  });
})();
