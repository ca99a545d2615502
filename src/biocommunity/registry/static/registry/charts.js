// Draw the home page's bar charts from the JSON the server embedded; no inline scripts (CSP).
(function () {
  "use strict";
  function draw() {
    var node = document.getElementById("chart-data");
    if (!node || typeof Plotly === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    var layout = {
      margin: { l: 180, r: 16, t: 8, b: 32 }, height: 300,
      font: { family: "Noto Sans CJK JP, Noto Sans JP, sans-serif", size: 12 },
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      yaxis: { autorange: "reversed", automargin: true }, xaxis: { rangemode: "tozero" }
    };
    var config = { displayModeBar: false, responsive: true };
    [["chart-kinds", data.kinds, "#0b6e4f"], ["chart-hubs", data.hubs, "#c8553d"]].forEach(function (spec) {
      var el = document.getElementById(spec[0]);
      if (!el || !spec[1].labels.length) { return; }
      Plotly.newPlot(el, [{ type: "bar", orientation: "h", x: spec[1].values, y: spec[1].labels,
        marker: { color: spec[2] }, hovertemplate: "%{y}: %{x}<extra></extra>" }], layout, config);
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
