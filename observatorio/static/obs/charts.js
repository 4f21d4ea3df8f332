// Draws every server-built chart of the page (elements with data-chart naming a json_script id).
(function () {
  "use strict";
  if (window.Plotly) {
    document.querySelectorAll("[data-chart]").forEach(function (target) {
      var source = document.getElementById(target.getAttribute("data-chart"));
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(target, figure.data, figure.layout, {
        responsive: true, displaylogo: false,
        showSendToCloud: false, showEditInChartStudio: false, plotlyServerURL: "",  // no "share": it uploads the data
        modeBarButtonsToRemove: ["sendDataToCloud", "sendChartToCloud", "editInChartStudio", "select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
        toImageButtonOptions: {format: "png", filename: target.id || "grafico", width: 1200, height: 600}
      });
    });
  }
  var print = document.getElementById("print-page");
  if (print) {
    print.addEventListener("click", function () { window.print(); });
  }
})();
