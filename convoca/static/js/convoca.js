// Small enhancements only; every flow works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
    // Elements with data-autosubmit submit their form on change (no inline JS).
    document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { if (el.form) { el.form.requestSubmit(); } });
    });
    // Buttons that copy a value: data-copy="#id".
    document.querySelectorAll("[data-copy]").forEach(function (btn) {
      btn.hidden = false;
      btn.addEventListener("click", function () {
        var target = document.querySelector(btn.getAttribute("data-copy"));
        if (target && navigator.clipboard) { navigator.clipboard.writeText(target.textContent.trim()); }
      });
    });
  });
  // After an htmx swap, move focus to any new status or alert region for screen readers.
  document.addEventListener("htmx:afterSwap", function (evt) {
    var focusable = evt.detail.target.querySelector("[data-focus]");
    if (focusable) { focusable.focus(); }
  });
})();
