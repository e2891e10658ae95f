"""What the figure scripts beside this file share: matplotlib without a display, CSV rows, and figures
written under a temporary name and renamed (no partial PNG or text, even when a run is interrupted)."""
import csv
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402,F401  (the backend must be chosen first; the scripts import plt from here)


def read_rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def save_figure(figure, folder, name):
    temporary = os.path.join(folder, f".{name}.partial.png")
    figure.savefig(temporary, dpi=110, bbox_inches="tight")
    plt.close(figure)
    os.replace(temporary, os.path.join(folder, name))
    return name


def write_text(folder, name, text):
    temporary = os.path.join(folder, f".{name}.partial")
    with open(temporary, "w") as handle:
        handle.write(text)
    os.replace(temporary, os.path.join(folder, name))
