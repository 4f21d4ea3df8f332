// The banner shown while new data load into the server's snapshot: follows the progress and,
// once done, offers to reload (the figures on the page are the previous data until then). On the page
// shown while the first data load (data-auto-reload), it reloads by itself.
(function () {
  "use strict";
  var banner = document.querySelector(".refresh-banner");
  if (!banner || !window.fetch) {
    return;
  }
  var bar = banner.querySelector("progress");
  var percent = banner.querySelector("[data-percent]");
  function done() {
    var text = banner.querySelector(".refresh-banner__text");
    if (banner.hasAttribute("data-auto-reload")) {
      // The page waiting for the first load opens itself once the data are there.
      text.textContent = banner.dataset.done;
      window.location.reload();
      return;
    }
    text.textContent = banner.dataset.done + " ";
    var link = document.createElement("a");
    link.href = window.location.href;
    link.textContent = banner.dataset.reload;
    text.appendChild(link);
    if (bar) { bar.value = 100; }
  }
  function poll() {
    fetch(banner.dataset.statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        if (!body.refreshing) { done(); return; }
        if (bar) { bar.value = body.percent; }
        if (percent) { percent.textContent = String(body.percent); }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
