// Draw one bar chart per indicator and the factor radar from the embedded JSON (CSP: no inline JS).
(function () {
  "use strict";
  function draw() {
    var node = document.getElementById("compare-data");
    if (!node || typeof Plotly === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    var lang = document.documentElement.lang === "en" ? "en" : "ja";
    var font = { family: "Noto Sans CJK JP, Noto Sans JP, sans-serif", size: 11 };
    var config = { displayModeBar: false, responsive: true };
    var holder = document.getElementById("bar-charts");
    data.bars.forEach(function (bar) {
      if (bar.values.every(function (v) { return v === null; })) { return; }
      var el = document.createElement("div");
      el.className = "card chart-small";
      holder.appendChild(el);
      Plotly.newPlot(el, [{ type: "bar", x: bar.subjects, y: bar.values, marker: { color: "#0b6e4f" },
        hovertemplate: "%{x}: %{y}<extra></extra>" }],
        { title: { text: (lang === "en" ? bar.name_en : bar.name_ja) + " (" + bar.unit + ")", font: { size: 12 } },
          height: 240, margin: { l: 48, r: 8, t: 40, b: 40 }, font: font,
          paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)" }, config);
    });
    var radar = document.getElementById("radar");
    if (radar && data.radar.series.length) {
      var traces = data.radar.series.map(function (s) {
        return { type: "scatterpolar", r: s.values.concat([s.values[0]]),
                 theta: data.radar.factors.concat([data.radar.factors[0]]), fill: "toself",
                 name: lang === "en" ? s.name_en : s.name_ja };
      });
      Plotly.newPlot(radar, traces, { polar: { radialaxis: { range: [0, 10] } }, height: 420, font: font,
        margin: { l: 40, r: 40, t: 20, b: 20 }, paper_bgcolor: "rgba(0,0,0,0)" }, config);
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
