"""Crash in the middle of a vote storm: nothing acknowledged is lost, nothing counts twice.

Starts ``convoca serve --workers 2`` on a fresh throwaway database (as
bench/vote_storm.py does), opens a poll for 2,000 present delegates and lets
100 connections vote. After ``--kill-after`` acknowledgements the whole server
(process group) is killed with SIGKILL, while ballots are in flight, then
started again. Every client keeps retrying its ballot with the same
idempotency key until it gets an answer; finally a sample of ballots that
were already acknowledged is sent again. Then the poll is closed and we check:

* every ballot acknowledged with success is counted (its receipt is stored);
* no ballot counts twice (one ballot and one "has voted" row per delegate);
* retries after the crash were counted once: a ballot committed before the
  kill but never answered is answered, on retry, with the same receipt.

    .venv/bin/python bench/vote_crash.py [--voters 2000] [--kill-after 700]
"""

import argparse
import asyncio
import json
import secrets
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import vote_storm as vs  # noqa: E402


async def storm_with_crash(port_box, requests, connections, kill_after, restart):
    queue = list(range(len(requests)))
    queue.reverse()
    acked, retried, failures, crash = {}, set(), [], {}

    async def worker():
        conn = None
        while queue:
            i = queue.pop()
            while True:
                try:
                    if conn is None:
                        conn = vs.Conn(port_box[0])
                        await conn.open()
                    status, body = await conn.send(requests[i])
                except (OSError, asyncio.IncompleteReadError, ConnectionError):
                    if conn is not None:
                        conn.close()
                    conn = None
                    retried.add(i)
                    await asyncio.sleep(0.05)
                    continue
                if status >= 500:
                    retried.add(i)
                    await asyncio.sleep(0.05)
                    continue
                if status in (200, 201):
                    acked[i] = (json.loads(body)["receipt"], status)
                else:
                    failures.append((i, status, body[:200]))
                break
            if len(acked) >= kill_after and not crash:
                crash["at"] = len(acked)
                crash["t0"] = time.perf_counter()
                await asyncio.get_running_loop().run_in_executor(None, restart)
                crash["restart_s"] = time.perf_counter() - crash["t0"]
        if conn is not None:
            conn.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return acked, retried, failures, crash


async def resend(port, requests, indexes):
    answers = {}
    conn = vs.Conn(port)
    for i in indexes:
        status, body = await conn.send(requests[i])
        answers[i] = (json.loads(body).get("receipt"), status)
    conn.close()
    return answers


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voters", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-after", type=int, default=700)
    parser.add_argument("--resend", type=int, default=200, help="acknowledged ballots sent again at the end")
    parser.add_argument("--server", default="granian", choices=["granian", "uvicorn"], help="convoca serve --server")
    parser.add_argument("--server-arg", action="append", default=[])
    args = parser.parse_args(argv)
    args.server_arg = [f"--server={args.server}", *args.server_arg]
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    url = vs.fresh_database()
    env = vs.bench_env(url)
    database = "postgresql" if url else "sqlite"
    tokens = vs.setup_data(env, args.voters)
    port = vs.free_port()
    server = {"proc": vs.start_server(env, port, args.workers, args.server_arg)}
    poll = vs.new_poll(env, "Crash")
    requests = [
        vs.vote_request(poll["poll"], tok, poll["options"][i % 3], secrets.token_urlsafe(18))
        for i, tok in enumerate(tokens["voters"])
    ]

    def restart():
        vs.stop_server(server["proc"], signal.SIGKILL)  # the whole process group, mid-storm
        server["proc"] = vs.start_server(env, port, args.workers, args.server_arg)

    try:
        acked, retried, failures, crash = asyncio.run(
            storm_with_crash([port], requests, args.connections, args.kill_after, restart)
        )
        sample = sorted(acked)[: args.resend]
        again = asyncio.run(resend(port, requests, sample))
        status, body = asyncio.run(vs.api_post(port, f"/api/v1/polls/{poll['poll']}/close", tokens["coordinator"]))
        assert status == 200, (status, body)
    finally:
        vs.stop_server(server["proc"])
    counted = vs.count_poll(env, poll["poll"])
    stored = set(counted["receipt_list"])
    lost = [i for i, (r, _s) in acked.items() if r not in stored]
    double = max(0, counted["ballots"] - counted["receipts"]) + max(0, counted["participations"] - counted["ballots"])
    retried_acked = [i for i in retried if i in acked]
    replayed = sum(1 for i in retried_acked if acked[i][1] == 200)  # committed before the kill, answered on retry
    same = sum(1 for i in sample if again[i] == (acked[i][0], 200))
    ok = not lost and not double and counted["result_ballots"] == len(acked) and same == len(sample) and not failures
    print(
        f"vote crash [{database}, convoca serve --workers {args.workers} {' '.join(args.server_arg)}]: SIGKILL after {crash.get('at')} acknowledged, server back in "
        f"{crash.get('restart_s', 0):.1f} s | acknowledged {len(acked)}, counted {counted['result_ballots']}, "
        f"lost {len(lost)}, double-counted {double} | retried across the crash {len(retried_acked)} "
        f"(of which {replayed} had been committed before the kill: same receipt, counted once) | "
        f"re-sent {len(sample)} acknowledged ballots: {same} answered with the same receipt, none counted again | "
        f"refused {len(failures)} | {'OK' if ok else 'FAILED'}"
    )
    if failures:
        print("  refused:", failures[:3])
    main.summary = {
        "acknowledged": len(acked), "counted": counted["result_ballots"], "lost": len(lost), "double_counted": double,
        "retried": len(retried_acked), "committed_before_kill": replayed, "resent_same_receipt": same, "ok": ok,
    }
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
