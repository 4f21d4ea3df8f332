// Before printing, every Plotly figure of the page is redrawn at the width it has on the printed page (A4 less
// the margins, profile.css), so no chart is cut off; after printing it follows its container again.
(function () {
  "use strict";
  if (!window.Plotly) { return; }
  // CSS px: A4's 210 mm less 2 × 14 mm margins ≈ 182 mm ≈ 688 px at 96 px/in, less a card's padding and border.
  var PRINT_WIDTH = 640;

  function figures() {
    return Array.prototype.slice.call(document.querySelectorAll(".js-plotly-plot"));
  }

  function fit() {
    figures().forEach(function (el) {
      var width = Math.min(PRINT_WIDTH, el.parentElement ? el.parentElement.clientWidth || PRINT_WIDTH : PRINT_WIDTH);
      window.Plotly.relayout(el, {width: width, autosize: false});
    });
  }

  function restore() {
    figures().forEach(function (el) {
      window.Plotly.relayout(el, {width: null, autosize: true});
    });
  }

  window.addEventListener("beforeprint", fit);
  window.addEventListener("afterprint", restore);
  var print = window.matchMedia && window.matchMedia("print");
  if (print && print.addEventListener) {
    print.addEventListener("change", function (event) { if (event.matches) { fit(); } else { restore(); } });
  }
  window.ObsPrint = {fit: fit, restore: restore};
})();
