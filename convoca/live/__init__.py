"""Live pages: every open page of a gathering follows its events (docs/CONTRIBUTING.md, "Live pages").

The contract, in short:

* A service announces a change inside its transaction:
  ``convoca.core.events.publish_on_commit(f"gathering:{id}", {"kind": "speakers.changed", ...})``. It goes
  out only if the transaction commits, with an id monotonic per gathering across every worker (and every
  restart); it says what changed (kind, ids, versions), never personal data.
* A page subscribes with server-sent events at ``GET /live/gatherings/<id>/events`` (EventSource, same
  origin, the session cookie): ``id:``, ``event:`` (the kind), ``data:`` (the JSON). A browser that
  reconnects sends ``Last-Event-ID``; the server replays what it still holds after that id, or sends one
  ``event: resync`` and the page reloads its fragments from the server's state. A comment line every 15 s,
  ``X-Accel-Buffering: no``, ``Cache-Control: no-store``. A gathering the reader may not view is a 404.
* Pages opt in with attributes (``{% live_attrs gathering %}``, ``live/_head.html``, and
  ``data-live-refresh`` + ``data-live-kinds`` on each fragment): ``static/js/live.js`` does the rest, and
  without JavaScript the page reloads every few seconds.

``views.py`` opens a stream (permission, replay or resync); ``fanout.py`` holds the streams of one worker
on its event loop under ``convoca serve`` (``convoca/rsgi.py``); ``sse.py`` writes the bytes."""
