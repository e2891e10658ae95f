#!/usr/bin/env python3
"""The saddle study of issue 14 §4: for each data set and each of `--seeds` initial weights, train by
(i) the deterministic BVP recipe (symplectic-euler), (ii) the noiseless gradient flow of the action
(one `langevin` stage at temperature 0), (iii) annealed Langevin dynamics then polish (the `langevin`
recipe), (iv) SGD and (v) Adam, through `deepest train --format json`; then report per data set and
method the distribution of the final training loss, the test accuracy (RMSE for sine), the Morse
index, the wall time, bootstrap 95% intervals of the means, and the fraction of runs that end at a
saddle (Morse index >= 1). Writes results.csv, summary.md and histograms.png (final loss and Morse index
per method and data set, with matplotlib when it is installed) into --out (default
Experiments/results/saddle-study). `--from-csv FILE` redraws the summary and figure from an earlier run.

Usage: python3 run.py [--seeds 20] [--datasets spirals,circles,sine,digits] [--out DIR]
"""
import argparse
import csv
import json
import os
import pathlib
import random
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEEPEST = os.environ.get("DEEPEST", str(ROOT / ".build/release/deepest"))
FLOW_STEPS = 4000


def train(dataset, method, seed):
    arguments = [DEEPEST, "train", "--dataset", dataset, "--seed", str(seed), "--format", "json"]
    config = None
    if method == "gradient-flow":
        config = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
        config.write(f"stages:\n  - type: langevin\n    langevin-steps: {FLOW_STEPS}\n    temperature: 0\n    quench: 0\n")
        config.close()
        arguments += ["--config", config.name]
    else:
        arguments += ["--recipe", method]
    result = subprocess.run(arguments, capture_output=True, text=True, timeout=1800)
    if config:
        os.unlink(config.name)
    # Exit 3 (a status that is not success, e.g. a flow that only completed its steps) still prints the report.
    if result.returncode not in (0, 3) or not result.stdout.strip():
        return {"dataset": dataset, "method": method, "seed": seed, "status": "error: " + result.stderr.strip()[-200:]}
    report = json.loads(result.stdout)
    return {"dataset": dataset, "method": method, "seed": seed, "trainLoss": report.get("trainLoss"),
            "testAccuracy": report.get("testAccuracy"), "testRMSE": report.get("testRMSE"),
            "morseIndex": report.get("morseIndex"), "seconds": report.get("seconds"), "status": report.get("status")}


