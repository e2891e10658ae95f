"""Vectorised NumPy/SciPy peers of `deepest spde` for Experiments/bench-spde/run.py: Allen–Cahn
du = (α∆u + u − u³)dτ + σ dW with the same semi-implicit spectral Galerkin scheme, all paths at once
(arrays paths × modes), transforms by scipy.fft (pocketfft) with norm="ortho".

1-D: Neumann on (0, L), orthonormal DCT-II/III (the cosine basis, as the Swift engine).
2-D: periodic on (0, L)², the real FFT (rfft2/irfft2) with Hermitian coefficients; white noise drawn in
physical space and transformed (same law as independent real and imaginary mode increments).

Usage: python3 spde_numpy.py 1d PATHS STEPS MODES DT  |  python3 spde_numpy.py 2d PATHS STEPS MODES DT
Prints one JSON object: seconds and the mean energy.
"""
import json
import sys
import time

import numpy as np
import scipy.fft as fft


def allen_cahn_1d(paths, steps, modes, dt, alpha=0.001, length=1.0, sigma=0.1, seed=1):
    rng = np.random.default_rng(seed)
    h = length / modes
    kappa = np.pi * np.arange(modes) / length
    denominator = 1.0 + dt * alpha * kappa ** 2
    coefficients = np.zeros((paths, modes))
    # Orthonormal coefficients of the L² basis: û = √h · DCT_ortho(u); u = DCT_ortho⁻¹(û)/√h.
    root_h = np.sqrt(h)
    noise = sigma * np.sqrt(dt)
    start = time.perf_counter()
    for _ in range(steps):
        u = fft.idct(coefficients, type=2, norm="ortho", axis=1) / root_h
        drift = fft.dct(u - u ** 3, type=2, norm="ortho", axis=1) * root_h
        coefficients = (coefficients + dt * drift + noise * rng.standard_normal((paths, modes))) / denominator
    seconds = time.perf_counter() - start
    return seconds, float(np.mean(np.sum(coefficients ** 2, axis=1)))


def allen_cahn_2d(paths, steps, modes, dt, alpha=0.001, length=1.0, sigma=0.1, seed=1):
    rng = np.random.default_rng(seed)
    h = length / modes
    k = 2 * np.pi * fft.fftfreq(modes, d=h)
    kr = 2 * np.pi * fft.rfftfreq(modes, d=h)
    k2 = k[:, None] ** 2 + kr[None, :] ** 2
    denominator = 1.0 + dt * alpha * k2
    u = np.zeros((paths, modes, modes))
    # White noise of the node values: variance dt/h² per node (the J² modes each N(0, dt)).
    noise = sigma * np.sqrt(dt) / h
    start = time.perf_counter()
    for _ in range(steps):
        spectrum = fft.rfft2(u + dt * (u - u ** 3) + noise * rng.standard_normal((paths, modes, modes)), axes=(1, 2))
        u = fft.irfft2(spectrum / denominator, s=(modes, modes), axes=(1, 2))
    seconds = time.perf_counter() - start
    return seconds, float(np.mean(np.sum(u ** 2, axis=(1, 2)) * h * h))


if __name__ == "__main__":
    kind, paths, steps, modes, dt = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    run = allen_cahn_1d if kind == "1d" else allen_cahn_2d
    seconds, energy = run(paths, steps, modes, dt)
    print(json.dumps({"seconds": seconds, "meanEnergy": energy}))
