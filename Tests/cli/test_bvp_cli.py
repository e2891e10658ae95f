"""`deepest bvp` and the boundary-value convergence studies: JSON keys, exit codes, one-line errors."""
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("DEEPEST", os.path.join(ROOT, ".build", "release", "deepest"))
KEYS = {"problem", "solver", "status", "nodes", "iterations", "maxError", "maxResidual", "seconds"}


def run(*args):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=300)


def test_every_solver_reports_the_documented_keys():
    for solver in ("shooting", "multiple-shooting", "collocation", "chebyshev"):
        result = run("bvp", "--problem", "bratu", "--solver", solver, "--format", "json")
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert set(report) == KEYS
        assert report["status"] == "success" and report["maxError"] < 1e-8


def test_unknown_problem_lists_the_valid_ones():
    result = run("bvp", "--problem", "no-such-problem")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "bratu" in lines[0] and "lq" in lines[0]


def test_failed_solve_exits_non_zero_with_one_line():
    result = run("bvp", "--problem", "bratu", "--lambda", "4", "--format", "json")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert json.loads(result.stdout)["maxError"] is None


def test_convergence_study_keys():
    result = run("converge", "--study", "collocation-lobatto3", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"study", "expectedOrder", "fittedOrder", "ci95", "rows"} <= set(report)
    assert abs(report["fittedOrder"] - 4) < 0.2 and len(report["ci95"]) == 2
