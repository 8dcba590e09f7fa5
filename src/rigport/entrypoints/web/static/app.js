// rigport dashboard: draw Plotly charts from data-figure attributes, send the CSRF token with htmx requests.
(function () {
  "use strict";

  function renderCharts(root) {
    if (!window.Plotly) { return; }
    root.querySelectorAll(".chart[data-figure]").forEach(function (el) {
      if (el.dataset.rendered) { return; }
      var figure = JSON.parse(el.dataset.figure);
      window.Plotly.newPlot(el, figure.data, figure.layout, { responsive: true, displaylogo: false })
        .then(function () { el.dataset.rendered = "1"; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    renderCharts(document);
    document.body.addEventListener("htmx:configRequest", function (event) {
      var meta = document.querySelector('meta[name="csrf-token"]');
      if (meta && meta.content) { event.detail.headers["X-CSRF-Token"] = meta.content; }
    });
    document.body.addEventListener("htmx:afterSettle", function (event) { renderCharts(event.target); });
    document.body.addEventListener("htmx:responseError", function (event) {
      var target = event.detail.target;
      if (target) {
        var p = document.createElement("p");
        p.className = "error";
        p.setAttribute("role", "alert");
        p.textContent = "The server could not answer (" + event.detail.xhr.status + "). Try again.";
        target.replaceChildren(p);
      }
    });
  });
})();
