// The "Guardar vista" form saves the page's current query string: the map changes it as layers are switched.
(function () {
  "use strict";
  document.querySelectorAll("form[data-save-view]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelector("input[name=query]").value = window.location.search.replace(/^\?/, "");
    });
  });
})();
