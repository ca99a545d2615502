// Draw one bar chart per indicator and the factor radar from the embedded JSON (CSP: no inline JS).
// Regions are named, never keyed; a region without a figure gets no bar and the words "not given"
// where its bar would be, so a gap is never read as zero.
(function () {
  "use strict";
  function draw() {
    var node = document.getElementById("compare-data");
    if (!node || typeof Plotly === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    var font = { family: "Noto Sans CJK JP, Noto Sans JP, sans-serif", size: 11 };
    var config = { displayModeBar: false, responsive: true };
    var holder = document.getElementById("bar-charts");
    // Plotly does not wrap text: break long names into lines of about `width` columns (a CJK
    // character counts two), at spaces where there are any, else inside the word.
    function columns(text) { return text.replace(/[^\x00-\u00ff]/g, "  ").length; }
    function wrap(text, width) {
      var pieces = [];
      text.split(" ").forEach(function (word) {
        while (columns(word) > width) {
          var cut = 1;
          while (cut < word.length && columns(word.slice(0, cut + 1)) <= width) { cut += 1; }
          pieces.push(word.slice(0, cut));
          word = word.slice(cut);
        }
        if (word) { pieces.push(word); }
      });
      var lines = [], line = "";
      pieces.forEach(function (piece) {
        var next = line ? line + " " + piece : piece;
        if (columns(next) > width && line) { lines.push(line); line = piece; } else { line = next; }
      });
      lines.push(line);
      return lines.join("<br>");
    }
    data.bars.forEach(function (bar) {
      var el = document.createElement("div");
      el.className = "card chart-small";
      el.setAttribute("data-indicator", bar.code);
      holder.appendChild(el);
      var top = Math.max.apply(null, bar.values.filter(function (v) { return v !== null; }).concat([0]));
      var notes = [];
      bar.values.forEach(function (v, i) {
        if (v === null) {
          notes.push({ x: wrap(bar.labels[i], 16), y: top * 0.05, text: bar.text[i], showarrow: false,
                       font: { size: 10, color: "#6b7280" }, yanchor: "bottom" });
        }
      });
      var labels = bar.labels.map(function (label) { return wrap(label, 16); });
      Plotly.newPlot(el, [{ type: "bar", x: labels, y: bar.values, text: bar.text,
        textposition: "auto", marker: { color: "#0b6e4f" },
        hovertemplate: "%{x}: %{text}<extra></extra>" }],
        { title: { text: wrap(bar.title, 44), font: { size: 12 } }, annotations: notes,
          height: 280, margin: { l: 48, r: 8, t: 52, b: 60 }, font: font,
          xaxis: { automargin: true, tickfont: { size: 10 }, tickangle: 0 },
          yaxis: { rangemode: "tozero" },
          paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)" }, config);
    });
    var radar = document.getElementById("radar");
    if (radar && data.radar.series.length) {
      var traces = data.radar.series.map(function (s) {
        return { type: "scatterpolar", r: s.values.concat([s.values[0]]),
                 theta: data.radar.factors.concat([data.radar.factors[0]]), fill: "toself",
                 name: s.name };
      });
      Plotly.newPlot(radar, traces, { polar: { radialaxis: { range: [0, 10] } }, height: 420, font: font,
        margin: { l: 40, r: 40, t: 20, b: 20 }, paper_bgcolor: "rgba(0,0,0,0)" }, config);
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
