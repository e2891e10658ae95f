"""The projection of Notes/mpi-scaling.md: efficiency of `deepest-mpi sde` on P = 64 ... 1024 ranks from
the cost model T_P = c ceil(M/P) + T_gather + T_reduce, with c (seconds per path on one thread) measured
by run.py on 1 rank and the network and reduction constants assumed below (not measured here).

    python3 Experiments/bench-mpi/projection.py C      # C: seconds per path, e.g. 1.2e-4
"""
import math
import sys

ALPHA = 2e-6          # s, latency of one message (InfiniBand / Omni-Path class network)
BANDWIDTH = 10e9      # bytes/s per rank and link
PASS = 2e-9           # s per value per pass of the two-pass mean and variance, the failure filter
COMPARE = 4e-9        # s per comparison of the quantile sort (M log2 M comparisons)
SLOT_BYTES = 9        # sde: one 8-byte functional and a 1-byte failure flag per path


def gather(P, volume):
    """Open MPI's allgatherv: Bruck / recursive doubling for small, ring for large volumes."""
    if P == 1:
        return 0.0
    small = math.ceil(math.log2(P)) * ALPHA + volume / BANDWIDTH
    ring = (P - 1) * ALPHA + (P - 1) / P * volume / BANDWIDTH
    return min(small, ring)


def reduce(M, quantiles=True):
    return 3 * PASS * M + (COMPARE * M * math.log2(max(M, 2)) if quantiles else 0.0)


def time(P, M, c, quantiles=True):
    return c * math.ceil(M / P) + gather(P, SLOT_BYTES * M) + reduce(M, quantiles)


def main():
    c = float(sys.argv[1]) if len(sys.argv) > 1 else 1.2e-4
    print(f"c = {c:.3g} s per path; alpha = {ALPHA:g} s, bandwidth = {BANDWIDTH:g} B/s, sort {COMPARE:g} s per comparison")
    print(f"{'case':34} {'P':>5} {'compute (s)':>12} {'gather (s)':>11} {'reduce (s)':>11} {'efficiency':>11} {'no quantiles':>13}")
    for name, paths in (("strong, M = 1e6 paths", lambda P: 10**6), ("weak, 1e4 paths per rank", lambda P: 10**4 * P)):
        for P in (2, 64, 256, 1024):
            M = paths(P)
            t1 = time(1, M if name.startswith("strong") else 10**4, c)
            tp = time(P, M, c)
            t1n = time(1, M if name.startswith("strong") else 10**4, c, False)
            tpn = time(P, M, c, False)
            efficiency = t1 / (P * tp) if name.startswith("strong") else t1 / tp
            plain = t1n / (P * tpn) if name.startswith("strong") else t1n / tpn
            print(f"{name:34} {P:5d} {c * math.ceil(M / P):12.4f} {gather(P, SLOT_BYTES * M):11.5f} {reduce(M):11.4f} "
                  f"{100 * efficiency:10.1f}% {100 * plain:12.1f}%")


if __name__ == "__main__":
    main()
