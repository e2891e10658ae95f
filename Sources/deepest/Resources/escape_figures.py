"""The figures of `deepest escape --out DIR`: DIR/escape.csv (one row per temperature: temperature,
meanEscapeTime, stderr, theoryMeanEscapeTime, escapeProbability, theoryEscapeProbability) to
DIR/escape.png: the mean escape time against ln(1/Temp) with its standard errors and the theory line
(its slope is 1/(2λ₋) for a saddle), and the escape probability against the temperature. Written under
a temporary name and renamed.

Usage: python3 escape_figures.py DIR
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figure_files import plt, read_rows, save_figure  # noqa: E402  (beside this script)


def number(text):
    return float(text) if text not in ("", None) else float("nan")


def main(folder):
    rows = read_rows(os.path.join(folder, "escape.csv"))
    temps = [number(r["temperature"]) for r in rows]
    x = [math.log(1 / t) for t in temps]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    means = [number(r["meanEscapeTime"]) for r in rows]
    errors = [2 * number(r["stderr"]) for r in rows]
    theory = [number(r["theoryMeanEscapeTime"]) for r in rows]
    if any(not math.isnan(m) for m in means):
        left.errorbar(x, means, yerr=errors, fmt="o", label="measured (±2 s.e.)")
        if any(not math.isnan(t) for t in theory):
            left.plot(x, theory, "-", label="theory")
        left.set_xlabel("ln(1/Temp)")
        left.set_ylabel("mean escape time")
    else:
        left.axis("off")
    left.legend()
    right.semilogx(temps, [number(r["escapeProbability"]) for r in rows], "o", label="measured")
    predicted = [number(r["theoryEscapeProbability"]) for r in rows]
    if any(not math.isnan(p) for p in predicted):
        right.semilogx(temps, predicted, "-", label="theory")
    right.set_xlabel("temperature (annealing: the constant c)")
    right.set_ylabel("escape probability")
    right.set_ylim(-0.05, 1.05)
    right.legend()
    save_figure(figure, folder, "escape.png")


if __name__ == "__main__":
    main(sys.argv[1])