def bootstrap(values, rng, resamples=1000):
    if not values:
        return (float("nan"), float("nan"))
    means = sorted(sum(rng.choice(values) for _ in values) / len(values) for _ in range(resamples))
    return means[int(0.025 * resamples)], means[int(0.975 * resamples) - 1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--datasets", default="spirals,circles,sine,digits")
    parser.add_argument("--methods", default="symplectic-euler,gradient-flow,langevin,sgd,adam")
    parser.add_argument("--out", default=str(ROOT / "Experiments/results/saddle-study"))
    parser.add_argument("--from-csv", help="summarise an earlier run's results.csv instead of training")
    options = parser.parse_args()
    out = pathlib.Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    datasets, methods = options.datasets.split(","), options.methods.split(",")
    if options.from_csv:
        for row in csv.DictReader(open(options.from_csv)):
            for key in ("trainLoss", "testAccuracy", "testRMSE", "seconds"):
                row[key] = float(row[key]) if row.get(key) not in (None, "") else None
            row["morseIndex"] = int(row["morseIndex"]) if row.get("morseIndex") not in (None, "") else None
            rows.append(row)
        datasets = [d for d in datasets if any(r["dataset"] == d for r in rows)]
        options.seeds = max(int(r["seed"]) for r in rows)
    total = len(datasets) * len(methods) * options.seeds
    for dataset in datasets if not options.from_csv else []:
        for method in methods:
            for seed in range(1, options.seeds + 1):
                rows.append(train(dataset, method, seed))
                print(f"\r{len(rows)}/{total} {dataset} {method} seed {seed}   ", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    keys = ["dataset", "method", "seed", "trainLoss", "testAccuracy", "testRMSE", "morseIndex", "seconds", "status"]
    with open(out / ".results.csv.partial", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=keys)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k) for k in keys})
    os.replace(out / ".results.csv.partial", out / "results.csv")
    rng = random.Random(1)
    lines = ["# Saddle study: final loss, accuracy, Morse index and time per method", "",
             f"{options.seeds} initial weights (seeds 1..{options.seeds}) per data set and method; "
             "means with bootstrap 95% intervals. 'converged saddle' counts runs whose status is `saddle` (a "
             "certified stationary point with Morse index >= 1); 'index >= 1' counts every run whose returned "
             "point has a negative Hessian eigenvalue, stationary or not (SGD, Adam and the flow stop anywhere).", ""]
    for dataset in datasets:
        lines += [f"## {dataset}", "", "| method | runs | mean train loss [95%] | median loss | mean test "
                  + ("RMSE" if dataset == "sine" else "accuracy") + " | converged saddle | index >= 1 | index unknown | mean seconds | statuses |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for method in methods:
            group = [r for r in rows if r["dataset"] == dataset and r["method"] == method and r.get("trainLoss") is not None]
            losses = [r["trainLoss"] for r in group]
            quality = [r["testRMSE"] if dataset == "sine" else r["testAccuracy"] for r in group]
            quality = [q for q in quality if q is not None]
            known = [r for r in group if r.get("morseIndex") is not None]
            saddles = sum(1 for r in known if r["morseIndex"] >= 1)
            converged = sum(1 for r in group if r["status"] == "saddle")
            low, high = bootstrap(losses, rng)
            statuses = sorted({r["status"] for r in group})
            mean = sum(losses) / len(losses) if losses else float("nan")
            median = sorted(losses)[len(losses) // 2] if losses else float("nan")
            lines.append(f"| {method} | {len(group)} | {mean:.3e} [{low:.3e}, {high:.3e}] | {median:.3e} | "
                         f"{(sum(quality) / len(quality)) if quality else float('nan'):.4f} | {converged}/{len(group)} | {saddles}/{len(known)} | "
                         f"{len(group) - len(known)} | {sum(r['seconds'] for r in group) / max(1, len(group)):.2f} | {', '.join(statuses)} |")
        lines.append("")
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    histograms(rows, datasets, methods, out)
    print("\n".join(lines))


def histograms(rows, datasets, methods, out):
    """Final training loss (log scale) and Morse index per method, one column per data set."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: histograms.png not drawn", file=sys.stderr)
        return
    import math
    figure, axes = plt.subplots(2, len(datasets), figsize=(4.2 * len(datasets), 7), squeeze=False)
    for column, dataset in enumerate(datasets):
        for method in methods:
            group = [r for r in rows if r["dataset"] == dataset and r["method"] == method and r.get("trainLoss")]
            losses = [math.log10(r["trainLoss"]) for r in group if r["trainLoss"] > 0]
            axes[0][column].hist(losses, bins=12, alpha=0.5, label=method)
            indices = [r["morseIndex"] for r in group if r.get("morseIndex") is not None]
            axes[1][column].hist(indices, bins=range(0, max(indices + [1]) + 2), alpha=0.5, label=method)
        axes[0][column].set_title(dataset)
        axes[0][column].set_xlabel("log10 final training loss")
        axes[1][column].set_xlabel("Morse index at the returned point")
    axes[0][0].legend(fontsize=8)
    temporary = out / ".histograms.partial.png"
    figure.savefig(temporary, dpi=100, bbox_inches="tight")
    plt.close(figure)
    os.replace(temporary, out / "histograms.png")


if __name__ == "__main__":
    main()
