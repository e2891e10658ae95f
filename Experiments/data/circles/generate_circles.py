#!/usr/bin/env python3
"""Two concentric noisy circles (the classic "circles" toy problem): class 0 on radius 0.5, class 1
on radius 1.0, angles uniform on [0, 2*pi), independent N(0, 0.05^2) noise on each coordinate.
400 training and 400 test points, 200 per class each, from Python's Mersenne twister with seed
20261123 (random.Random is stable across Python versions). Writes train.csv and test.csv."""
import math
import pathlib
import random
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from csv_rows import write_rows  # noqa: E402

SEED = 20261123
PER_CLASS = 200
NOISE = 0.05


def sample(rng):
    rows = []
    for label, radius in enumerate([0.5, 1.0]):
        for _ in range(PER_CLASS):
            t = rng.uniform(0, 2 * math.pi)
            rows.append((radius * math.cos(t) + rng.gauss(0, NOISE), radius * math.sin(t) + rng.gauss(0, NOISE), label))
    rng.shuffle(rows)
    return rows


def write(path, rows):
    write_rows(path, ("x1", "x2", "label"), rows)


if __name__ == "__main__":
    here = pathlib.Path(__file__).resolve().parent
    rng = random.Random(SEED)
    write(here / "train.csv", sample(rng))
    write(here / "test.csv", sample(rng))
