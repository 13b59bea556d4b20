// The export progress page (templates/reports/exports/job.html) with JavaScript: poll the job's
// JSON status and move the bar, then reload the page once the job has finished (the page then
// shows the link or the reason). Without JavaScript the page refreshes itself instead.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-status-url");
  var seconds = parseInt(box.getAttribute("data-refresh"), 10) || 3;
  var bar = document.getElementById("export-progress");
  var count = document.getElementById("export-count");
  var label = document.getElementById("export-status");
  var number = new Intl.NumberFormat(document.documentElement.lang || undefined);

  function show(job) {
    if (label) label.textContent = job.status_label;
    if (bar && job.percent !== null) {
      bar.value = job.percent;
      bar.textContent = job.percent + "%";
    }
    if (count && job.rows_total) {
      count.textContent = number.format(job.rows_done) + " / " + number.format(job.rows_total);
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (job) {
        show(job);
        if (job.status === "queued" || job.status === "running") {
          window.setTimeout(poll, seconds * 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        // A dropped connection: try again a little later.
        window.setTimeout(poll, seconds * 2000);
      });
  }

  window.setTimeout(poll, seconds * 1000);
})();
