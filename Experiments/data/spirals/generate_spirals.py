#!/usr/bin/env python3
"""Two-spirals ("swiss roll") data set of Haber & Ruthotto (Inverse Problems 34, 2018, Sec. 6.2),
rebuilt from the description of their Meganet.m setup: 513 equally spaced angles on [0, 4*pi],
class 0 on radii linspace(0, 1), class 1 on radii linspace(0.2, 1.2); the 1026 points are stacked
(class 0 first) and rows with odd 1-based index form the training set, even ones the validation set.
Deterministic: no randomness. Writes train.csv and validation.csv (x1,x2,label)."""
import math
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from csv_rows import write_rows  # noqa: E402

ANGLES = 513


def points():
    rows = []
    for label, (r0, r1) in enumerate([(0.0, 1.0), (0.2, 1.2)]):
        for i in range(ANGLES):
            t = 4 * math.pi * i / (ANGLES - 1)
            r = r0 + (r1 - r0) * i / (ANGLES - 1)
            rows.append((r * math.cos(t), r * math.sin(t), label))
    return rows


def write(path, rows):
    write_rows(path, ("x1", "x2", "label"), rows)


if __name__ == "__main__":
    here = pathlib.Path(__file__).resolve().parent
    rows = points()
    write(here / "train.csv", rows[0::2])       # 1-based odd indices 1, 3, 5, ...
    write(here / "validation.csv", rows[1::2])  # 1-based even indices
