// The plenary's clocks: each counts on from the figures the server gave (data-timer-remaining, or
// data-timer-elapsed without a limit; data-timer-running="1" while it runs). The server stays the truth:
// a clock redrawn by the live page starts again from its new figures. Nothing here is needed to follow
// the plenary: without this file the figures refresh with the page.
(function () {
  "use strict";
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function shown(seconds) {
    var sign = seconds < 0 ? "-" : "";
    seconds = Math.abs(seconds);
    return sign + Math.floor(seconds / 60) + ":" + pad(seconds % 60);
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-timer-running='1']").forEach(function (clock) {
      if (clock.convocaStart === undefined) { clock.convocaStart = now; }
      var passed = Math.floor((now - clock.convocaStart) / 1000);
      var remaining = clock.getAttribute("data-timer-remaining");
      var value;
      if (remaining === null || remaining === "") {
        value = parseInt(clock.getAttribute("data-timer-elapsed") || "0", 10) + passed;
      } else {
        value = parseInt(remaining, 10) - passed;
        clock.classList.toggle("timer-over", value <= 0);
      }
      var text = shown(value);
      if (clock.textContent !== text) { clock.textContent = text; }
    });
  }
  window.setInterval(tick, 250);
})();
