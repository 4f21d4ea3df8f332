// Draws every server-built chart of the page (elements with data-chart naming a json_script id).
(function () {
  "use strict";
  if (window.ObsPlot) {
    document.querySelectorAll("[data-chart]").forEach(function (target) {
      var source = document.getElementById(target.getAttribute("data-chart"));
      if (!source) { return; }
      window.ObsPlot.draw(target, JSON.parse(source.textContent), {
        toImageButtonOptions: {format: "png", filename: target.id || "grafico", width: 1200, height: 600}
      });
    });
  }
  var print = document.getElementById("print-page");
  if (print) {
    print.addEventListener("click", function () { window.print(); });
  }
})();
