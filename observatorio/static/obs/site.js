// Every page: on a small screen the navigation folds behind a "Menú" button (without script it stays open).
(function () {
  "use strict";
  var toggle = document.getElementById("nav-toggle");
  var header = document.querySelector(".site-header");
  if (!toggle || !header) { return; }
  toggle.hidden = false;
  header.classList.add("has-nav-toggle");
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    header.classList.toggle("nav-open", open);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && header.classList.contains("nav-open")) {
      toggle.setAttribute("aria-expanded", "false");
      header.classList.remove("nav-open");
      toggle.focus();
    }
  });
})();
