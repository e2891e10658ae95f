#!/usr/bin/env python3
"""make bench-bvp: this package's collocation (deepest bvp) against scipy.integrate.solve_bvp, side by side.

Both solvers get analytic Jacobians, the same tolerance and the same initial guess (Bratu: zero on 11
nodes; LQ: zero on 11 nodes). Times are the fastest of several solves (solve time only: the Swift side
reports its own solve time, the SciPy side is timed around solve_bvp). Max errors are measured on the
same uniform grid of 401 points against exact solutions computed here independently (Bratu's closed
form; LQ from exact interval propagators e^{M dt} and the boundary conditions, a sparse linear solve).
A second table measures the cost of one fixed-mesh collocation solve against the number of intervals
and fits the slope of log(time) on log(intervals) (1 = linear cost).
"""
import json
import math
import os
import subprocess
import sys
import time

import numpy as np
import scipy.linalg
import scipy.sparse
import scipy.sparse.linalg
from scipy.integrate import solve_bvp
from scipy.optimize import brentq

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEEPEST = os.path.join(ROOT, ".build", "release", "deepest")
GRID = np.linspace(0.0, 1.0, 401)


def deepest(*arguments):
    out = subprocess.run([DEEPEST, "bvp", "--format", "json", *arguments], capture_output=True, text=True,
                         env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "{}"
    return json.loads(line)


def best_time(function, repeats):
    best, result = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


# ---- Bratu --------------------------------------------------------------------------------------
def bratu_exact(t, lam=1.0):
    c = math.sqrt(2 * lam)
    theta = brentq(lambda x: x - c * math.cosh(x / 4), 0.0, 4 * math.asinh(4 / c))
    u = (t - 0.5) * theta / 2
    return np.vstack([-2 * np.log(np.cosh(u) / math.cosh(theta / 4)), -theta * np.tanh(u)])


def scipy_bratu(tol):
    lam = 1.0
    fun = lambda t, y: np.vstack([y[1], -lam * np.exp(y[0])])

    def fun_jac(t, y):
        j = np.zeros((2, 2, t.size))
        j[0, 1] = 1
        j[1, 0] = -lam * np.exp(y[0])
        return j

    bc = lambda ya, yb: np.array([ya[0], yb[0]])
    bc_jac = lambda ya, yb: (np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[0.0, 0.0], [1.0, 0.0]]))
    x = np.linspace(0, 1, 11)
    y = np.zeros((2, x.size))
    return solve_bvp(fun, bc, x, y, fun_jac=fun_jac, bc_jac=bc_jac, tol=tol, max_nodes=100000)


# ---- LQ -----------------------------------------------------------------------------------------
def lq_matrices(n):
    i = np.arange(n)[:, None]
    j = np.arange(n)[None, :]
    a = np.sin((i + 1) * (j + 2)) / math.sqrt(n) - 1.5 * (i == j)
    m = np.block([[a, -np.eye(n)], [-np.eye(n), -a.T]])
    return a, m


def lq_exact(n, horizon, grid):
    """y at the uniform grid: y_{k+1} = e^{M dt} y_k with x(0) = 1, p(T) = x(T) (sparse solve)."""
    _, m = lq_matrices(n)
    size = 2 * n
    k = grid.size - 1
    e = scipy.linalg.expm(m * horizon / k)
    data = scipy.sparse.lil_matrix(((k + 1) * size, (k + 1) * size))
    data[:n, :n] = np.eye(n)
    for s in range(k):
        r0 = n + s * size
        data[r0:r0 + size, s * size:(s + 1) * size] = e
        data[r0:r0 + size, (s + 1) * size:(s + 2) * size] = -np.eye(size)
    last = n + k * size
    data[last:last + n, k * size:k * size + n] = -np.eye(n)
    data[last:last + n, k * size + n:k * size + 2 * n] = np.eye(n)
    rhs = np.zeros((k + 1) * size)
    rhs[:n] = 1
    y = scipy.sparse.linalg.spsolve(data.tocsc(), rhs)
    return y.reshape(k + 1, size).T


