// Draws the dashboard's figures (built on the server; the filter form is filters.js's).
// Nothing here reaches the network: Plotly's PNG export runs in the browser.
(function () {
  "use strict";
  var source = document.getElementById("board-figures");
  if (!source || !window.ObsPlot) {
    return;
  }
  var figures = JSON.parse(source.textContent);
  document.querySelectorAll("[data-figure]").forEach(function (target) {
    var name = target.getAttribute("data-figure");
    var figure = figures[name];
    if (!figure) { return; }
    window.ObsPlot.draw(target, figure, {
      toImageButtonOptions: {format: "png", filename: "tablero-" + name, scale: 2}
    }).then(function () {
      // An area of the choropleth opens its profile (the trace's meta.profile, set on the server).
      target.on("plotly_click", function (event) {
        var point = event && event.points && event.points[0];
        var meta = point && point.data && point.data.meta;
        if (meta && meta.profile) { window.location.assign(meta.profile); }
      });
    });
  });
})();
