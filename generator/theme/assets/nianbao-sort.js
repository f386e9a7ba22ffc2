/* Sortable comparison tables: header buttons, aria-sort, numbers sorted as numbers.
   Without JavaScript the table stays a plain, complete table. */
(function () {
  "use strict";
  function value(cell, kind) {
    if (!cell) return "";
    var raw = cell.getAttribute("data-value") || cell.textContent.trim();
    if (kind === "number") { var n = parseFloat(raw.replace(/[,%]/g, "")); return isNaN(n) ? -Infinity : n; }
    return raw;
  }
  Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), function (table) {
    var heads = table.querySelectorAll("thead th");
    Array.prototype.forEach.call(heads, function (th, index) {
      var kind = th.getAttribute("data-sort");
      if (!kind) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "nb-sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = value(a.cells[index], kind), y = value(b.cells[index], kind);
          var order = kind === "number" ? x - y : String(x).localeCompare(String(y), "zh");
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
