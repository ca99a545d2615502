// One way for every page to draw its charts without paying for plotly.js up front: the
// chart bundle (named by [data-chart-bundle]) is fetched only when one of the chart elements
// comes near the viewport; then the page's JSON (json_script, no inline JS under the CSP) is
// handed to its draw function.
(function () {
  "use strict";
  function whenVisible(dataId, targets, draw) {
    var node = document.getElementById(dataId);
    targets = targets.filter(Boolean);
    if (!node || !targets.length) { return; }
    var requested = false;
    function load() {
      if (requested) { return; }
      requested = true;
      var data = JSON.parse(node.textContent);
      if (typeof Plotly !== "undefined") { draw(data); return; }
      var script = document.createElement("script");
      script.src = document.querySelector("[data-chart-bundle]").getAttribute("data-chart-bundle");
      script.onload = function () { draw(data); };
      document.head.appendChild(script);
    }
    if (!("IntersectionObserver" in window)) { load(); return; }
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) {
        observer.disconnect();
        load();
      }
    }, { rootMargin: "200px 0px" });
    targets.forEach(function (el) { observer.observe(el); });
  }

  function onReady(start) {
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
  }

  window.biocommunityCharts = { whenVisible: whenVisible, onReady: onReady };
})();
