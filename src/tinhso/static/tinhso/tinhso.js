/* Tỉnh số: small progressive enhancements; every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    // Buttons and links that replace inline handlers (the Content-Security-Policy allows no
    // inline script): print the page, go back to the previous page.
    document.querySelectorAll("[data-print]").forEach(function (el) {
      el.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("[data-back]").forEach(function (el) {
      el.addEventListener("click", function (event) {
        if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
      });
    });
    // The language select submits its form on change (the button stays for keyboard users).
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    // A search box that narrows the options of a long select (procedures at the counter).
    document.querySelectorAll("input[data-filter-select]").forEach(function (input) {
      var select = document.getElementById(input.getAttribute("data-filter-select"));
      if (!select) { return; }
      input.addEventListener("input", function () {
        var term = input.value.trim().toLowerCase();
        var firstMatch = null;
        Array.prototype.forEach.call(select.options, function (option) {
          if (!option.value) { return; }
          var match = !term || option.text.toLowerCase().indexOf(term) !== -1;
          option.hidden = !match;
          if (match && !firstMatch) { firstMatch = option; }
        });
        if (term && firstMatch && select.value !== firstMatch.value) {
          select.value = firstMatch.value;
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
    });
  });
})();
