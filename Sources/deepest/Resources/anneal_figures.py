"""The figure of a training run with a Langevin stage (`deepest anneal --out DIR`, `deepest train --out
DIR` with a `langevin` stage): DIR/annealing.csv (stage, tau, t, weightNorm) to DIR/annealing.png, the
(τ, t) heat map of |θ(τ, t)| while annealing, one panel per Langevin stage. Written under a temporary
name and renamed.

Usage: python3 anneal_figures.py DIR
"""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)


def main(folder):
    with open(os.path.join(folder, "annealing.csv"), newline="") as handle:
        rows = list(csv.DictReader(handle))
    stages = sorted({r["stage"] for r in rows}, key=int)
    figure, axes = plt.subplots(1, len(stages), figsize=(6.4 * len(stages), 4.2), squeeze=False)
    for axis, stage in zip(axes[0], stages):
        mine = [r for r in rows if r["stage"] == stage]
        taus = sorted({float(r["tau"]) for r in mine})
        depth = sorted({float(r["t"]) for r in mine})
        value = {(float(r["tau"]), float(r["t"])): float(r["weightNorm"]) for r in mine}
        field = [[value[(tau, t)] for t in depth] for tau in taus]
        image = axis.imshow(field, origin="lower", aspect="auto", cmap="viridis",
                            extent=[depth[0], depth[-1], taus[0], taus[-1]])
        axis.set_xlabel("depth t")
        axis.set_ylabel("optimisation time τ")
        axis.set_title(f"|θ(τ, t)|, stage {stage}")
        figure.colorbar(image, ax=axis)
    temporary = os.path.join(folder, ".annealing.partial.png")
    figure.savefig(temporary, dpi=110, bbox_inches="tight")
    plt.close(figure)
    os.replace(temporary, os.path.join(folder, "annealing.png"))


if __name__ == "__main__":
    main(sys.argv[1])
