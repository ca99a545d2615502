// The matching search: a changed filter searches again once there is a query to search,
// and Ctrl/⌘+Enter in the query box submits (Enter alone makes a new line).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("search-form");
  if (!form || !window.htmx) return;
  const query = form.querySelector("textarea[name=q]");
  form.querySelector("#filters").addEventListener("change", () => {
    if (query && query.value.trim()) form.requestSubmit();
  });
  if (query) {
    query.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  }
});
