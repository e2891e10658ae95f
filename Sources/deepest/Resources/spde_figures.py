"""Heat maps of fields in (τ, x), written under a temporary name and renamed.

- `python3 spde_figures.py DIR` (`deepest spde --out DIR`): DIR/snapshots.csv (path 0's field at the
  recorded times, columns tau, x, y, component, u) to DIR/field.png: the (τ, x) heat map of the first
  component in 1-D, the last snapshot of the first component in 2-D.
- `python3 spde_figures.py DIR annealing` (`deepest anneal --out DIR`, or a train run with a `langevin`
  stage): DIR/annealing.csv (stage, tau, t, weightNorm) to DIR/annealing.png, the (τ, t) heat map of
  |θ(τ, t)| while annealing, one panel per Langevin stage.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figure_files import plt, read_rows, save_figure  # noqa: E402  (beside this script)


def heat_map(figure, axis, rows, x_key, y_key, value_key, x_label, y_label, title, aspect="auto", cmap="RdBu_r"):
    """The grid of rows[value_key] over the sorted distinct x and y values, drawn with a colour bar."""
    xs = sorted({float(r[x_key]) for r in rows})
    ys = sorted({float(r[y_key]) for r in rows})
    value = {(float(r[y_key]), float(r[x_key])): float(r[value_key]) for r in rows}
    image = axis.imshow([[value[(y, x)] for x in xs] for y in ys], origin="lower", aspect=aspect, cmap=cmap,
                        extent=[xs[0], xs[-1], ys[0], ys[-1]])
    axis.set_xlabel(x_label)
    axis.set_ylabel(y_label)
    axis.set_title(title)
    figure.colorbar(image, ax=axis)


def field(folder):
    rows = [r for r in read_rows(os.path.join(folder, "snapshots.csv")) if r["component"] == "0"]
    figure, axis = plt.subplots(figsize=(6.4, 4.2))
    if len({r["y"] for r in rows}) == 1:
        heat_map(figure, axis, rows, "x", "tau", "u", "x", "τ", "u(τ, x), path 0")
    else:
        last = max(float(r["tau"]) for r in rows)
        heat_map(figure, axis, [r for r in rows if float(r["tau"]) == last], "x", "y", "u", "x", "y",
                 f"u(τ = {last:g}, x, y), path 0", aspect="equal")
    save_figure(figure, folder, "field.png")


def annealing(folder):
    rows = read_rows(os.path.join(folder, "annealing.csv"))
    stages = sorted({r["stage"] for r in rows}, key=int)
    figure, axes = plt.subplots(1, len(stages), figsize=(6.4 * len(stages), 4.2), squeeze=False)
    for axis, stage in zip(axes[0], stages):
        heat_map(figure, axis, [r for r in rows if r["stage"] == stage], "t", "tau", "weightNorm", "depth t",
                 "optimisation time τ", f"|θ(τ, t)|, stage {stage}", cmap="viridis")
    save_figure(figure, folder, "annealing.png")


if __name__ == "__main__":
    annealing(sys.argv[1]) if sys.argv[2:] == ["annealing"] else field(sys.argv[1])
