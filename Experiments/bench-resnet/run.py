#!/usr/bin/env python3
"""Runs the Swift benchmark binary and the PyTorch (or NumPy) peer side by side and prints, per
configuration, the median seconds per epoch of each and the ratio PyTorch / Swift (> 1: Swift faster)."""
import json
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
swift = [json.loads(l) for l in subprocess.run([str(HERE / ".build/release/BenchResNet")], check=True,
                                                capture_output=True, text=True).stdout.splitlines()]
peer = [json.loads(l) for l in subprocess.run([sys.executable, str(HERE / "bench_torch.py")], check=True,
                                               capture_output=True, text=True).stdout.splitlines()]
print(f"{'configuration':34s} {'samples':>7s} {'swift s/epoch':>14s} {'peer s/epoch':>13s} {'peer/swift':>10s}  peer")
for s, p in zip(swift, peer):
    ratio = p["medianEpochSeconds"] / s["medianEpochSeconds"]
    print(f"{s['name']:34s} {s['samples']:7d} {s['medianEpochSeconds']:14.5f} {p['medianEpochSeconds']:13.5f} "
          f"{ratio:10.2f}  {p['implementation']} ({p['threads']} threads; swift {s['threads']} workers)")
print("median over repeats after one warm-up epoch; SGD with momentum, float64, same network and batch")
