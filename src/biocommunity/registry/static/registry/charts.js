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

  window.biocommunityCharts.onReady(function () {
    var targets = charts.map(function (spec) { return document.getElementById(spec[0]); });
    window.biocommunityCharts.whenVisible("chart-data", targets, draw);
  });
})();
