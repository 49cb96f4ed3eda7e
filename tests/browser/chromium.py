"""Debian's Chromium as the browser tests and the page-weight benchmark launch
it: never a downloaded browser; no background traffic to anyone."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
