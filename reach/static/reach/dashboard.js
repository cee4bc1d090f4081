/* The reach dashboard's charts (issue #12): reads the figures the server wrote into the
   JSON block #reach-charts and draws each <canvas data-chart="..."> with Chart.js
   (vendored in reach/vendor). Every chart's figures are also in the table below it,
   which stays usable without this script; once a chart is drawn, its table is folded
   away (still one click away, and still read by screen readers). No inline script or
   style: the page works under a Content-Security-Policy without 'unsafe-inline'. */
(function () {
  "use strict";
  var source = document.getElementById("reach-charts");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#1f5f8b", "#c05621", "#2f855a", "#6b46c1", "#b7791f", "#c53030", "#2c7a7b", "#4a5568"];

  function colour(i) { return palette[i % palette.length]; }

  function series(canvas, spec) {
    var datasets = spec.datasets.map(function (d, i) {
      return { type: "line", label: d.label, data: d.data, borderColor: colour(i),
               backgroundColor: colour(i), pointRadius: 0, borderWidth: 2, tension: 0.2 };
    });
    if (spec.events && spec.events.length) {
      var byDay = {};
      spec.events.forEach(function (e) { (byDay[e.day] = byDay[e.day] || []).push(e.text); });
      datasets.push({
        type: "bar", label: spec.eventsLabel, yAxisID: "events", backgroundColor: "rgba(26,32,44,0.35)",
        data: spec.labels.map(function (day) { return byDay[day] ? byDay[day].length : null; }),
        texts: spec.labels.map(function (day) { return byDay[day] || []; }), barThickness: 4
      });
    }
    return new window.Chart(canvas, {
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { ticks: { maxTicksLimit: 8 } },
          y: { beginAtZero: true, ticks: { precision: 0 } },
          events: { display: false, beginAtZero: true, max: 4 }
        },
        plugins: { tooltip: { callbacks: { afterBody: function (items) {
          var lines = [];
          items.forEach(function (item) {
            var texts = item.dataset.texts;
            if (texts && texts[item.dataIndex]) { lines = lines.concat(texts[item.dataIndex]); }
          });
          return lines;
        } } } }
      }
    });
  }

  function bars(canvas, spec) {
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: spec.datasets.map(function (d, i) {
        return { label: d.label, data: d.data, backgroundColor: colour(i) };
      }) },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        indexAxis: spec.labels.length > 6 ? "y" : "x",
        scales: { x: { stacked: !!spec.stacked, beginAtZero: true }, y: { stacked: !!spec.stacked, beginAtZero: true } },
        plugins: { legend: { display: spec.datasets.length > 1 } }
      }
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var name = canvas.getAttribute("data-chart");
    var spec = data[name];
    if (!spec || !spec.labels.length) { return; }
    try {
      (name === "series" ? series : bars)(canvas, spec);
    } catch (err) {
      return; // the table below stays open
    }
    canvas.setAttribute("data-drawn", "true");
    var section = canvas.closest("section");
    var table = section && section.querySelector("details.chart-table");
    if (table) { table.open = false; }
  });
}());
