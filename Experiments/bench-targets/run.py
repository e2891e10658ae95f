"""The issue's accuracy targets, side by side with SGD and Adam at equal architecture.

For spirals, digits and sine runs `deepest compare --dataset D --continuum collocation --format json`
(the default boundary value method symplectic-euler, the continuum collocation with its defaults, SGD
and Adam) and prints one table: held-out accuracy or RMSE, the target, whether it is met, the
trainer's status and the wall seconds. Run from the repository root (`make bench-targets`).
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("DEEPEST", os.path.join(ROOT, ".build", "release", "deepest"))
# (data set, metric key, target, whether larger is better)
TARGETS = [("spirals", "testAccuracy", 0.95, True), ("digits", "testAccuracy", 0.90, True),
           ("sine", "testRMSE", 0.05, False)]
# Boundary value methods must end with a converged status for the target to count.
CONVERGED = {"success", "constrained-converged"}


def main():
    rows, missed = [], []
    for dataset, key, target, larger in TARGETS:
        result = subprocess.run([BINARY, "compare", "--dataset", dataset, "--continuum", "collocation", "--format", "json"],
                                capture_output=True, text=True, cwd=ROOT)
        if result.returncode != 0:
            print(f"{dataset}: deepest compare failed: {result.stderr.strip()}", file=sys.stderr)
            sys.exit(1)
        for report in json.loads(result.stdout)["results"]:
            value = report[key]
            boundary = report["method"] not in ("sgd", "adam")
            met = (value >= target if larger else value <= target) and (not boundary or report["status"] in CONVERGED)
            rows.append((dataset, report["method"], key, f"{value:.4g}", ("≥ " if larger else "≤ ") + f"{target:g}",
                         "met" if met else "MISSED", report["status"], f"{report['seconds']:.1f}"))
            if not met:
                missed.append(f"{dataset}/{report['method']}")
    header = ("data set", "method", "metric", "value", "target", "", "status", "seconds")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    for r in [header] + rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    print("every target met" if not missed else "missed: " + ", ".join(missed))


if __name__ == "__main__":
    main()
