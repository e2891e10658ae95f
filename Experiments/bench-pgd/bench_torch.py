#!/usr/bin/env python3
"""The PyTorch peer of BenchPGD: the same ResNet (weights from model.json), float64, on the CPU, and the
same l-inf PGD (no random start, step 2.5 eps/steps, sign of the input gradient of the summed
cross-entropy, projection by clamping) on the same test set.

Usage: bench_torch.py MODEL_DIR TEST_CSV STEPS EPSILON REPEATS  -> one JSON line."""
import json
import statistics
import sys
import time

import torch

torch.set_default_dtype(torch.float64)


def load(folder):
    with open(f"{folder}/model.json") as handle:
        model = json.load(handle)
    if model["kind"] != "resnet":
        sys.exit("bench_torch.py compares ResNets (a discrete or minibatch recipe's model.json)")
    d, n, m = model["width"], model["layers"], model["lift"]["inputDimension"]
    p = torch.tensor(model["parameters"])
    q = d * d + d
    kernels, biases = [], []
    for layer in range(n):
        theta = p[layer * q:(layer + 1) * q]
        w = theta[:d * d].reshape(d, d)
        if model["antisymmetric"]:
            w = w - w.T - model["shift"] * torch.eye(d)
        kernels.append(w)
        biases.append(theta[d * d:])
    outputs = model["readout"]["outputs"]
    readout = p[n * q:]
    c, bias = readout[:outputs * d].reshape(outputs, d), readout[outputs * d:]
    if model["lift"]["kind"] == "linear":
        lift = torch.tensor(model["lift"]["matrix"]).reshape(d, m)
    else:
        lift = torch.zeros(d, m)
        lift[:m, :m] = torch.eye(m)
    activation = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "softplus": torch.nn.functional.softplus}[model["activation"]]
    h = model["horizon"] / n

    def forward(inputs):
        x = inputs @ lift.T
        for k, b in zip(kernels, biases):
            x = x + h * activation(x @ k.T + b)
        return x @ c.T + bias

    return forward


def main():
    folder, path, steps, epsilon, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
    rows = [list(map(float, line.split(","))) for line in open(path) if line.strip()]
    inputs = torch.tensor([row[:-1] for row in rows])
    labels = torch.tensor([int(row[-1]) for row in rows])
    forward = load(folder)
    alpha = 2.5 * epsilon / steps

    def pgd():
        x = inputs.clone()
        for _ in range(steps):
            x.requires_grad_(True)
            loss = torch.nn.functional.cross_entropy(forward(x), labels, reduction="sum")
            (gradient,) = torch.autograd.grad(loss, x)
            with torch.no_grad():
                x = x + alpha * torch.sign(gradient)
                x = inputs + torch.clamp(x - inputs, -epsilon, epsilon)
        return x.detach()

    times = []
    for run in range(repeats + 1):
        start = time.perf_counter()
        attacked = pgd()
        if run > 0:
            times.append(time.perf_counter() - start)
    with torch.no_grad():
        accuracy = (forward(attacked).argmax(dim=1) == labels).double().mean().item()
    print(json.dumps({"implementation": f"pytorch {torch.__version__}", "samples": len(rows), "steps": steps, "epsilon": epsilon,
                      "medianSeconds": statistics.median(times), "accuracy": accuracy, "threads": torch.get_num_threads()},
                     sort_keys=True))


if __name__ == "__main__":
    main()
