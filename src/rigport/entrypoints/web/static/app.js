// rigport dashboard: draw Plotly charts from data-figure attributes, send the CSRF token with htmx requests.
(function () {
  "use strict";

  function renderCharts(root) {
    if (!window.Plotly) { return; }
    root.querySelectorAll(".chart[data-figure]").forEach(function (el) {
      if (el.dataset.rendered) { return; }
      var figure = JSON.parse(el.dataset.figure);
      // The server puts the chart's data in the box as a table (what a reader without JavaScript sees); it is
      // kept, out of sight, for screen readers. The toolbar is one button (save as PNG), out of the tab order:
      // a keyboard user reaches the tables after the charts without 16 toolbar stops.
      var fallback = el.querySelector(".chart-fallback");
      if (fallback) { fallback.classList.add("sr-only"); }
      var layout = Object.assign({ autosize: true }, figure.layout);
      window.Plotly.newPlot(el, figure.data, layout, {
        responsive: true, displaylogo: false, displayModeBar: "hover", modeBarButtons: [["toImage"]]
      }).then(function () {
        el.querySelectorAll(".modebar a, .modebar button, .modebar-btn").forEach(function (b) {
          b.setAttribute("tabindex", "-1");
        });
        el.dataset.rendered = "1";
      });
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
