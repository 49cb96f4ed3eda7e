// Long lists to pick from (voting/_picker.html): the search box asks the
// server for the rows as one types (htmx, hx-trigger "search"); Enter in it
// searches instead of sending the whole form; the delegates' list unfolds
// when "a chosen group" is picked as who votes. Without this file the Search
// button posts the form back with the rows found and everything typed kept.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-picker-filter] input[type=search]").forEach(function (input) {
      input.addEventListener("keydown", function (evt) {
        if (evt.key === "Enter") {
          evt.preventDefault();
          input.dispatchEvent(new Event("search"));
        }
      });
    });
    var chosen = document.querySelector("[data-picker-for=chosen_voters]");
    document.querySelectorAll("input[name=electorate]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (chosen && radio.checked && radio.value === "chosen") { chosen.open = true; }
      });
    });
  });
})();
