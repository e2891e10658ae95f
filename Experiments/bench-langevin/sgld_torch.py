#!/usr/bin/env python3
"""PyTorch peer of BenchLangevin: one SGLD step θ ← θ − η∇V(θ) + √(2ηT)ξ of the same forward-Euler
ResNet (tanh, linear readout, softmax cross-entropy, float64) on the full training set (the same batch
as the Langevin flow's full-batch gradient), 2 threads; median seconds per step over the configured
steps after 5 warm-up steps. Prints one JSON line per configuration of bench_config.json."""
import csv
import json
import math
import pathlib
import time

import numpy as np
import torch

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parent / "data"


def load(dataset):
    if dataset == "spirals":
        rows = list(csv.reader(open(DATA / "spirals" / "train.csv")))[1:]
        return np.array([[float(r[0]), float(r[1])] for r in rows]), np.array([int(float(r[2])) for r in rows]), 2
    rows = np.loadtxt(DATA / "digits" / "digits.csv", delimiter=",")
    return rows[:1437, :64] / 16.0, rows[:1437, 64].astype(int), 10


def main():
    torch.set_num_threads(2)
    for c in json.load(open(HERE / "bench_config.json")):
        x, y, classes = load(c["dataset"])
        d, n = c["width"], c["layers"]
        h = c["horizon"] / n
        lifted = np.zeros((x.shape[0], d))
        lifted[:, : min(d, x.shape[1])] = x[:, : min(d, x.shape[1])]
        xs = torch.tensor(lifted, dtype=torch.float64)
        ys = torch.tensor(y, dtype=torch.long)
        g = torch.Generator().manual_seed(1)
        K = (torch.randn(n, d, d, generator=g, dtype=torch.float64) / math.sqrt(d)).requires_grad_(True)
        b = torch.zeros(n, d, dtype=torch.float64, requires_grad=True)
        C = (torch.randn(classes, d, generator=g, dtype=torch.float64) / math.sqrt(d)).requires_grad_(True)
        cb = torch.zeros(classes, dtype=torch.float64, requires_grad=True)
        params = [K, b, C, cb]
        loss_fn = torch.nn.CrossEntropyLoss()
        eta, temperature = 1e-3, 1e-4
        noise = math.sqrt(2 * eta * temperature)
        times = []
        for step in range(c["steps"] + 5):
            start = time.perf_counter()
            z = xs
            for layer in range(n):
                z = z + h * torch.tanh(z @ K[layer].T + b[layer])
            loss = loss_fn(z @ C.T + cb, ys)
            for p in params:
                p.grad = None
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p.add_(-eta * p.grad + noise * torch.randn(p.shape, generator=g, dtype=torch.float64))
            if step >= 5:
                times.append(time.perf_counter() - start)
        times.sort()
        print(json.dumps({"name": c["name"], "sgldStepSeconds": times[len(times) // 2],
                          "implementation": f"torch {torch.__version__}", "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
