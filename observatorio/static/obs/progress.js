// The import job's progress page (records/progress.html): polls the job's state and, when the job is done,
// goes on to its result by itself (the report of a dry run, the batch of a commit). No inline script: the CSP
// forbids it.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var bar = document.getElementById("job-bar");
  var failures = 0;
  function line(className, text) {
    var span = document.createElement("span");
    span.className = className;
    span.textContent = text;
    return span;
  }
  function showError(error) {
    var err = document.getElementById("job-error");
    err.hidden = false;
    err.textContent = "";
    var p = document.createElement("div");
    p.className = "alert alert--error";
    p.setAttribute("role", "alert");
    var strong = document.createElement("strong");
    strong.textContent = error.spanish;
    p.appendChild(strong);
    if (error.spanish_detail) { p.appendChild(line("detail", error.spanish_detail)); }
    if (error.spanish_fix) { p.appendChild(line("detail", error.spanish_fix)); }
    err.appendChild(p);
    document.getElementById("job-retry").hidden = false;
  }
  function showDone(data) {
    var next = document.getElementById("job-next");
    next.querySelector("a").href = data.next;
    next.hidden = false;
    var c = data.counts || {};
    document.getElementById("job-counts").textContent = box.dataset.countsText
      .replace("READ", c.read).replace("IMPORTED", c.imported).replace("DUPLICATES", c.duplicates)
      .replace("REJECTED", c.rejected);
    // On to the result by itself; the link stays for a browser that does not follow.
    window.location.replace(data.next);
  }
  function show(data) {
    bar.value = data.percent;
    bar.textContent = data.percent + " %";
    document.getElementById("job-percent").textContent = data.percent;
    if (data.stage_name) { document.getElementById("job-stage").textContent = data.stage_name; }
    var queue = document.getElementById("job-queue");
    if (queue) {
      queue.hidden = !data.position;
      if (data.position) { queue.textContent = queue.dataset.text.replace("N", data.position); }
    }
    box.dataset.status = data.status;
    if (data.status === "failed" && data.error) { showError(data.error); }
    if (data.status === "done" && data.next) { showDone(data); }
  }
  function poll() {
    fetch(box.dataset.url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (data) {
        failures = 0;
        show(data);
        if (data.status === "queued" || data.status === "running") { window.setTimeout(poll, 400); }
      })
      .catch(function () {
        // A dropped request (the server busy writing) is not the end of the job: try again, more slowly.
        failures += 1;
        window.setTimeout(poll, Math.min(400 * Math.pow(2, failures), 5000));
      });
  }
  var status = box.dataset.status;
  if (status === "queued" || status === "running") {
    poll();
  } else if (status === "done" && box.dataset.next) {
    window.location.replace(box.dataset.next);
  }
})();
