#!/usr/bin/env python3
"""make bench-langevin: one step of the Langevin flow of the training action (issue 14 §5) against
(a) one full-batch gradient of the same network in the same run (target: step <= 1.5 x gradient, plus
the transforms) and (b) one SGLD step of the same ResNet in PyTorch on the CPU, same width, depth and
(full) batch (targets: >= 5x faster at width 4, >= 1.5x at width 64)."""
import json
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
swift = [json.loads(l) for l in subprocess.run([str(HERE / ".build/release/BenchLangevin")], check=True,
                                                capture_output=True, text=True).stdout.splitlines()]
torch = [json.loads(l) for l in subprocess.run([sys.executable, str(HERE / "sgld_torch.py")], check=True,
                                                capture_output=True, text=True).stdout.splitlines()]
failures = 0
for s, t, target in zip(swift, torch, (5, 1.5)):
    overhead = s["langevinStepSeconds"] / s["gradientSeconds"]
    speedup = t["sgldStepSeconds"] / s["langevinStepSeconds"]
    print(f"{s['name']} ({s['samples']} samples, {s['parameters']} parameters)")
    print(f"  full-batch gradient        : {1e3 * s['gradientSeconds']:.3f} ms")
    print(f"  Langevin step (SPDE engine): {1e3 * s['langevinStepSeconds']:.3f} ms   step/gradient {overhead:.2f}   (target <= 1.5)   "
          f"{'met' if overhead <= 1.5 else 'NOT met'}")
    discrete = s["discreteLangevinStepSeconds"] / s["actionGradientSeconds"]
    print(f"  gradient of A_h, r_f=1     : {1e3 * s['actionGradientSeconds']:.3f} ms   ({s['discreteUnknowns']} unknowns with the states; "
          f"{s['actionGradientSeconds'] / s['gradientSeconds']:.2f}x the ResNet loss's gradient)")
    print(f"  Langevin step of A_h       : {1e3 * s['discreteLangevinStepSeconds']:.3f} ms   step/gradient of A_h {discrete:.2f}   "
          f"(target <= 1.5)   {'met' if discrete <= 1.5 else 'NOT met'}")
    failures += discrete > 1.5
    print(f"  PyTorch SGLD step          : {1e3 * t['sgldStepSeconds']:.3f} ms ({t['implementation']}, {t['threads']} threads)")
    print(f"  PyTorch / package          : {speedup:.2f}x   (target >= {target})   {'met' if speedup >= target else 'NOT met'}")
    failures += (overhead > 1.5) + (speedup < target)
sys.exit(1 if failures else 0)
