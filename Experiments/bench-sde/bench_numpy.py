#!/usr/bin/env python3
"""Vectorised NumPy Euler–Maruyama for dX = -X dt + 0.5 dW, X0 = 1, T = 1: 10,000 paths x 1,000 steps,
state only, normals drawn per step, and the same for GBM dX = 0.05X dt + 0.2X dW. Prints one JSON object:
best-of-5 seconds for the whole EM runs and for drawing the same normals alone."""
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


def gbm_euler_maruyama(rng):
    x = np.ones(PATHS)
    for _ in range(STEPS):
        x += 0.05 * x * DT + 0.2 * x * (np.sqrt(DT) * rng.standard_normal(PATHS))
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
gbm_seconds, y = best(gbm_euler_maruyama)
print(json.dumps({"em": em_seconds, "normals": normal_seconds, "mean": float(np.mean(x)),
                  "gbm": gbm_seconds, "gbmMean": float(np.mean(y)),
                  "numpy": np.__version__}))
