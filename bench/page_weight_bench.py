"""Page weight of a first visit, measured in a real browser against the real server.

Starts ``convoca serve`` (which collects and compresses the static files) on a
throwaway SQLite database under var/bench/ loaded with ``convoca demo``, then
opens each main page in a fresh Chromium context (empty cache, no cookies) and
records every request. For each page it reports the bytes transferred
(response headers + body as sent on the wire, i.e. compressed) and, as a
baseline measured in the same run, the decoded size of the same responses
(what the page would cost without compression). The logged-in pages are
measured the same way: the session cookie is carried over from a login, the
cache is not.

Target (shared/UI.md): every first visit under 50 kB, no request to any origin
other than the server's. Exits 1 when a page misses either.
Writes var/bench/page_weight.json: one key per page path (bytes), plus
max_bytes, third_party_requests, target_bytes, uncompressed_bytes, requests.
"""

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from convoca.accounts.demo_data import PASSWORD, login_email  # noqa: E402
from convoca.gatherings.demo_data import CONFERENCE  # noqa: E402

OUT_DIR = ROOT / "var" / "bench"
DATABASE = OUT_DIR / "page_weight.sqlite3"
TARGET_BYTES = 50_000
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (one launch recipe for tests and bench)

ANONYMOUS_PAGES = [
    "/",
    "/gatherings/",
    f"/gatherings/{CONFERENCE['slug']}/",
    "/organisations/",
    "/accounts/login/",
]
# Pages only a logged-in coordinator sees; skipped (and said so) while they answer 404.
COORDINATOR_PAGES = [
    "/people/",
    f"/gatherings/{CONFERENCE['slug']}/registrations/",
]
LOCAL_SCHEMES = {"data", "blob", "about"}


def convoca(*args):
    script = ROOT / ".venv" / "bin" / "convoca"
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "convoca.cli", *args]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env():
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL", "STATICFILES_STORAGE", "DEBUG", "TASKS_BACKEND",
                 "TEMPLATE_STRING_IF_INVALID", "CONVOCA_FAST_HASHER"):
        env.pop(name, None)  # the embedded default, as shipped
    env["SQLITE_PATH"] = str(DATABASE)
    return env


def prepare_database(env):
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DATABASE}{suffix}").unlink(missing_ok=True)
    subprocess.run(convoca("migrate", "--noinput", "-v0"), cwd=ROOT, env=env, check=True)
    subprocess.run(convoca("demo"), cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def wait_until_up(base, server, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer on {base} within {seconds} s")


def measure(context, base, path):
    """One first visit: {"status", "transferred", "uncompressed", "requests", "foreign"}."""
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request))
    response = page.goto(base + path, wait_until="load")
    page.wait_for_load_state("networkidle")
    transferred = uncompressed = 0
    foreign = []
    for request in requests:
        parts = urlsplit(request.url)
        if parts.scheme in LOCAL_SCHEMES:
            continue
        if f"{parts.scheme}://{parts.netloc}" != base:
            foreign.append(request.url)
            continue
        reply = request.response()
        if reply is None:
            continue
        sizes = request.sizes()
        transferred += sizes["responseHeadersSize"] + sizes["responseBodySize"]
        with contextlib.suppress(Exception):  # noqa: BLE001 - Playwright raises a bare Error for a redirect (no body)
            uncompressed += len(reply.body())
    page.close()
    return {
        "status": response.status if response else None,
        "transferred": transferred,
        "uncompressed": uncompressed,
        "requests": len(requests),
        "foreign": foreign,
    }


