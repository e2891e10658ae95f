"""End-to-end checks of the `deepest` command line: exit codes, one-line errors, JSON keys.

Run by `make test` after the Swift suite, against the release binary it built. The numerics are
tested in the Swift suites; these tests check the contract of the tool itself.
"""
import json
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("DEEPEST", os.path.join(ROOT, ".build", "release", "deepest"))


def run(*args, timeout=300):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout)


def one_line_failure(result):
    """A failure exits non-zero and explains itself on a single stderr line."""
    assert result.returncode != 0, result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_help_lists_the_commands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("converge", "demo"):
        assert command in result.stdout


def test_unknown_study_lists_the_valid_ones():
    message = one_line_failure(run("converge", "--study", "no-such-study"))
    assert "no-such-study" in message and "valid" in message


def test_unknown_format_is_rejected():
    result = run("converge", "--study", "x", "--format", "yaml")
    assert result.returncode != 0


def json_of(*args):
    result = run(*args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_bvp_json_keys_and_accuracy_against_the_closed_form():
    report = json_of("bvp", "--problem", "bratu", "--solver", "collocation", "--tol", "1e-8")
    for key in ("problem", "solver", "status", "nodes", "iterations", "maxError", "maxResidual", "seconds"):
        assert key in report
    assert report["status"] == "success"
    assert report["maxError"] < 1e-8


def test_bvp_without_a_solution_fails_with_one_line():
    message = one_line_failure(run("bvp", "--problem", "bratu", "--solver", "collocation", "--lambda", "4"))
    assert "bratu" in message


def test_bvp_unknown_problem_lists_the_valid_ones():
    message = one_line_failure(run("bvp", "--problem", "nope", "--solver", "collocation"))
    assert "bratu" in message and "lq" in message


def test_converge_json_keys():
    report = json_of("converge", "--study", "collocation-trapezoid")
    for key in ("study", "expectedOrder", "fittedOrder", "ci95", "rows"):
        assert key in report
    lo, hi = report["ci95"]
    assert lo <= report["fittedOrder"] <= hi
    assert all({"h", "error"} <= set(row) for row in report["rows"])


def test_sde_json_keys_and_exact_moments():
    report = json_of("sde", "--problem", "ou", "--scheme", "em", "--paths", "4000", "--dt", "0.01",
                     "--horizon", "1", "--seed", "3")
    for key in ("problem", "scheme", "paths", "mean", "variance", "stderr", "exactMean", "exactVariance", "seconds"):
        assert key in report
    # Euler-Maruyama's O(dt) bias is far below 5 standard errors at dt = 0.01 with 4000 paths.
    assert abs(report["mean"] - report["exactMean"]) < 5 * report["stderr"]


def test_sde_is_reproducible_from_its_seed():
    args = ("sde", "--problem", "gbm", "--scheme", "milstein", "--paths", "500", "--dt", "0.01", "--horizon", "1",
            "--seed", "11")
    first, second = json_of(*args), json_of(*args)
    assert first["mean"] == second["mean"] and first["variance"] == second["variance"]


@pytest.mark.parametrize("args", [
    ("sde", "--problem", "ou", "--scheme", "em", "--paths", "0", "--dt", "0.01", "--horizon", "1", "--seed", "1"),
    ("sde", "--problem", "ou", "--scheme", "em", "--paths", "10", "--dt", "2", "--horizon", "1", "--seed", "1"),
    ("spde", "--problem", "heat", "--modes", "0", "--dt", "0.01", "--horizon", "1", "--paths", "4", "--seed", "1"),
    ("train", "--dataset", "no-such-data", "--method", "adam"),
    ("train", "--dataset", "sine", "--method", "no-such-method"),
])
def test_bad_input_is_one_line_and_non_zero(args):
    one_line_failure(run(*args))
