// The alert's page: polls the progress view while the alert is being sent and moves the
// progress bar and the counters without a reload. Stops once nothing can change.
(function () {
  "use strict";
  var section = document.getElementById("progress");
  if (!section || !window.fetch) { return; }
  var url = section.getAttribute("data-progress-url");
  var bar = document.getElementById("progress-bar");
  var statusText = document.getElementById("alert-status");
  var FINAL = { sent: true, sent_with_failures: true, cancelled: true, draft: true };
  var format = new Intl.NumberFormat(document.documentElement.lang || "en");

  function show(data) {
    bar.value = data.percent;
    section.querySelectorAll("[data-count]").forEach(function (node) {
      var key = node.getAttribute("data-count");
      if (key in data) { node.textContent = key === "percent" ? data[key] : format.format(data[key]); }
    });
    if (statusText && data.status_text) { statusText.textContent = data.status_text; }
    section.setAttribute("data-status", data.status);
    var note = document.getElementById("preparing-note");
    if (note && data.status !== "preparing") { note.hidden = true; }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        show(data);
        // Tracking (opens, clicks) keeps moving after sending: slow down, keep going.
        setTimeout(poll, FINAL[data.status] ? 15000 : 1000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }

  if (section.getAttribute("data-status") !== "draft") { setTimeout(poll, 500); }
})();
