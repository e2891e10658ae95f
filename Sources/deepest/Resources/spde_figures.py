"""The figure of a `deepest spde --out DIR` run: DIR/snapshots.csv (path 0's field at the recorded
times, columns tau, x, y, component, u) to DIR/field.png: the (tau, x) heat map of the first component
in 1-D, the last snapshot of the first component in 2-D. Written under a temporary name and renamed.

Usage: python3 spde_figures.py DIR
"""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)


def main(folder):
    with open(os.path.join(folder, "snapshots.csv"), newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["component"] == "0"]
    taus = sorted({float(r["tau"]) for r in rows})
    xs = sorted({float(r["x"]) for r in rows})
    ys = sorted({float(r["y"]) for r in rows})
    figure, axis = plt.subplots(figsize=(6.4, 4.2))
    if len(ys) == 1:
        index = {(float(r["tau"]), float(r["x"])): float(r["u"]) for r in rows}
        field = [[index[(t, x)] for x in xs] for t in taus]
        image = axis.imshow(field, origin="lower", aspect="auto", cmap="RdBu_r",
                            extent=[xs[0], xs[-1], taus[0], taus[-1]])
        axis.set_xlabel("x")
        axis.set_ylabel("τ")
        axis.set_title("u(τ, x), path 0")
    else:
        last = taus[-1]
        index = {(float(r["x"]), float(r["y"])): float(r["u"]) for r in rows if float(r["tau"]) == last}
        field = [[index[(x, y)] for x in xs] for y in ys]
        image = axis.imshow(field, origin="lower", aspect="equal", cmap="RdBu_r",
                            extent=[xs[0], xs[-1], ys[0], ys[-1]])
        axis.set_xlabel("x")
        axis.set_ylabel("y")
        axis.set_title(f"u(τ = {last:g}, x, y), path 0")
    figure.colorbar(image, ax=axis)
    temporary = os.path.join(folder, ".field.partial.png")
    figure.savefig(temporary, dpi=110, bbox_inches="tight")
    plt.close(figure)
    os.replace(temporary, os.path.join(folder, "field.png"))


if __name__ == "__main__":
    main(sys.argv[1])
