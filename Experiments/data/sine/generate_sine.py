#!/usr/bin/env python3
"""The sine regression toy problem of Li, Chen, Tai & E (JMLR 18, 2018; E-MSA): y = sin(x) with
x uniform on [-pi, pi], 100 training and 100 test points, from Python's Mersenne twister with seed
20261123. The network lifts x to 5 nodes by replication. Writes train.csv and test.csv (x,y)."""
import math
import pathlib
import random
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from csv_rows import write_rows  # noqa: E402

SEED = 20261123
COUNT = 100


def sample(rng):
    xs = [rng.uniform(-math.pi, math.pi) for _ in range(COUNT)]
    return [(x, math.sin(x)) for x in xs]


def write(path, rows):
    write_rows(path, ("x", "y"), rows)


if __name__ == "__main__":
    here = pathlib.Path(__file__).resolve().parent
    rng = random.Random(SEED)
    write(here / "train.csv", sample(rng))
    write(here / "test.csv", sample(rng))
