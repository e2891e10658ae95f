#!/usr/bin/env python3
"""make bench-spde: the semilinear SPDE engine (`deepest spde`) against vectorised NumPy/SciPy, in the
same run, with the ratios printed (issue 13 §6).

1. 1-D Allen–Cahn, Neumann, 256 modes, 100 paths, 10^4 steps, white noise, semi-implicit (target >= 3x).
2. 2-D Allen–Cahn, periodic 128 x 128, 10 paths, 10^3 steps, white noise, semi-implicit (target >= 2x).
3. The share of the package's step time spent in FFTW (target >= 1/2), from a second run of each case
   with --measure-transforms (timing every transform costs a little, so the speed runs do not measure).
The peers are Experiments/bench-spde/spde_numpy.py (scipy.fft, all paths as one array). Mean energies
of both are printed: the same scheme on independent noise, so they agree within a few standard errors.
"""
import json
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
DEEPEST = str(HERE.parent.parent / ".build/release/deepest")


def package(*arguments):
    out = subprocess.run([DEEPEST, "spde", "--problem", "allen-cahn", "--format", "json", *arguments],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def peer(*arguments):
    out = subprocess.run([sys.executable, str(HERE / "spde_numpy.py"), *map(str, arguments)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


CASES = [
    ("1-D Allen-Cahn, Neumann, 256 modes, 100 paths x 10^4 steps", 3,
     ["--modes", "256", "--paths", "100", "--dt", "1e-4", "--horizon", "1"], ("1d", 100, 10000, 256, 1e-4)),
    ("2-D Allen-Cahn, periodic 128 x 128, 10 paths x 10^3 steps", 2,
     ["--dimension", "2", "--modes", "128", "--boundary", "periodic", "--paths", "10", "--dt", "1e-3", "--horizon", "1"],
     ("2d", 10, 1000, 128, 1e-3)),
]

failures = 0
for title, target, arguments, peer_arguments in CASES:
    ours = min((package(*arguments) for _ in range(3)), key=lambda r: r["seconds"])
    theirs = min((peer(*peer_arguments) for _ in range(2)), key=lambda r: r["seconds"])
    timed = package(*arguments, "--measure-transforms")
    ratio = theirs["seconds"] / ours["seconds"]
    share = timed["transformShare"]
    print(title)
    print(f"  package (both cores, best of 3): {ours['seconds']:.3f} s   mean energy {ours['meanEnergy']:.5f} ± {ours['stderr']:.5f}")
    print(f"  NumPy/SciPy (best of 2)        : {theirs['seconds']:.3f} s   mean energy {theirs['meanEnergy']:.5f}")
    print(f"  NumPy / package                : {ratio:.2f}x   (target >= {target})   {'met' if ratio >= target else 'NOT met'}")
    print(f"  share of step time in FFTW     : {100 * share:.1f}%   (target >= 50%)   {'met' if share >= 0.5 else 'NOT met'}")
    failures += (ratio < target) + (share < 0.5)
sys.exit(1 if failures else 0)
