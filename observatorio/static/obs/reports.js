// A report's page while it is generated (reports/run.html): polls the run's progress and reloads the page
// when the run has finished (done or failed). Without script the page reloads itself (noscript refresh).
(function () {
  "use strict";
  var box = document.getElementById("run");
  if (!box) { return; }
  var bar = document.getElementById("run-bar");
  var percent = document.getElementById("run-percent");
  function poll() {
    fetch(box.dataset.url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (data) {
        if (bar) { bar.value = data.progress; bar.textContent = data.progress + " %"; }
        if (percent) { percent.textContent = data.progress; }
        if (data.status !== "running") { window.location.reload(); return; }
        window.setTimeout(poll, 700);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 500);
}());
