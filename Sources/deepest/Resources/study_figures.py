"""Figures for the result folders of `deepest study ... --out DIR`.

Usage: python3 study_figures.py DIR STUDY
  stability:   reads DIR/stability-eigenvalues.csv and DIR/stability-costates.csv, writes
               stability-eigenvalues.png (h*mu of every layer Jacobian over the forward-Euler disk
               |1 + h mu| <= 1, one panel per method) and costate-norms.png (||p(t)|| / ||p(T)||
               against depth: median and the min-max band over the training samples).
  adversarial: reads DIR/adversarial-curves.csv (and DIR/adversarial-digits.csv when present), writes
               adversarial-accuracy.png (accuracy against epsilon, FGSM and PGD, both norms) and
               adversarial-digits.png (clean and adversarial 8x8 images with predicted labels).
  landscape:   reads DIR/landscape.csv, writes landscape.png (the 3x3 example's objective per N as
               heat maps, log colour scale, with the boundary |1 + h mu| = 1 of the stable region) and
               landscape-networks.png (each trained network's loss along two filter-normalised directions).
  depth:       reads DIR/depth.csv, writes depth.png (test accuracy and the weight distance between N
               and 2N against N on log axes, with reference slopes 1 and 2).
Every figure is written under a temporary name and renamed, so an interrupted run leaves no partial file.
"""
import csv
import math
import os
import sys
from collections import OrderedDict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)


def read_rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def save_figure(figure, folder, name):
    temporary = os.path.join(folder, f".{name}.partial.png")
    figure.savefig(temporary, dpi=110, bbox_inches="tight")
    plt.close(figure)
    os.replace(temporary, os.path.join(folder, name))


def grouped(rows, key="method"):
    groups = OrderedDict()
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    return groups


def stability(folder):
    groups = grouped(read_rows(os.path.join(folder, "stability-eigenvalues.csv")))
    if groups:
        count = len(groups)
        columns = min(3, count)
        rows = math.ceil(count / columns)
        figure, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 4 * rows), squeeze=False)
        for axis, (method, values) in zip(axes.flat, groups.items()):
            h = float(values[0]["stepSize"])
            x = [h * float(v["real"]) for v in values]
            y = [h * float(v["imaginary"]) for v in values]
            axis.add_patch(plt.Circle((-1, 0), 1, color="#2ca02c", alpha=0.15, label="|1 + h mu| <= 1"))
            axis.scatter(x, y, s=4, alpha=0.5, color="#1f77b4", label="h mu")
            reach = max([2.2] + [abs(v) * 1.1 for v in x + y])
            axis.set_xlim(-reach, reach)
            axis.set_ylim(-reach, reach)
            axis.set_aspect("equal")
            axis.axhline(0, color="grey", lw=0.5)
            axis.axvline(0, color="grey", lw=0.5)
            axis.set_title(method, fontsize=9)
            axis.set_xlabel("Re h mu")
            axis.set_ylabel("Im h mu")
        for axis in list(axes.flat)[count:]:
            axis.set_visible(False)
        axes.flat[0].legend(fontsize=7, loc="upper left")
        figure.tight_layout()
        save_figure(figure, folder, "stability-eigenvalues.png")
    costates = grouped(read_rows(os.path.join(folder, "stability-costates.csv")))
    if costates:
        figure, axis = plt.subplots(figsize=(6.5, 4.2))
        for method, values in costates.items():
            depth = [float(v["depth"]) for v in values]
            median = [float(v["median"]) for v in values]
            line, = axis.plot(depth, median, label=method)
            axis.fill_between(depth, [float(v["minimum"]) for v in values], [float(v["maximum"]) for v in values],
                              color=line.get_color(), alpha=0.12)
        axis.set_yscale("log")
        axis.set_xlabel("depth t")
        axis.set_ylabel("||p(t)|| / ||p(T)||")
        axis.set_title("costate norms along depth (median, min-max band)")
        axis.legend(fontsize=7)
        save_figure(figure, folder, "costate-norms.png")


def adversarial(folder):
    rows = read_rows(os.path.join(folder, "adversarial-curves.csv"))
    groups = grouped(rows)
    if groups:
        norms = sorted({r["norm"] for r in rows})
        figure, axes = plt.subplots(1, len(norms), figsize=(5.5 * len(norms), 4), squeeze=False)
        for axis, norm in zip(axes.flat, norms):
            for method, values in groups.items():
                values = [v for v in values if v["norm"] == norm]
                eps = [float(v["epsilon"]) for v in values]
                line, = axis.plot(eps, [float(v["fgsmAccuracy"]) for v in values], "--", label=f"{method} FGSM")
                axis.plot(eps, [float(v["pgdAccuracy"]) for v in values], "-", color=line.get_color(), label=f"{method} PGD")
            axis.set_xlabel(f"epsilon ({norm})")
            axis.set_ylabel("test accuracy")
            axis.set_ylim(-0.02, 1.02)
            axis.legend(fontsize=6)
        save_figure(figure, folder, "adversarial-accuracy.png")
    digits_path = os.path.join(folder, "adversarial-digits.csv")
    if os.path.exists(digits_path):
        images = read_rows(digits_path)
        if images:
            columns = len(images)
            figure, axes = plt.subplots(2, columns, figsize=(1.4 * columns, 3.2), squeeze=False)
            for j, row in enumerate(images):
                for i, (kind, label, short) in enumerate((("clean", "cleanPrediction", "clean"),
                                                          ("adversarial", "adversarialPrediction", "adv"))):
                    pixels = [float(row[f"{kind}{p}"]) for p in range(64)]
                    axis = axes[i][j]
                    axis.imshow([pixels[r * 8:(r + 1) * 8] for r in range(8)], cmap="gray_r")
                    axis.set_title(f"{short} -> {row[label]}", fontsize=7)
                    axis.set_xticks([])
                    axis.set_yticks([])
            figure.suptitle(f"{images[0]['method']}: clean (top) and PGD adversarial (bottom) digits", fontsize=8)
            save_figure(figure, folder, "adversarial-digits.png")


