// Every page: on a small screen the navigation folds behind a "Menú" button (without script it stays open).
(function () {
  "use strict";
  // On a phone the language's button gives its room to the menu: choosing the language applies it.
  var language = document.getElementById("language-select");
  if (language && language.form && window.matchMedia("(max-width: 720px)").matches) {
    language.form.classList.add("lang-form--auto");
    language.addEventListener("change", function () { language.form.submit(); });
  }
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
