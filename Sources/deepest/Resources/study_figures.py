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
  report:      reads DIR/studies.json and each study's JSON in its subfolder (written by
               `deepest study all`), writes DIR/report.md with every table and figure.
Every figure is written under a temporary name and renamed, so an interrupted run leaves no partial file.
"""
import math
import os
import sys
from collections import OrderedDict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figure_files import plt, read_rows, save_figure, write_text  # noqa: E402  (beside this script)


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


def load_json(path):
    import json
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return json.load(handle)


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def number(value, digits=3):
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return f"{value:.{digits}g}"


def figure_links(folder, sub, names):
    return "".join(f"![{name}]({sub}/{name})\n\n" for name in names if os.path.exists(os.path.join(folder, sub, name)))


def report(folder):
    studies = load_json(os.path.join(folder, "studies.json")) or {"studies": []}
    text = ["# Stability, robustness, landscapes and depth of trained networks\n",
            "Written by `deepest study all` (Notes/forward-stability-and-robustness.md has the formulas).\n"]
    text.append(markdown_table(["study", "arguments", "seconds", "status"],
                               [[s["name"], " ".join(s["arguments"]), f"{s['seconds']:.1f}", s["status"]] for s in studies["studies"]]))
    for sub in sorted(name for name in os.listdir(folder) if name.startswith("stability")):
        stability_summary = load_json(os.path.join(folder, sub, "stability.json"))
        if not stability_summary:
            continue
        text.append(f"\n## Forward stability ({stability_summary['dataset']}, {sub})\n")
        text.append("Share of h*mu (eigenvalues of the layer Jacobians along the training trajectories) outside the forward-Euler "
                    "disk |1 + h mu| <= 1, costate growth ||p(0)||/||p(T)|| and the singular values of dx(T)/dx(0).\n\n")
        text.append(markdown_table(
            ["method", "network", "h", "share outside", "max modulus h mu", "max ‖p‖ ratio", "min ‖p‖ ratio", "max sigma", "min sigma", "test accuracy"],
            [[r["method"], f"{r['network']} {r['steps']}", number(r["stepSize"]), number(r["shareOutsideStabilityRegion"]),
              number(r["largestScaledModulus"]), number(r["maxCostateNormRatio"]), number(r["minCostateNormRatio"]),
              number(r["largestSingularValue"]), number(r["smallestSingularValue"]), number(r.get("testAccuracy"))]
             for r in stability_summary["results"]]))
        text.append("\n" + figure_links(folder, sub, ["stability-eigenvalues.png", "costate-norms.png"]))
    for sub in sorted(name for name in os.listdir(folder) if name.startswith("adversarial")):
        adversarial_summary = load_json(os.path.join(folder, sub, "adversarial.json"))
        if not adversarial_summary:
            continue
        text.append(f"\n## Adversarial robustness ({adversarial_summary['dataset']}, {adversarial_summary['testSamples']} test samples)\n")
        results = adversarial_summary["results"]
        if results:
            text.append("l-inf radii: " + ", ".join(number(e) for e in results[0]["epsilons"]) + "; l2 radii: "
                        + ", ".join(number(e) for e in results[0]["epsilonsL2"]) + "\n\n")
        text.append(markdown_table(
            ["method", "clean", "FGSM l-inf", "PGD l-inf", "FGSM l2", "PGD l2", "median minimal l-inf", "median Lipschitz", "max Lipschitz"],
            [[r["method"], number(r["cleanAccuracy"]), " ".join(number(a, 2) for a in r["fgsmAccuracy"]),
              " ".join(number(a, 2) for a in r["pgdAccuracy"]), " ".join(number(a, 2) for a in r["fgsmAccuracyL2"]),
              " ".join(number(a, 2) for a in r["pgdAccuracyL2"]), number(r["medianMinimalPerturbation"]),
              number(r["medianLipschitz"]), number(r["maxLipschitz"])] for r in results]))
        text.append("\n" + figure_links(folder, sub, ["adversarial-accuracy.png", "adversarial-digits.png"]))
    landscape_summary = load_json(os.path.join(folder, "landscape", "landscape.json"))
    if landscape_summary:
        example = landscape_summary["example"]
        text.append("\n## Landscapes\n")
        text.append(f"The 3x3 example of MATH.md 6.5 (m = {example['samples']}) on theta in "
                    f"[{example['theta1'][0]}, {example['theta1'][1]}]^2:\n\n")
        text.append(markdown_table(["layers N", "h", "min objective", "max objective", "roughness", "share unstable"],
                                   [[p["layers"], number(p["stepSize"]), number(p["minimum"]), number(p["maximum"]),
                                     number(p["roughness"]), number(p["shareUnstable"])] for p in example["panels"]]))
        if landscape_summary["networks"]:
            text.append("\nTraining loss along two filter-normalised random directions:\n\n")
            text.append(markdown_table(["method", "network", "center loss", "min loss", "max loss", "roughness"],
                                       [[n["method"], n["network"], number(n["centerLoss"]), number(n["minimumLoss"]),
                                         number(n["maximumLoss"]), number(n["roughness"])] for n in landscape_summary["networks"]]))
        text.append("\n" + figure_links(folder, "landscape", ["landscape.png", "landscape-networks.png"]))
    depth_summary = load_json(os.path.join(folder, "depth", "depth.json"))
    if depth_summary:
        text.append(f"\n## Depth ({depth_summary['dataset']}, T = {depth_summary['horizon']})\n")
        text.append("Layers " + ", ".join(str(n) for n in depth_summary["layers"]) + ". Weight distance: relative L2 distance in depth "
                    "between the weights at N and 2N; fitted order: slope of its log against log h.\n\n")
        text.append(markdown_table(["method", "seed", "test accuracy", "weight distance", "fitted order", "Euler-flow gap"],
                                   [[r["method"], r["seed"], " ".join(number(a, 3) for a in r["testAccuracy"]),
                                     " ".join(number(d, 2) for d in r["weightDistance"]), number(r["fittedOrder"]),
                                     " ".join(number(g, 2) for g in r["eulerFlowGap"])] for r in depth_summary["results"]]))
        text.append("\n" + figure_links(folder, "depth", ["depth.png"]))
    write_text(folder, "report.md", "\n".join(text))


if __name__ == "__main__":
    studies = {"stability": stability, "adversarial": adversarial, "landscape": landscape, "depth": depth, "report": report}
    if len(sys.argv) != 3 or sys.argv[2] not in studies:
        sys.exit("usage: study_figures.py DIR stability|adversarial|landscape|depth|report")
    studies[sys.argv[2]](sys.argv[1])
