// The audience's size while composing: the audience fields are sent to the count view
// as they change (debounced), and the answer is shown next to the "Count" button, which
// still works without this script.
(function () {
  "use strict";
  var form = document.getElementById("alert-form");
  var output = document.getElementById("audience-count");
  if (!form || !output || !window.fetch) { return; }
  var url = form.getAttribute("data-count-url");
  var timer = null;
  var latest = 0;

  function query() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (key !== "csrfmiddlewaretoken" && typeof value === "string") { params.append(key, value); }
    });
    return params.toString();
  }

  function count() {
    var mine = ++latest;
    output.setAttribute("aria-busy", "true");
    fetch(url + "?" + query(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (mine !== latest) { return; }
        output.textContent = data.words || output.getAttribute("data-invalid") || "—";
      })
      .catch(function () {})
      .then(function () { output.removeAttribute("aria-busy"); });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(count, 300);
  }

  form.addEventListener("change", later);
  form.addEventListener("input", later);
  count();
})();
