// Live pages (see docs/CONTRIBUTING.md, "Live pages"): one stream of the gathering's events per page
// (server-sent events), and the page's fragments fetched again from the server when an event they follow
// arrives. A page opts in with attributes only (no inline script, so the Content-Security-Policy holds):
//   <div data-live-gathering="12" data-live-url="/live/gatherings/12/events" data-live-last="...">  ({% live_attrs %})
//   <section data-live-refresh="/url/of/the/fragment/" data-live-kinds="speakers.changed agenda.changed"
//            data-live-where="item=3" data-live-every="5" data-live-spread="300">
// The fragment's URL answers with the fragment itself (the same element, attributes included), which replaces
// it. "resync" (the server could not say what was missed) refreshes every fragment, or reloads the page when
// the root has data-live-reload. Every event is also dispatched on document as "live:event".
(function () {
  "use strict";
  var root = document.querySelector("[data-live-gathering]");
  if (!root || typeof window.EventSource === "undefined" || !window.fetch) { return; }
  var base = root.getAttribute("data-live-url") || "";
  if (base.charAt(0) !== "/" || base.charAt(1) === "/") { return; }  // same origin only
  var lastId = root.getAttribute("data-live-last") || "";
  var source = null;
  var listening = {};
  var timers = {};

  function kindsOf(el) {
    return (el.getAttribute("data-live-kinds") || "").split(/\s+/).filter(Boolean);
  }

  function wanted(el, kind, data) {
    if (kind === "resync") { return true; }
    if (kindsOf(el).indexOf(kind) < 0) { return false; }
    var where = (el.getAttribute("data-live-where") || "").split(/\s+/).filter(Boolean);
    return where.every(function (pair) {
      var i = pair.indexOf("=");
      return i > 0 && data !== null && typeof data === "object" && String(data[pair.slice(0, i)]) === pair.slice(i + 1);
    });
  }

  function number(el, name, fallback) {
    var value = parseFloat(el.getAttribute(name));
    return isNaN(value) || value < 0 ? fallback : value;
  }

  // A fetch that fails (the worker that answered went away, the phone lost its network) is tried again a
  // few times, 2 s apart: the page must end on the server's state even when no other event follows.
  function refresh(url, tries) {
    tries = tries || 0;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html", "X-Live-Refresh": "1" } })
      .then(function (response) {
        if (response.status >= 500) { throw new Error(String(response.status)); }
        return response.ok && !response.redirected ? response.text() : null;
      })
      .then(function (html) {
        if (html === null) { return; }
        var holder = document.createElement("template");
        holder.innerHTML = html.trim();
        var fresh = holder.content.firstElementChild;
        if (!fresh) { return; }
        document.querySelectorAll("[data-live-refresh]").forEach(function (el) {
          if (el.getAttribute("data-live-refresh") !== url) { return; }
          var copy = fresh.cloneNode(true);
          el.replaceWith(copy);
          if (window.htmx) { window.htmx.process(copy); }
        });
        listenAll();
      })
      .catch(function () {
        if (tries < 4) { window.setTimeout(function () { refresh(url, tries + 1); }, 2000); }
      });
  }

  // At most one fetch per fragment every data-live-every seconds, and after a random delay of up to
  // data-live-spread ms, so that a thousand open pages do not ask at the same instant.
  function schedule(el, resync) {
    var url = el.getAttribute("data-live-refresh");
    if (!url || url.charAt(0) !== "/" || url.charAt(1) === "/") { return; }
    var timer = timers[url] || (timers[url] = { last: 0, pending: false });
    if (timer.pending) { return; }
    var every = number(el, "data-live-every", 0) * 1000;
    var spread = resync ? 2000 : number(el, "data-live-spread", 300);
    var wait = Math.max(0, timer.last + every - Date.now()) + Math.random() * spread;
    timer.pending = true;
    window.setTimeout(function () {
      timer.pending = false;
      timer.last = Date.now();
      refresh(url);
    }, wait);
  }

  function onEvent(message) {
    var data = null;
    try { data = JSON.parse(message.data); } catch (e) { return; }
    if (message.lastEventId) { lastId = message.lastEventId; }
    var resync = message.type === "resync";
    if (resync && root.hasAttribute("data-live-reload")) { window.location.reload(); return; }
    document.querySelectorAll("[data-live-refresh]").forEach(function (el) {
      if (wanted(el, message.type, data)) { schedule(el, resync); }
    });
    document.dispatchEvent(new CustomEvent("live:event", { detail: { kind: message.type, id: lastId, data: data } }));
  }

  function listenTo(kind) {
    if (listening[kind] || !source) { return; }
    listening[kind] = true;
    source.addEventListener(kind, onEvent);
  }

  function listenAll() {
    listenTo("resync");
    (root.getAttribute("data-live-kinds") || "").split(/\s+/).filter(Boolean).forEach(listenTo);
    document.querySelectorAll("[data-live-refresh]").forEach(function (el) { kindsOf(el).forEach(listenTo); });
  }

  function connect() {
    listening = {};
    source = new EventSource(base + (lastId ? "?last=" + encodeURIComponent(lastId) : ""));
    listenAll();
    // The browser reconnects by itself after a network error (with Last-Event-ID); after an HTTP error (a
    // proxy's 502 during a restart) it gives up: start again a little later, from the last id seen.
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) {
        source = null;
        window.setTimeout(connect, 3000 + Math.random() * 4000);
      }
    });
  }

  connect();
})();
