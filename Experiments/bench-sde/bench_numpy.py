#!/usr/bin/env python3
"""Vectorised NumPy Euler–Maruyama for dX = -X dt + 0.5 dW, X0 = 1, T = 1: 10,000 paths x 1,000 steps,
state only, normals drawn per step. Prints one JSON object: best-of-5 seconds for the whole EM run and
for drawing the same normals alone."""
import json
import time

import numpy as np

PATHS, STEPS, REPEATS = 10_000, 1_000, 5
DT = 1.0 / STEPS
SCALE = 0.5 * np.sqrt(DT)


def euler_maruyama(rng):
    x = np.ones(PATHS)
    for _ in range(STEPS):
        x += -x * DT + SCALE * rng.standard_normal(PATHS)
    return x


def normals_only(rng):
    total = 0.0
    for _ in range(STEPS):
        total += rng.standard_normal(PATHS)[0]
    return total


def best(fn):
    rng = np.random.default_rng(2026)
    fn(rng)
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = fn(rng)
        times.append(time.perf_counter() - start)
    return min(times), result


em_seconds, x = best(euler_maruyama)
normal_seconds, _ = best(normals_only)
print(json.dumps({"em": em_seconds, "normals": normal_seconds, "mean": float(np.mean(x)),
                  "numpy": np.__version__}))
