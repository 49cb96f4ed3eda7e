"""Run the benchmarks: every bench/*_bench.py, plus bench/vote_storm.py and
bench/fanout.py when they exist, each in its own process with the project's Python.

    python bench/run.py            # all of them
    python bench/run.py import     # only those whose file name contains "import"
    make bench BENCH=import        # the same through make

Each benchmark prints its figures and writes var/bench/NAME.json. A failing
benchmark (non-zero exit) does not stop the others, but makes this script
exit non-zero at the end.
"""

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"


def benchmarks():
    found = sorted(BENCH_DIR.glob("*_bench.py"))
    for name in ("vote_storm.py", "fanout.py", "actions_scale.py"):
        extra = BENCH_DIR / name
        if extra.exists():
            found.append(extra)
    return found


def main(argv):
    filters = [arg for arg in argv if arg]
    selected = [path for path in benchmarks() if not filters or any(f in path.stem for f in filters)]
    if not selected:
        names = ", ".join(path.stem for path in benchmarks()) or "none"
        print(f"No benchmark matches {' '.join(filters)!r} (available: {names})", file=sys.stderr)
        return 2
    python = str(VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable))
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    results = []
    for path in selected:
        print(f"=== {path.stem}", flush=True)
        started = time.monotonic()
        code = subprocess.call([python, str(path)], cwd=ROOT)
        results.append((path.stem, code, time.monotonic() - started))
        print(flush=True)
    print("=== summary")
    for name, code, seconds in results:
        print(f"  {name:<28} {'ok' if code == 0 else f'FAILED (exit {code})':<16} {seconds:6.1f} s")
    failed = [name for name, code, _seconds in results if code != 0]
    if failed:
        print(f"{len(failed)} benchmark(s) failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
