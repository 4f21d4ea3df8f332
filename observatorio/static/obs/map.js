// Draws the territory figure built on the server; nothing here reaches the network.
(function () {
  "use strict";
  var target = document.getElementById("territory-map");
  var source = document.getElementById("territory-map-data");
  if (!target || !source || !window.ObsPlot) {
    return;
  }
  window.ObsPlot.draw(target, JSON.parse(source.textContent));
})();
