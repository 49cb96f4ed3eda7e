// Days of action (convoca.actions): times in the viewer's own zone, and the campaign's map on request.
// Everything here only adds to a page that already works: the list, the counters and the times at the
// place are in the HTML. Leaflet (vendor/leaflet, ~43 KB) loads only when the visitor asks for the map.
(function () {
  "use strict";

  // "(your time: ...)" after each time shown at the place, when the viewer's zone differs.
  var viewerZone;
  try { viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { viewerZone = null; }
  var lang = document.documentElement.lang || undefined;
  document.querySelectorAll("time[data-local-time]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    var zone = el.nextElementSibling && el.nextElementSibling.textContent.replace(/[()]/g, "").trim();
    if (!viewerZone || isNaN(when) || zone === viewerZone) { return; }
    var mine = document.createElement("span");
    mine.className = "meta local-time";
    mine.textContent = " · " + when.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" }) +
      " (" + viewerZone.replace(/_/g, " ") + ")";
    el.parentNode.insertBefore(mine, el.nextElementSibling ? el.nextElementSibling.nextSibling : null);
  });

  var box = document.getElementById("action-map");
  if (!box) { return; }
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button button-secondary";
  button.textContent = box.getAttribute("data-label-show") || "Show the map";
  var hint = box.querySelector(".hint");
  if (hint) { hint.hidden = true; }
  box.appendChild(button);

  function load(src, tag, done) {
    var el = document.createElement(tag);
    if (tag === "link") { el.rel = "stylesheet"; el.href = src; } else { el.src = src; el.onload = done; }
    document.head.appendChild(el);
  }

  function draw(data) {
    box.classList.add("action-map-open");
    button.remove();
    var map = window.L.map(box, { worldCopyJump: true }).setView([10, -75], 3);
    var tiles = box.getAttribute("data-tiles");
    if (tiles) {
      window.L.tileLayer(tiles, { maxZoom: 12, attribution: box.getAttribute("data-attribution") || "" }).addTo(map);
    }
    var actions = box.getAttribute("data-label-actions"), rsvps = box.getAttribute("data-label-rsvps");
    data.points.forEach(function (p) {
      var marker = window.L.circleMarker([p[0], p[1]], { radius: Math.min(20, 4 + Math.sqrt(p[4]) * 2) });
      var text = document.createElement("span");
      text.textContent = p[3] + ": " + p[4] + " " + actions + ", " + p[5] + " " + rsvps;
      marker.bindPopup(text).addTo(map);
    });
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    load(box.getAttribute("data-leaflet-css"), "link");
    load(box.getAttribute("data-leaflet-js"), "script", function () {
      fetch(box.getAttribute("data-map-url"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); }).then(draw)
        .catch(function () { button.disabled = false; });
    });
  });
})();