def scipy_lq(n, tol, horizon=5.0):
    a, m = lq_matrices(n)
    fun = lambda t, y: m @ y

    def fun_jac(t, y):
        return np.broadcast_to(m[:, :, None], (2 * n, 2 * n, t.size))

    def bc(ya, yb):
        return np.concatenate([ya[:n] - 1, yb[n:] - yb[:n]])

    ja = np.zeros((2 * n, 2 * n))
    ja[:n, :n] = np.eye(n)
    jb = np.zeros((2 * n, 2 * n))
    jb[n:, :n] = -np.eye(n)
    jb[n:, n:] = np.eye(n)
    bc_jac = lambda ya, yb: (ja, jb)
    x = np.linspace(0, horizon, 11)
    y = np.zeros((2 * n, x.size))
    return solve_bvp(fun, bc, x, y, fun_jac=fun_jac, bc_jac=bc_jac, tol=tol, max_nodes=100000)


def load_average():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main():
    repeats = int(os.environ.get("BENCH_REPEATS", "5"))
    print(f"load average (1, 5, 15 min) at start: {load_average()}  (both sides slow down under load)")
    rows = []
    cases = [("bratu", 1e-8, None), ("lq", 1e-6, 10), ("lq", 1e-8, 10), ("lq", 1e-6, 50), ("lq", 1e-8, 50)]
    for problem, tol, n in cases:
        if problem == "bratu":
            label = "Bratu lambda=1"
            ours = deepest("--problem", "bratu", "--tol", str(tol), "--repeat", str(10 * repeats))
            seconds, solution = best_time(lambda: scipy_bratu(tol), 10 * repeats)
            exact = bratu_exact(GRID)
            grid = GRID
        else:
            label = f"LQ n={n}"
            # the fastest of r solves on each side (more for the fast cases: the machine may be shared)
            r = 20 * repeats if n == 10 else max(1, repeats // 2)
            ours = deepest("--problem", "lq", "--dimension", str(n), "--tol", str(tol), "--repeat", str(r))
            seconds, solution = best_time(lambda: scipy_lq(n, tol), r)
            grid = 5.0 * GRID
            exact = lq_exact(n, 5.0, grid)
        scipy_error = float(np.max(np.abs(solution.sol(grid) - exact)))
        rows.append({
            "case": label, "tol": tol,
            "swift_s": ours.get("seconds", math.nan), "scipy_s": seconds,
            "ratio": seconds / ours.get("seconds", math.nan),
            "swift_nodes": ours.get("nodes"), "scipy_nodes": int(solution.x.size),
            "swift_error": ours.get("maxError"), "scipy_error": scipy_error,
            "swift_status": ours.get("status"), "scipy_status": int(solution.status),
        })
    header = f"{'case':16} {'tol':>7} {'swift s':>10} {'scipy s':>10} {'ratio':>7} {'nodes':>11} {'max error swift':>16} {'max error scipy':>16}"
    print("Collocation vs scipy.integrate.solve_bvp (analytic Jacobians, same tol, same 11-node guess)")
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['case']:16} {r['tol']:7.0e} {r['swift_s']:10.3e} {r['scipy_s']:10.3e} {r['ratio']:7.1f} "
              f"{str(r['swift_nodes']) + '/' + str(r['scipy_nodes']):>11} {r['swift_error']:16.3e} {r['scipy_error']:16.3e}"
              + ("" if r["swift_status"] == "success" and r["scipy_status"] == 0 else
                 f"  (status swift {r['swift_status']}, scipy {r['scipy_status']})"))

    # Linear cost in the number of intervals: fixed meshes, LQ n=10, one Newton step (linear problem).
    print()
    print("Cost of one fixed-mesh collocation solve (lobatto3, LQ n=10) against the number of intervals")
    print(f"{'intervals':>10} {'seconds':>12} {'us/interval':>12}")
    sizes = [100, 200, 400, 800, 1600, 3200]
    times = []
    for intervals in sizes:
        ours = deepest("--problem", "lq", "--dimension", "10", "--nodes", str(intervals + 1), "--fixed-mesh",
                       "--repeat", str(2 * repeats))
        times.append(ours["seconds"])
        print(f"{intervals:10d} {ours['seconds']:12.4e} {1e6 * ours['seconds'] / intervals:12.3f}")
    slope, intercept = np.polyfit(np.log(sizes), np.log(times), 1)
    print(f"fitted slope of log(time) on log(intervals): {slope:.3f} (1 = linear cost)")
    print(f"load average (1, 5, 15 min) at end: {load_average()}")
    failed = [r["case"] for r in rows if r["swift_status"] != "success"]
    if failed:
        print("failed:", ", ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
