// Draw each KPI's actuals against its expected path (or yearly band) from the embedded JSON
// (CSP: no inline JS). Labels come translated from the server; no codes are shown.
// As on the home page, plotly.js (the "basic" bundle, enough for line charts, named by
// [data-chart-bundle]) is fetched only when a chart comes near the viewport.
(function () {
  "use strict";
  function draw(charts) {
    var font = { family: "Noto Sans CJK JP, Noto Sans JP, sans-serif", size: 11 };
    var config = { displayModeBar: false, responsive: true };
    charts.forEach(function (chart) {
      var el = document.getElementById("kpi-chart-" + chart.code);
      if (!el) { return; }
      var l = chart.labels;
      var traces = [];
      if (chart.expected.length) {
        traces.push({ type: "scatter", mode: "lines", name: l.expected, x: chart.years, y: chart.expected,
          line: { color: "#888", dash: "dash" }, hovertemplate: "%{x}: %{y:.4g}<extra>" + l.expected + "</extra>" });
      }
      if (chart.band) {
        [["band_low", chart.band.low], ["band_high", chart.band.high]].forEach(function (b) {
          traces.push({ type: "scatter", mode: "lines", name: l[b[0]], x: chart.years,
            y: chart.years.map(function () { return b[1]; }), line: { color: "#c8553d", dash: "dot" },
            hovertemplate: "%{y}<extra>" + l[b[0]] + "</extra>" });
        });
      }
      traces.push({ type: "scatter", mode: "lines+markers", name: l.actual, x: chart.years, y: chart.actual,
        connectgaps: true, line: { color: "#0b6e4f" }, marker: { size: 8 },
        hovertemplate: "%{x}: %{y:.4g}<extra>" + l.actual + "</extra>" });
      if (chart.target) {
        traces.push({ type: "scatter", mode: "markers", name: l.target, x: [chart.target.year], y: [chart.target.value],
          marker: { symbol: "star", size: 12, color: "#c8553d" }, hovertemplate: "%{x}: %{y}<extra>" + l.target + "</extra>" });
      }
      Plotly.newPlot(el, traces, {
        height: 300, margin: { l: 56, r: 12, t: 12, b: 40 }, font: font,
        xaxis: { title: { text: l.year }, dtick: 1, tickformat: "d" },
        yaxis: { title: { text: chart.unit }, rangemode: "tozero" },
        legend: { orientation: "h", y: -0.25 },
        paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)"
      }, config);
    });
  }
  window.biocommunityCharts.onReady(function () {
    var targets = Array.prototype.slice.call(document.querySelectorAll("[data-testid=kpi-chart]"));
    window.biocommunityCharts.whenVisible("kpi-chart-data", targets, draw);
  });
})();
