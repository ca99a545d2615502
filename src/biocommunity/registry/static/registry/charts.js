// Draw the home page's bar charts from the JSON the server embedded; no inline scripts (CSP).
// plotly.js (the 1.1 MB "basic" bundle, named by [data-chart-bundle]) is fetched only
// when a chart comes near the viewport, so a visitor who never scrolls to them never loads it.
(function () {
  "use strict";
  var charts = [["chart-kinds", "kinds", "#0b6e4f"], ["chart-hubs", "hubs", "#c8553d"]];

  function draw(data) {
    var layout = {
      margin: { l: 180, r: 16, t: 8, b: 32 }, height: 300,
      font: { family: "Noto Sans CJK JP, Noto Sans JP, sans-serif", size: 12 },
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      yaxis: { autorange: "reversed", automargin: true }, xaxis: { rangemode: "tozero" }
    };
    var config = { displayModeBar: false, responsive: true };
    charts.forEach(function (spec) {
      var el = document.getElementById(spec[0]);
      var series = data[spec[1]];
      if (!el || !series || !series.labels.length) { return; }
      Plotly.newPlot(el, [{ type: "bar", orientation: "h", x: series.values, y: series.labels,
        marker: { color: spec[2] }, hovertemplate: "%{y}: %{x}<extra></extra>" }], layout, config);
    });
  }

  var requested = false;
  function load(node) {
    if (requested) { return; }
    requested = true;
    var data = JSON.parse(node.textContent);
    if (typeof Plotly !== "undefined") { draw(data); return; }
    var script = document.createElement("script");
    script.src = document.querySelector("[data-chart-bundle]").getAttribute("data-chart-bundle");
    script.onload = function () { draw(data); };
    document.head.appendChild(script);
  }

  function start() {
    var node = document.getElementById("chart-data");
    var targets = charts.map(function (spec) { return document.getElementById(spec[0]); })
      .filter(Boolean);
    if (!node || !targets.length) { return; }
    if (!("IntersectionObserver" in window)) { load(node); return; }
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) {
        observer.disconnect();
        load(node);
      }
    }, { rootMargin: "200px 0px" });
    targets.forEach(function (el) { observer.observe(el); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
