// The header menu and the directory's filters are <details> elements: they work without this
// script. It only (1) keeps them open on wide screens in browsers that cannot style
// ::details-content, (2) closes the narrow-screen menu with Escape, and (3) keeps a folded
// panel's open/closed state when htmx replaces the part of the page that holds it.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 801px)");
  var styled = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  var folds = "details[data-site-menu], details[data-fold]";

  function fit() {
    if (styled) { return; }
    document.querySelectorAll(folds).forEach(function (el) {
      if (wide.matches) { el.open = true; }
    });
  }

  var remembered = {};
  document.addEventListener("htmx:beforeSwap", function () {
    document.querySelectorAll("details[data-fold][id]").forEach(function (el) {
      remembered[el.id] = el.open;
    });
  });
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("details[data-fold][id]").forEach(function (el) {
      if (Object.prototype.hasOwnProperty.call(remembered, el.id)) { el.open = remembered[el.id]; }
    });
    fit();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || wide.matches) { return; }
    var menu = document.querySelector("details[data-site-menu][open]");
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });

  if (wide.addEventListener) { wide.addEventListener("change", fit); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", fit); } else { fit(); }
})();
