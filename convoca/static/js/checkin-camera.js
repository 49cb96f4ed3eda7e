// Camera check-in: reads a badge's QR code with the phone camera and submits
// the check-in form with its code. Without this file, without a camera or
// without permission, the form takes a hardware scanner or a pasted code.
// The QR reader (vendor/jsQR.js, jsQR 1.4.0 from npm, Apache-2.0) is loaded
// only when the camera starts, so the page stays light for everyone else.
(function () {
  "use strict";
  // A badge code is what django.core.signing.dumps writes: base64url data, a
  // colon, a base64url signature. Anything else is not one of our badges.
  var BADGE = /^\.?[A-Za-z0-9_-]+(:[A-Za-z0-9_-]+)+$/;
  var PAUSE_MS = 2500; // a code out of sight this long may be sent again
  var EVERY_MS = 150; // one frame read at most this often

  function loadReader(src) {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) { resolve(window.jsQR); return; }
      var script = document.createElement("script");
      script.src = src;
      script.onload = function () { if (window.jsQR) { resolve(window.jsQR); } else { reject(new Error("jsQR")); } };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function setup(box) {
    var start = box.querySelector("[data-camera-start]");
    var stop = box.querySelector("[data-camera-stop]");
    var video = box.querySelector("video");
    var status = box.querySelector("[data-camera-status]");
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    var stream = null, reader = null, last = "", lastAt = 0, lastRead = 0, busy = false;

    function say(text) { status.textContent = text; }

    function submit(code) {
      var form = document.querySelector("#checkin form");
      var field = form && form.querySelector("[name=token]");
      if (!field) { return; }
      field.value = code;
      busy = true;
      form.requestSubmit();
    }

    // After htmx has swapped in the result, the camera reads again.
    document.addEventListener("htmx:afterSettle", function () {
      if (busy && stream) { say(box.getAttribute("data-ready")); }
      busy = false;
      lastAt = Date.now(); // the badge just checked in may still be in view
    });
    document.addEventListener("htmx:responseError", function () { busy = false; });
    document.addEventListener("htmx:sendError", function () { busy = false; });

    function tick(now) {
      if (!stream) { return; }
      requestAnimationFrame(tick);
      if (busy || now - lastRead < EVERY_MS || video.readyState < 2 || !video.videoWidth) { return; }
      lastRead = now;
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = reader(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (!found || !found.data) { return; }
      var code = found.data.trim();
      // A code still in view is not sent again: only once it has been out of sight for a moment.
      var seenBefore = code === last && Date.now() - lastAt < PAUSE_MS;
      last = code;
      lastAt = Date.now();
      if (seenBefore) { return; }
      if (BADGE.test(code)) {
        say(box.getAttribute("data-reading"));
        submit(code);
      } else {
        say(box.getAttribute("data-not-badge"));
      }
    }

    function halt() {
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
      stream = null;
      video.hidden = true;
      stop.hidden = true;
      start.hidden = false;
    }

    start.addEventListener("click", function () {
      start.disabled = true;
      say(box.getAttribute("data-starting"));
      loadReader(box.getAttribute("data-reader")).then(function (jsQR) {
        reader = jsQR;
        return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      }).then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        start.hidden = true;
        stop.hidden = false;
        return video.play();
      }).then(function () {
        say(box.getAttribute("data-ready"));
        requestAnimationFrame(tick);
      }).catch(function () {
        halt();
        say(box.getAttribute("data-no-camera"));
      }).then(function () { start.disabled = false; });
    });
    stop.addEventListener("click", function () { halt(); say(""); });
    window.addEventListener("pagehide", halt);
    box.hidden = false; // only offered where it can work
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.Promise)) { return; }
    document.querySelectorAll("[data-checkin-camera]").forEach(setup);
  });
})();
