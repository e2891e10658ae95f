"""Figures and a Markdown report for the result folder of `deepest compare --out DIR`.

Reads DIR/compare.json (the comparison), DIR/points.csv (the data, when its inputs are one- or
two-dimensional), DIR/<method>-grid.csv (each
trained network on a grid: decision regions, or the prediction curve of a 1-D regression),
DIR/<method>-loss.csv (SGD/Adam) and DIR/<method>-rungs.csv (precision annealing), and writes
regions.png or predictions.png, loss.png, rungs.png and report.md into DIR. Every file is written
under a temporary name and renamed, so an interrupted run leaves no partial file.

Usage: python3 compare_report.py DIR
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figure_files import plt, read_rows, save_figure, write_text  # noqa: E402  (beside this script)
from matplotlib.colors import ListedColormap  # noqa: E402

CLASS_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def regions_figure(folder, results, points):
    """Decision regions of every method with the train (dots) and test (crosses) points."""
    methods = [r["method"] for r in results if os.path.exists(os.path.join(folder, f"{r['method']}-grid.csv"))]
    if not methods:
        return None
    figure, axes = plt.subplots(1, len(methods), figsize=(4.2 * len(methods), 4.2), squeeze=False)
    classes = 1 + max(int(float(p["label"])) for p in points)
    colours = ListedColormap(CLASS_COLOURS[:classes])
    for axis, method in zip(axes[0], methods):
        grid = read_rows(os.path.join(folder, f"{method}-grid.csv"))
        xs = sorted({float(g["x1"]) for g in grid})
        ys = sorted({float(g["x2"]) for g in grid})
        # The grid is row-major with x1 varying fastest.
        values = [[float(grid[j * len(xs) + i]["prediction"]) for i in range(len(xs))] for j in range(len(ys))]
        axis.pcolormesh(xs, ys, values, cmap=colours, vmin=-0.5, vmax=classes - 0.5, alpha=0.35, shading="auto")
        for split, marker in (("train", "o"), ("test", "x")):
            chosen = [p for p in points if p["split"] == split]
            axis.scatter([float(p["x1"]) for p in chosen], [float(p["x2"]) for p in chosen],
                         c=[CLASS_COLOURS[int(float(p["label"]))] for p in chosen], marker=marker,
                         s=9, linewidths=0.8, label=split)
        result = next(r for r in results if r["method"] == method)
        accuracy = result.get("testAccuracy")
        axis.set_title(f"{method}: test accuracy {accuracy:.3f}" if accuracy is not None else method)
        axis.set_aspect("equal")
        axis.set_xticks([])
        axis.set_yticks([])
    axes[0][0].legend(loc="lower left", fontsize=8)
    return save_figure(figure, folder, "regions.png")


def predictions_figure(folder, results, points):
    """The prediction curve of every method over the test points of a 1-D regression."""
    figure, axis = plt.subplots(figsize=(6.5, 4))
    test = sorted((float(p["x1"]), float(p["target"])) for p in points if p["split"] == "test")
    axis.scatter([t[0] for t in test], [t[1] for t in test], s=8, c="black", label="test data")
    drawn = False
    for result in results:
        path = os.path.join(folder, f"{result['method']}-grid.csv")
        if not os.path.exists(path):
            continue
        grid = read_rows(path)
        rmse = result.get("testRMSE")
        label = f"{result['method']} (test RMSE {rmse:.2e})" if rmse is not None else result["method"]
        axis.plot([float(g["x1"]) for g in grid], [float(g["prediction"]) for g in grid], label=label)
        drawn = True
    if not drawn:
        plt.close(figure)
        return None
    axis.set_xlabel("x")
    axis.set_ylabel("network output")
    axis.legend(fontsize=8)
    return save_figure(figure, folder, "predictions.png")


def loss_figure(folder, results):
    """Training loss per epoch of the gradient methods."""
    curves = [(r["method"], read_rows(os.path.join(folder, f"{r['method']}-loss.csv")))
              for r in results if os.path.exists(os.path.join(folder, f"{r['method']}-loss.csv"))]
    if not curves:
        return None
    figure, axis = plt.subplots(figsize=(6.5, 4))
    for method, rows in curves:
        axis.semilogy([int(r["epoch"]) for r in rows], [float(r["loss"]) for r in rows], label=method)
    axis.set_xlabel("epoch")
    axis.set_ylabel("training loss (with regularisation)")
    axis.legend()
    return save_figure(figure, folder, "loss.png")


def rungs_figure(folder, results):
    """The action and its parts at each annealing rung; the ticks name each rung's model precision r_f
    (the exactly constrained rung, r_f = infinity, is marked as such)."""
    annealed = [(r["method"], read_rows(os.path.join(folder, f"{r['method']}-rungs.csv")))
                for r in results if os.path.exists(os.path.join(folder, f"{r['method']}-rungs.csv"))]
    if not annealed:
        return None
    figure, axis = plt.subplots(figsize=(6.5, 4))
    ticks = []
    for method, rows in annealed:
        rungs = list(range(len(rows)))
        for key, style in (("action", "-"), ("dataMisfit", "--"), ("modelError", ":"),
                           ("smoothness", "-."), ("tikhonov", (0, (1, 3)))):
            values = [float(r[key]) if float(r[key]) > 0 else float("nan") for r in rows]
            if all(v != v for v in values):  # a part that is zero at every rung (e.g. no smoothness term)
                continue
            axis.semilogy(rungs, values, linestyle=style, marker="o", markersize=3, label=f"{method} {key}")
        if len(rows) > len(ticks):
            ticks = ["∞" if "constrained" in r["status"] else f"{float(r['rf']):.3g}" for r in rows]
    axis.set_xticks(range(len(ticks)), ticks)
    axis.set_xlabel("annealing rung (model precision r_f)")
    axis.set_ylabel("value at the rung's solution")
    axis.legend(fontsize=7)
    return save_figure(figure, folder, "rungs.png")


def number(value, digits=4):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def report_text(comparison, figures):
    results = comparison["results"]
    lines = [f"# Comparison on {comparison['dataset']}", "",
             f"Width {comparison['width']}, {comparison['layers']} layers, horizon T = {comparison['horizon']}, "
             f"activation {comparison['activation']}, antisymmetric: {comparison['antisymmetric']}, "
             f"seed {comparison['seed']}. Every method trains the same architecture.", "",
             "| method | train loss | train accuracy | test accuracy | test RMSE | action | seconds | gradient evaluations | status |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append("| " + " | ".join([r["method"], number(r.get("trainLoss")), number(r.get("trainAccuracy")),
                                        number(r.get("testAccuracy")), number(r.get("testRMSE")),
                                        number(r.get("action")), number(r.get("seconds"), 3),
                                        number(r.get("gradientEvaluations")), r.get("status", "")]) + " |")
    captions = {
        "regions.png": "Decision regions of each trained network; dots are training points, crosses test points.",
        "predictions.png": "Prediction of each trained network against the test data.",
        "loss.png": "Training loss per epoch of the gradient methods.",
        "rungs.png": "Precision annealing: the action and its parts at each rung's solution (r_f = ∞: the exactly constrained rung).",
    }
    for name in figures:
        lines += ["", f"![{captions[name]}]({name})", "", captions[name]]
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: compare_report.py DIR")
    folder = sys.argv[1]
    with open(os.path.join(folder, "compare.json")) as handle:
        comparison = json.load(handle)
    results = comparison["results"]
    figures = []
    points_path = os.path.join(folder, "points.csv")
    if os.path.exists(points_path):  # only data with one- or two-dimensional inputs are drawn
        points = read_rows(points_path)
        figures.append(regions_figure(folder, results, points) if "label" in points[0]
                       else predictions_figure(folder, results, points))
    figures += [loss_figure(folder, results), rungs_figure(folder, results)]
    write_text(folder, "report.md", report_text(comparison, [f for f in figures if f]))


if __name__ == "__main__":
    main()
