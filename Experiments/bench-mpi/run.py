"""Weak and strong scaling of `deepest-mpi sde` from 1 to 2 ranks (issue 17 §4; README of this folder).

Ornstein-Uhlenbeck dX = -X dt + 0.5 dW, Euler-Maruyama, T = 1, dt = 5e-5 (20,000 steps per path), one
worker thread per rank (DEEPEST_THREADS=1) so that the ranks are the parallelism. Strong: 10^4 paths
on 1 and 2 ranks, efficiency T1 / (2 T2). Weak: 10^4 paths per rank, efficiency T1 / T2. The time is
the run's own `seconds` on rank 0 (the paths of its block, then the gather of every rank's slots,
then the reduction), best of REPEATS; the wall time of `mpirun` (start-up of the ranks included) is
printed beside it. Every 2-rank result is checked to be bitwise the 1-rank result of the same paths.
"""
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("DEEPEST_MPI_BINARY", os.path.join(ROOT, ".build", "release", "deepest-mpi"))
REPEATS = int(os.environ.get("REPEATS", "3"))
PATHS = 10_000
DT = "5e-5"
TARGET = 0.8


def run(ranks, paths):
    """Best (seconds, wall, json without seconds) of REPEATS runs of `mpirun -n ranks deepest-mpi sde`."""
    environment = dict(os.environ, DEEPEST_THREADS="1", OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    command = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-x", "DEEPEST_THREADS", "-n", str(ranks), BINARY,
               "sde", "--problem", "ou", "--scheme", "em", "--paths", str(paths), "--dt", DT, "--horizon", "1",
               "--seed", "17", "--format", "json"]
    best = None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=600)
        wall = time.perf_counter() - start
        if result.returncode != 0:
            sys.exit(f"bench-mpi: {' '.join(command)} failed: {result.stderr.strip().splitlines()[0] if result.stderr.strip() else result.returncode}")
        report = json.loads(result.stdout)
        seconds = report.pop("seconds")
        if best is None or seconds < best[0]:
            best = (seconds, wall, report)
    return best


def main():
    if not os.path.exists(BINARY) or shutil.which("mpirun") is None:
        sys.exit(f"bench-mpi: {BINARY} or mpirun missing (make bench-mpi builds it; apt-get install libopenmpi-dev)")
    load = os.getloadavg()[0]
    print(f"deepest-mpi sde: OU, Euler-Maruyama, {DT} step (20,000 steps per path), 1 thread per rank, best of {REPEATS}; "
          f"load average {load:.2f}, {os.cpu_count()} cores")
    one = run(1, PATHS)
    two = run(2, PATHS)
    weak_one = one
    weak_two = run(2, 2 * PATHS)
    weak_ref = run(1, 2 * PATHS) if os.environ.get("CHECK_WEAK_BITS") == "1" else None
    assert two[2] == one[2], "2 ranks differ from 1 rank on the same paths"
    if weak_ref is not None:
        assert weak_two[2] == weak_ref[2], "weak: 2 ranks differ from 1 rank"
    rows = [
        ("strong", f"{PATHS} paths", one, two, one[0] / (2 * two[0])),
        ("weak", f"{PATHS} paths per rank", weak_one, weak_two, weak_one[0] / weak_two[0]),
    ]
    print(f"{'scaling':8} {'work':22} {'1 rank (s)':>11} {'2 ranks (s)':>12} {'efficiency':>11} {'target':>7}   mpirun wall 1 / 2 ranks (s)")
    for name, work, a, b, efficiency in rows:
        print(f"{name:8} {work:22} {a[0]:11.3f} {b[0]:12.3f} {100 * efficiency:10.1f}% {'>= 80%':>7}   {a[1]:.2f} / {b[1]:.2f}")
    print(f"bitwise: the 2-rank result of {PATHS} paths equals the 1-rank result (mean {one[2]['mean']!r})")
    print(f"gathered per ensemble: {PATHS} paths x (8-byte slot + 1-byte flag) = {PATHS * 9} bytes (+ 5-byte frames)")
    failing = [name for name, _, _, _, e in rows if e < TARGET]
    if failing:
        print(f"below the {TARGET:.0%} target: {', '.join(failing)} (is the machine idle? load average {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