def demo_code(env):
    """The demo's current two-step login code, as `convoca demo --code` prints it (from the published key)."""
    printed = subprocess.run(convoca("demo", "--code"), cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    match = re.search(r"\b(\d{6})\s*$", printed.stdout.strip())
    if match is None:
        raise SystemExit(f"`convoca demo --code` printed no code: {printed.stdout!r}")
    return match.group(1)


def log_in(browser, base, env):
    """The demo coordinator's session: password, then the two-step login code the demo publishes."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(login_email("coordinator"))
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if page.locator("input[name=code]").count():  # coordinators log in with a second factor
        page.locator("input[name=code]").fill(demo_code(env))
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
    logged_in = page.locator("a[href='/accounts/me/']").count() > 0
    state = context.storage_state()
    context.close()
    return state if logged_in else None


def run(base, env):
    from playwright.sync_api import sync_playwright

    results, notes = {}, []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for path in ANONYMOUS_PAGES:
            context = browser.new_context()
            results[path] = measure(context, base, path)
            context.close()
        state = log_in(browser, base, env)
        if state is None:
            notes.append("could not log in as the demo coordinator: logged-in pages not measured")
        else:
            for path in COORDINATOR_PAGES:
                context = browser.new_context(storage_state=state)  # the session cookie, not the cache
                result = measure(context, base, path)
                context.close()
                if result["status"] == 404:
                    notes.append(f"{path} answers 404 (not built yet): not measured")
                    continue
                results[f"{path}"] = result
        browser.close()
    return results, notes


def report(results, notes):
    width = max(len(path) for path in results)
    failed = False
    for path, r in results.items():
        ratio = r["transferred"] / r["uncompressed"] if r["uncompressed"] else 0
        flags = []
        if r["status"] != 200:
            flags.append(f"HTTP {r['status']}")
        if r["transferred"] >= TARGET_BYTES:
            flags.append("OVER TARGET")
        if r["foreign"]:
            flags.append(f"{len(r['foreign'])} OTHER-ORIGIN REQUEST(S)")
        failed = failed or bool(flags)
        print(f"  {path:<{width}}  {r['transferred'] / 1000:6.1f} kB transferred  "
              f"{r['requests']:2d} requests  baseline {r['uncompressed'] / 1000:6.1f} kB uncompressed  "
              f"ratio {ratio:.2f}  other origins {len(r['foreign'])}"
              + (f"  <- {', '.join(flags)}" if flags else ""))
    for note in notes:
        print(f"  note: {note}")
    heaviest = max(results, key=lambda p: results[p]["transferred"])
    total = sum(r["transferred"] for r in results.values())
    total_plain = sum(r["uncompressed"] for r in results.values())
    third_party = sum(len(r["foreign"]) for r in results.values())
    print(f"max {results[heaviest]['transferred'] / 1000:.1f} kB ({heaviest}), target < {TARGET_BYTES / 1000:.0f} kB "
          f"per first visit: {'FAIL' if failed else 'OK'}")
    print(f"baseline, same pages, same run: {total / 1000:.1f} kB transferred vs {total_plain / 1000:.1f} kB "
          f"uncompressed (ratio {total / total_plain if total_plain else 0:.2f}); requests to other origins: "
          f"{third_party}")
    for r in results.values():
        for url in r["foreign"]:
            print(f"  other origin: {url}")
    summary = {path: r["transferred"] for path, r in results.items()}
    summary.update({
        "max_bytes": results[heaviest]["transferred"],
        "third_party_requests": third_party,
        "target_bytes": TARGET_BYTES,
        "uncompressed_bytes": {path: r["uncompressed"] for path, r in results.items()},
        "requests": {path: r["requests"] for path, r in results.items()},
    })
    (OUT_DIR / "page_weight.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 1 if failed else 0


def main():
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    if not os.access(CHROMIUM, os.X_OK):
        print(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium", file=sys.stderr)
        return 1
    env = server_env()
    prepare_database(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(convoca("serve", "--host", "127.0.0.1", "--port", str(port)), cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL)
    try:
        wait_until_up(base, server)
        print(f"first visits to {base} (demo data, fresh browser context per page, empty cache)")
        results, notes = run(base, env)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return report(results, notes)


if __name__ == "__main__":
    sys.exit(main())
