"""How long `zsl-course --help` takes against a bare Python start (the ratio the README quotes).

Run: python benchmarks/cli_startup.py [REPEATS]. Prints the median wall-clock time of `python -c pass`, of
`zsl-course --help` and of `zsl-course --version`, and their ratios to the bare start.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time


def _median_seconds(command: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(repeats: int = 15) -> None:
    script = shutil.which("zsl-course")
    if script is None:
        raise SystemExit("zsl-course is not on PATH: install the course first (pip install -e .)")
    bare = _median_seconds([sys.executable, "-c", "pass"], repeats)
    print(f"python -c pass        {bare * 1000:7.1f} ms")
    for flag in ("--help", "--version"):
        seconds = _median_seconds([script, flag], repeats)
        print(f"zsl-course {flag:<10} {seconds * 1000:7.1f} ms  ({seconds / bare:.1f} x a bare Python start)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
