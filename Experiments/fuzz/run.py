"""Fuzz `deepest train` with 10^4 generated inputs (half config files, half data CSVs; the strategies
of Tests/cli/fuzz_inputs.py) and report the exit statuses and the crashes (exit >= 128 or a signal).
Usage: python3 Experiments/fuzz/run.py [--count N] [--seed S]; exits 1 if anything crashed."""
import argparse
import collections
import os
import sys
import tempfile
import time

from hypothesis import HealthCheck, given, settings, seed as hypothesis_seed

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "Tests", "cli"))
from fuzz_inputs import configs, crashed, csvs, run_config, run_csv  # noqa: E402

BINARY = os.path.abspath(os.environ.get("DEEPEST", os.path.join(ROOT, ".build", "release", "deepest")))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="deepest-fuzz-")
    statuses = collections.Counter()
    crashes = []
    start = time.time()

    def record(kind, text, result):
        statuses[(kind, result.returncode)] += 1
        if crashed(result.returncode) or result.returncode not in (0, 2, 3):
            crashes.append((kind, result.returncode, text[:300], result.stderr[-300:]))

    def fuzzer(kind, strategy, runner):
        @hypothesis_seed(options.seed)
        @settings(max_examples=options.count // 2, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(strategy)
        def fuzz(text):
            record(kind, text, runner(BINARY, folder, text))
        return fuzz

    for kind, strategy, runner in (("config", configs(), run_config), ("csv", csvs(), run_csv)):
        fuzzer(kind, strategy, runner)()

    total = sum(statuses.values())
    print(f"{total} inputs in {time.time() - start:.0f} s; binary {BINARY}")
    for (kind, code), count in sorted(statuses.items()):
        print(f"  {kind:6s} exit {code:4d}: {count}")
    print(f"crashes (exit >= 128, a signal, or an undocumented status): {len(crashes)}")
    for crash in crashes[:20]:
        print("  ", crash)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
