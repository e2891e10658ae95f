#!/usr/bin/env python3
"""make bench-sde: the stochastic engine against vectorised NumPy, in the same run.

Prints the OU Euler–Maruyama times (10,000 paths x 1,000 steps) of this package (both cores) and of
NumPy, the ratio NumPy/package (target >= 2), the ratio of the package's EM time to its own cost of
drawing the same 10^7 normals (target <= 1.3), GSL's ziggurat for reference, and the stochastic heat
equation (256 modes x 10,000 steps x 100 paths) with the share of time spent in the transforms; then GBM
defined with closures through the public API against the built-in OU (target <= 1.3x) and against NumPy
(target >= 3x)."""
import json
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
swift = json.loads(subprocess.run([str(HERE / ".build/release/bench-sde"), "--heat"], check=True,
                                  capture_output=True, text=True).stdout)
numpy = json.loads(subprocess.run([sys.executable, str(HERE / "bench_numpy.py")], check=True,
                                  capture_output=True, text=True).stdout)

print("OU dX = -X dt + 0.5 dW, X0 = 1, T = 1, Euler-Maruyama, 10,000 paths x 1,000 steps (best of 15)")
print(f"  package, {int(swift['workers'])} workers : {swift['ou']:.4f} s   (E X(1) = {swift['ouMean']:.5f}, exact {swift['ouExactMean']:.5f})")
print(f"  NumPy {numpy['numpy']:>8s}        : {numpy['em']:.4f} s   (E X(1) = {numpy['mean']:.5f}); its normals alone {numpy['normals']:.4f} s")
print(f"  package normals alone   : {swift['normals']:.4f} s   (xoshiro256++ ziggurat; GSL ziggurat/MT19937: {swift['gslNormals']:.4f} s)")
speedup = numpy["em"] / swift["ou"]
overhead = swift["ou"] / swift["normals"]
print(f"  NumPy / package         : {speedup:.2f}x   (target >= 2)   {'met' if speedup >= 2 else 'NOT met'}")
print(f"  package EM / its normals: {overhead:.2f}x   (target <= 1.3) {'met' if overhead <= 1.3 else 'NOT met'}")
print("GBM dX = 0.05X dt + 0.2X dW defined with closures (SDEProblem), Euler-Maruyama, 10,000 paths x 1,000 steps (best of 15)")
print(f"  package ensemble, closures per path     : {swift['gbm']:.4f} s   (E X(1) = {swift['gbmMean']:.5f}, exact {swift['gbmExactMean']:.5f})")
print(f"  package ensemble, elementwise closures  : {swift['gbmElementwise']:.4f} s   (E X(1) = {swift['gbmElementwiseMean']:.5f})")
print(f"  package solve(path:), one path per call : {swift['gbmPaths']:.4f} s   (best of 3)")
print(f"  NumPy                                   : {numpy['gbm']:.4f} s   (E X(1) = {numpy['gbmMean']:.5f})")
for label, key in (("closures per path", "gbm"), ("elementwise closures", "gbmElementwise")):
    closure = swift[key] / swift["ou"]
    versus_numpy = numpy["gbm"] / swift[key]
    print(f"  {label:21s}: GBM / built-in OU {closure:.2f}x (target <= 1.3) {'met' if closure <= 1.3 else 'NOT met'}; "
          f"NumPy / GBM {versus_numpy:.2f}x (target >= 3) {'met' if versus_numpy >= 3 else 'NOT met'}")
print("stochastic heat equation, semi-implicit spectral Galerkin with f = sin u, 256 modes x 10,000 steps x 100 paths")
print(f"  package                 : {swift['heat']:.3f} s, {100 * swift['heatTransformShare']:.1f}% of worker time in the DCT pair"
      f" (mean energy {swift['heatMeanEnergy']:.4f})")