def heat_maps(folder, panels, name, with_margin):
    from matplotlib.colors import LogNorm
    count = len(panels)
    figure, axes = plt.subplots(1, count, figsize=(5 * count, 4.3), squeeze=False)
    for axis, (panel, rows) in zip(axes.flat, panels.items()):
        xs = sorted({float(r["x"]) for r in rows})
        ys = sorted({float(r["y"]) for r in rows})
        values = [[0.0] * len(xs) for _ in ys]
        margins = [[0.0] * len(xs) for _ in ys]
        xi = {x: i for i, x in enumerate(xs)}
        yi = {y: j for j, y in enumerate(ys)}
        for r in rows:
            i, j = xi[float(r["x"])], yi[float(r["y"])]
            value = float(r["value"])
            values[j][i] = value if math.isfinite(value) else float("nan")
            if with_margin and r["stabilityMargin"]:
                margins[j][i] = float(r["stabilityMargin"])
        positive = [v for row in values for v in row if math.isfinite(v) and v > 0]
        norm = LogNorm(vmin=min(positive), vmax=max(positive)) if positive else None
        image = axis.pcolormesh(xs, ys, values, shading="auto", cmap="viridis", norm=norm)
        figure.colorbar(image, ax=axis)
        if with_margin:
            axis.contour(xs, ys, margins, levels=[0], colors="white", linewidths=1.5)
            axis.set_xlabel("theta1")
            axis.set_ylabel("theta2")
            axis.set_title(f"{panel}: objective, white: |1 + h mu| = 1", fontsize=9)
        else:
            axis.set_xlabel("alpha")
            axis.set_ylabel("beta")
            axis.set_title(f"{panel}: training loss", fontsize=9)
    figure.tight_layout()
    save_figure(figure, folder, name)


def depth(folder):
    rows = read_rows(os.path.join(folder, "depth.csv"))
    groups = grouped(rows, key="method")
    if not groups:
        return
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for method, values in groups.items():
        seeds = grouped(values, key="seed")
        for index, (seed, series) in enumerate(seeds.items()):
            layers = [int(v["layers"]) for v in series]
            accuracy = [float(v["testAccuracy"]) if v["testAccuracy"] else float("nan") for v in series]
            label = method if index == 0 else None
            line, = left.plot(layers, accuracy, "o-", label=label)
            pairs = [(int(v["layers"]), float(v["weightDistance"])) for v in series if v["weightDistance"]]
            if pairs:
                right.plot([p[0] for p in pairs], [p[1] for p in pairs], "o-", color=line.get_color(), label=label)
    all_layers = sorted({int(r["layers"]) for r in rows})
    distances = [float(r["weightDistance"]) for r in rows if r["weightDistance"] and float(r["weightDistance"]) > 0]
    if distances and len(all_layers) > 1:
        anchor = max(distances)
        for order, style in ((1, ":"), (2, "--")):
            right.plot(all_layers[:-1], [anchor * (all_layers[0] / n) ** order for n in all_layers[:-1]], style, color="grey",
                       label=f"slope {order} (h^{order})")
    for axis in (left, right):
        axis.set_xscale("log", base=2)
        axis.set_xlabel("layers N (h = T/N)")
        axis.legend(fontsize=7)
    left.set_ylabel("test accuracy")
    right.set_yscale("log")
    right.set_ylabel("||theta_N - theta_2N||_L2 / ||theta_2N||_L2")
    figure.tight_layout()
    save_figure(figure, folder, "depth.png")


def landscape(folder):
    rows = read_rows(os.path.join(folder, "landscape.csv"))
    example = grouped([r for r in rows if r["stabilityMargin"] != ""], key="panel")
    networks = grouped([r for r in rows if r["stabilityMargin"] == ""], key="panel")
    if example:
        heat_maps(folder, example, "landscape.png", True)
    if networks:
        heat_maps(folder, networks, "landscape-networks.png", False)


if __name__ == "__main__":
    studies = {"stability": stability, "adversarial": adversarial, "landscape": landscape, "depth": depth}
    if len(sys.argv) != 3 or sys.argv[2] not in studies:
        sys.exit("usage: study_figures.py DIR stability|adversarial|landscape|depth")
    studies[sys.argv[2]](sys.argv[1])
