// The live counter: re-reads the petition's count every 15 s while the page is visible.
(function () {
  "use strict";
  var counters = document.querySelectorAll("[data-count-url]");
  if (!counters.length || !window.fetch) { return; }
  function refresh() {
    if (document.hidden) { return; }
    counters.forEach(function (el) {
      fetch(el.getAttribute("data-count-url"), { credentials: "omit" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          var stat = el.querySelector(".stat");
          var shown = parseInt(stat.getAttribute("data-count"), 10);
          if (data.count > shown) {
            stat.setAttribute("data-count", String(data.count));
            stat.textContent = data.count.toLocaleString(document.documentElement.lang || undefined);
            var bar = el.querySelector("progress.progress");
            if (bar) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
          }
        })
        .catch(function () { /* offline: keep the last count */ });
    });
  }
  window.setInterval(refresh, 15000);
})();
