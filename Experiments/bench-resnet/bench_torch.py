#!/usr/bin/env python3
"""PyTorch peer of the Swift benchmark: the same network (forward-Euler ResNet, tanh, optional
antisymmetric K = W - W^T - gamma I, linear readout + softmax cross-entropy), the same data, batch,
float64, SGD with momentum; times one epoch (median over repeats after a warm-up epoch).
Prints one JSON line per configuration. If PyTorch is missing, a NumPy implementation with
hand-written backprop is timed instead (implementation "numpy")."""
import csv
import json
import math
import pathlib
import sys
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parent / "data"


def load(dataset):
    if dataset == "spirals":
        rows = list(csv.reader(open(DATA / "spirals" / "train.csv")))[1:]
        x = np.array([[float(r[0]), float(r[1])] for r in rows])
        y = np.array([int(float(r[2])) for r in rows])
        return x, y, 2
    if dataset == "digits":
        rows = np.loadtxt(DATA / "digits" / "digits.csv", delimiter=",")
        # Same size as the Swift training split (1437 samples); which samples does not matter for timing.
        return rows[:1437, :64] / 16.0, rows[:1437, 64].astype(int), 10
    raise SystemExit(f"unknown dataset {dataset}")


def lift(x, width):
    out = np.zeros((x.shape[0], width))
    out[:, : x.shape[1]] = x
    return out


def run_torch(c, torch):
    torch.set_num_threads(2)
    x, y, classes = load(c["dataset"])
    x = torch.tensor(lift(x, c["width"]), dtype=torch.float64)
    y = torch.tensor(y, dtype=torch.long)
    d, n, h = c["width"], c["layers"], c["horizon"] / c["layers"]
    g = torch.Generator().manual_seed(1)
    W = torch.randn(n, d, d, generator=g, dtype=torch.float64) / math.sqrt(d)
    W.requires_grad_(True)
    b = torch.zeros(n, d, dtype=torch.float64, requires_grad=True)
    C = (torch.randn(classes, d, generator=g, dtype=torch.float64) / math.sqrt(d)).requires_grad_(True)
    cb = torch.zeros(classes, dtype=torch.float64, requires_grad=True)
    eye = torch.eye(d, dtype=torch.float64)
    opt = torch.optim.SGD([W, b, C, cb], lr=c["learningRate"], momentum=c["momentum"])
    loss_fn = torch.nn.CrossEntropyLoss()
    count = x.shape[0]

    def epoch(seed):
        perm = torch.randperm(count, generator=torch.Generator().manual_seed(seed))
        total = 0.0
        for start in range(0, count, c["batch"]):
            idx = perm[start : start + c["batch"]]
            z = x[idx]
            K = W - W.transpose(1, 2) - c["shift"] * eye if c["antisymmetric"] else W
            for layer in range(n):
                z = z + h * torch.tanh(z @ K[layer].T + b[layer])
            loss = loss_fn(z @ C.T + cb, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        return total / count

    return timed(c, epoch, f"torch {torch.__version__}", torch.get_num_threads())


def run_numpy(c):
    x, y, classes = load(c["dataset"])
    x = lift(x, c["width"])
    d, n, h = c["width"], c["layers"], c["horizon"] / c["layers"]
    rng = np.random.default_rng(1)
    W = rng.standard_normal((n, d, d)) / math.sqrt(d)
    b = np.zeros((n, d))
    C = rng.standard_normal((classes, d)) / math.sqrt(d)
    cb = np.zeros(classes)
    params = [W, b, C, cb]
    velocity = [np.zeros_like(p) for p in params]
    count = x.shape[0]

    def epoch(seed):
        perm = np.random.default_rng(seed).permutation(count)
        total = 0.0
        for start in range(0, count, c["batch"]):
            idx = perm[start : start + c["batch"]]
            B = len(idx)
            K = W - W.transpose(0, 2, 1) - c["shift"] * np.eye(d) if c["antisymmetric"] else W
            zs, acts = [x[idx]], []
            for layer in range(n):
                a = np.tanh(zs[-1] @ K[layer].T + b[layer])
                acts.append(a)
                zs.append(zs[-1] + h * a)
            logits = zs[-1] @ C.T + cb
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            total += -np.log(p[np.arange(B), y[idx]]).sum()
            p[np.arange(B), y[idx]] -= 1
            p /= B
            gC, gcb = p.T @ zs[-1], p.sum(axis=0)
            adj = p @ C
            gK, gb = np.zeros_like(W), np.zeros_like(b)
            for layer in reversed(range(n)):
                u = adj * (1 - acts[layer] ** 2) * h
                gK[layer] = u.T @ zs[layer]
                gb[layer] = u.sum(axis=0)
                adj = adj + u @ K[layer]
            gW = gK - gK.transpose(0, 2, 1) if c["antisymmetric"] else gK
            for p_, v, g_ in zip(params, velocity, [gW, gb, gC, gcb]):
                v *= c["momentum"]
                v += g_
                p_ -= c["learningRate"] * v
        return total / count

    return timed(c, epoch, f"numpy {np.__version__}", 0)


def timed(c, epoch, implementation, threads):
    times, loss = [], 0.0
    for e in range(c["repeats"] + 1):
        start = time.perf_counter()
        loss = epoch(e)
        if e > 0:
            times.append(time.perf_counter() - start)
    times.sort()
    return {"name": c["name"], "implementation": implementation, "medianEpochSeconds": times[len(times) // 2],
            "minEpochSeconds": times[0], "lastEpochLoss": loss, "threads": threads}


if __name__ == "__main__":
    configs = json.load(open(HERE / "bench_config.json"))
    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch is not installed (pip install torch); timing the NumPy implementation instead", file=sys.stderr)
    for c in configs:
        print(json.dumps(run_torch(c, torch) if torch is not None else run_numpy(c), sort_keys=True), flush=True)
