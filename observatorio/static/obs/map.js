// Draws the territory figure built on the server; nothing here reaches the network.
(function () {
  "use strict";
  var target = document.getElementById("territory-map");
  var source = document.getElementById("territory-map-data");
  if (!target || !source || !window.Plotly) {
    return;
  }
  var figure = JSON.parse(source.textContent);
  window.Plotly.newPlot(target, figure.data, figure.layout, {
    responsive: true,
    displaylogo: false,
    scrollZoom: false,
    showSendToCloud: false, showEditInChartStudio: false, plotlyServerURL: "",  // no "share": it uploads the data
    modeBarButtonsToRemove: ["sendDataToCloud", "sendChartToCloud", "editInChartStudio", "select2d", "lasso2d", "autoScale2d", "toggleSpikelines"]
  });
})();
