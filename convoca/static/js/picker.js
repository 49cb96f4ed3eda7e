// Long lists to pick from (voting/_picker.html): a filter box that hides what
// does not match (accents and case ignored), and the delegates' list unfolds
// when "a chosen group" is picked as who votes. Without this file the lists
// are plain checkboxes and number boxes, folded in <details>.
(function () {
  "use strict";
  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-picker]").forEach(function (picker) {
      var box = picker.querySelector("[data-picker-filter]");
      var input = box && box.querySelector("input");
      var none = picker.querySelector("[data-picker-none]");
      var items = Array.prototype.slice.call(picker.querySelectorAll("[data-picker-item]"));
      if (!input || items.length < 2) { return; }
      var texts = items.map(function (item) { return fold(item.textContent); });
      box.hidden = false;
      input.addEventListener("input", function () {
        var words = fold(input.value).split(/\s+/).filter(Boolean);
        var matched = 0;
        items.forEach(function (item, i) {
          var match = words.every(function (word) { return texts[i].indexOf(word) !== -1; });
          // A ticked box or a filled weight stays visible: the filter never hides a choice already made.
          var kept = item.querySelector("input:checked") || (item.querySelector("input[type=text]") || {}).value;
          item.hidden = !(match || kept);
          if (match) { matched += 1; }
        });
        if (none) { none.hidden = matched > 0; }
      });
      // Enter in the filter box filters; it does not submit the whole form.
      input.addEventListener("keydown", function (evt) { if (evt.key === "Enter") { evt.preventDefault(); } });
    });
    var chosen = document.querySelector("[data-picker-for=chosen_voters]");
    document.querySelectorAll("input[name=electorate]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (chosen && radio.checked && radio.value === "chosen") { chosen.open = true; }
      });
    });
  });
})();
