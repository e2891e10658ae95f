"""The accuracy targets and the time to equal training loss, every method side by side in one run.

For spirals, digits and sine: trains the boundary value recipes symplectic-euler and collocation (the
continuum collocation with its defaults) with `deepest train --recipe R --out DIR`, prints their held-out
metric against the target (a boundary value recipe counts only with a converged status) and their
per-stage breakdown from stages.csv (iterations, seconds, seconds per iteration); then trains SGD and
Adam at their default epochs E and at 2E, 4E, ..., 256E, and reports the time each needs to come within 5%
of each recipe's training loss (the first budget whose final training loss is <= 1.05 L) and the ratio
of the recipe's time to the faster of the two (targets: <= 1 for symplectic-euler, <= 3 for
collocation). Run from the repository root (`make bench-targets`); everything runs in the same process
tree, one run at a time.
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("DEEPEST", os.path.join(ROOT, ".build", "release", "deepest"))
# (data set, metric key, target, whether larger is better)
TARGETS = [("spirals", "testAccuracy", 0.95, True), ("digits", "testAccuracy", 0.90, True),
           ("sine", "testRMSE", 0.05, False)]
RECIPES = [("symplectic-euler", 1.0), ("collocation", 3.0)]
# Boundary value recipes must end with a converged status for the target to count.
CONVERGED = {"success", "constrained-converged"}
DOUBLINGS = 8


def train(*args):
    result = subprocess.run([BINARY, "train", *args, "--format", "json"], capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        print(f"deepest train {' '.join(args)} failed: {result.stderr.strip()}", file=sys.stderr)
        sys.exit(1)
    return json.loads(result.stdout)


def table(header, rows):
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for r in [header] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())


def main():
    accuracy, stages, timing, missed = [], [], [], []
    for dataset, key, target, larger in TARGETS:
        losses = {}
        for recipe, _ in RECIPES:
            with tempfile.TemporaryDirectory() as out:
                report = train("--dataset", dataset, "--recipe", recipe, "--out", out)
                with open(os.path.join(out, "stages.csv")) as f:
                    for row in csv.DictReader(f):
                        iterations = int(row["iterations"] or row["epochs"] or 0)
                        seconds = float(row["stageSeconds"])
                        stages.append((dataset, recipe, row["type"], row["beta"] or "-", iterations, f"{seconds:.2f}",
                                       f"{1000 * seconds / max(iterations, 1):.2f}", row["status"] or row["stageStatus"]))
            value = report[key]
            met = (value >= target if larger else value <= target) and report["status"] in CONVERGED
            accuracy.append((dataset, recipe, key, f"{value:.4g}", ("≥ " if larger else "≤ ") + f"{target:g}",
                             "met" if met else "MISSED", report["status"], f"{report['trainLoss']:.4g}",
                             f"{report['trainMisfit']:.4g}", f"{report['seconds']:.2f}"))
            if not met:
                missed.append(f"{dataset}/{recipe} accuracy")
            losses[recipe] = (report["trainLoss"], report["seconds"])
        # SGD and Adam at doubling epoch budgets until every recipe's loss is within 5%.
        reached = {(opt, recipe): None for opt in ("sgd", "adam") for recipe, _ in RECIPES}
        # The wall time of each optimiser's largest budget: a lower bound on its time to a loss it did not reach.
        longest = {}
        for optimizer in ("sgd", "adam"):
            base = train("--dataset", dataset, "--recipe", optimizer)
            epochs = base["epochs"]
            for j in range(DOUBLINGS + 1):
                report = base if j == 0 else train("--dataset", dataset, "--recipe", optimizer, "--epochs", str(epochs << j))
                longest[optimizer] = report["seconds"]
                for recipe, _ in RECIPES:
                    if reached[(optimizer, recipe)] is None and report["trainLoss"] <= 1.05 * losses[recipe][0]:
                        reached[(optimizer, recipe)] = (report["seconds"], epochs << j, report["trainLoss"])
                if all(reached[(optimizer, r)] is not None for r, _ in RECIPES):
                    break
            accuracy.append((dataset, optimizer, key, f"{base[key]:.4g}", "", "", base["status"], f"{base['trainLoss']:.4g}",
                             f"{base['trainMisfit']:.4g}", f"{base['seconds']:.2f}"))
        for recipe, limit in RECIPES:
            loss, seconds = losses[recipe]
            times = [reached[(o, recipe)] for o in ("sgd", "adam")]
            fastest = min((t[0] for t in times if t is not None), default=None)
            # Not reached by either: each needs longer than its largest budget ran, so the ratio is below
            # the recipe's time over the shorter of those runs.
            ratio = seconds / fastest if fastest else seconds / min(longest.values())
            ok = ratio <= limit
            if not ok:
                missed.append(f"{dataset}/{recipe} speed")

            def show(t):
                return "not reached" if t is None else f"{t[0]:.2f} s ({t[1]} epochs, {t[2]:.4g})"
            timing.append((dataset, recipe, f"{loss:.4g}", f"{seconds:.2f}", show(times[0]), show(times[1]),
                           f"{ratio:.2f}" if fastest else f"< {ratio:.2f}", f"≤ {limit:g}", "met" if ok else "MISSED"))
    print("held-out metric (SGD and Adam at their default epochs)")
    table(("data set", "method", "metric", "value", "target", "", "status", "train loss", "misfit", "seconds"), accuracy)
    print("\nstages of the boundary value recipes")
    table(("data set", "recipe", "stage", "beta", "iterations", "seconds", "ms/iteration", "status"), stages)
    print(f"\ntime to come within 5% of each recipe's training loss (epoch budgets E..{2 ** DOUBLINGS}E)")
    table(("data set", "recipe", "train loss", "seconds", "SGD", "Adam", "ratio", "target", ""), timing)
    print("every target met" if not missed else "missed: " + ", ".join(missed))


if __name__ == "__main__":
    main()
