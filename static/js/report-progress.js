/* Live progress of a document being rendered: polls the job's status every 1.5 s and
   reloads the page once it is finished (to show the download or the error). */
(function () {
  "use strict";
  var box = document.querySelector(".report-job[data-status-url]");
  if (!box || box.dataset.finished === "true") return;
  var bar = box.querySelector("progress");
  var delay = 1500;

  function field(name) { return box.querySelector('[data-field="' + name + '"]'); }

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (job) {
        if (bar) bar.value = job.progress;
        if (field("progress")) field("progress").textContent = job.progress;
        if (field("status_label")) field("status_label").textContent = job.status_label;
        if (job.finished) { window.location.reload(); return; }
        delay = 1500;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000);  // the server or the network is down: back off
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, delay);
})();
