// The import job's progress page (records/progress.html): polls the job's state until it is done or failed.
(function () {
  "use strict";
  var box = document.getElementById("job");
  var bar = document.getElementById("job-bar");
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
    if (data.status === "failed" && data.error) {
      var err = document.getElementById("job-error");
      err.hidden = false;
      err.textContent = "";
      var p = document.createElement("div");
      p.className = "alert alert--error";
      p.setAttribute("role", "alert");
      var strong = document.createElement("strong");
      strong.textContent = data.error.spanish;
      var detail = document.createElement("span");
      detail.className = "detail";
      detail.textContent = data.error.message + (data.error.fix ? " — " + data.error.fix : "");
      p.appendChild(strong);
      p.appendChild(detail);
      err.appendChild(p);
      document.getElementById("job-retry").hidden = false;
    }
    if (data.status === "done" && data.next) {
      var next = document.getElementById("job-next");
      next.querySelector("a").href = data.next;
      next.hidden = false;
      var c = data.counts || {};
      document.getElementById("job-counts").textContent = box.dataset.countsText
        .replace("READ", c.read).replace("IMPORTED", c.imported).replace("DUPLICATES", c.duplicates)
        .replace("REJECTED", c.rejected);
      next.querySelector("a").focus();
    }
  }
  function poll() {
    fetch(box.dataset.url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        show(data);
        if (data.status === "queued" || data.status === "running") { window.setTimeout(poll, 400); }
      });
  }
  if (box.dataset.status === "queued" || box.dataset.status === "running") { poll(); }
})();
