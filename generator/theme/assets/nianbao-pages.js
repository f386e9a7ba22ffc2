/* nianbao: the reader's tools on every page: font size (适老化, kept in localStorage) and print.
   The controls are rendered hidden (data-nb-js); this script shows them, so that without it the
   page has no button that does nothing. The size is applied before the page is drawn by a line in
   the page's head (theme/nianbao/base.html); here it is changed and remembered. */
(function () {
  "use strict";
  var KEY = "nianbao-font";
  var SIZES = ["", "large", "larger"];
  var root = document.documentElement;

  function current() {
    return root.getAttribute("data-nb-font") || "";
  }

  function apply(size) {
    if (size) root.setAttribute("data-nb-font", size);
    else root.removeAttribute("data-nb-font");
    document.querySelectorAll("[data-nb-font-set]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-nb-font-set") === size ? "true" : "false");
    });
  }

  function store(size) {
    try {
      if (size) localStorage.setItem(KEY, size);
      else localStorage.removeItem(KEY);
    } catch (e) { /* storage off (private mode, file://): the size holds for this page only */ }
  }

  document.querySelectorAll("[data-nb-font-set]").forEach(function (b) {
    b.addEventListener("click", function () {
      var size = b.getAttribute("data-nb-font-set") || "";
      if (SIZES.indexOf(size) < 0) return;
      apply(size);
      store(size);
    });
  });
  document.querySelectorAll("[data-nb-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-nb-js]").forEach(function (el) { el.hidden = false; });
  apply(current());
})();
