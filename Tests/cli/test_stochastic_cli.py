"""Command-line contract of `deepest sde` and `deepest spde`: JSON keys, exact values, one-line errors.
The numerics are tested in Tests/StochasticTests; here the sample statistics are only checked against
the exact values they report, within 5 standard errors."""
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("DEEPEST", os.path.join(ROOT, ".build", "release", "deepest"))


def run(*args):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=300)


def one_line_failure(result):
    assert result.returncode != 0, result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_sde_json_has_the_documented_keys_and_matches_the_exact_moments():
    result = run("sde", "--problem", "ou", "--scheme", "em", "--paths", "4000", "--dt", "0.01",
                 "--horizon", "1", "--seed", "5", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for key in ("problem", "scheme", "paths", "mean", "variance", "stderr", "exactMean", "exactVariance", "seconds"):
        assert key in report
    assert abs(report["mean"] - report["exactMean"]) < 5 * report["stderr"]


def test_spde_json_reports_the_energy_and_its_exact_value():
    result = run("spde", "--problem", "heat", "--scheme", "exponential-euler", "--modes", "32", "--dt", "0.01",
                 "--horizon", "0.5", "--paths", "400", "--seed", "2", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for key in ("meanEnergy", "stderr", "exactEnergy", "seconds"):
        assert key in report
    assert abs(report["meanEnergy"] - report["exactEnergy"]) < 5 * report["stderr"]


def test_bad_stochastic_input_fails_on_one_line():
    assert "--paths" in one_line_failure(run("sde", "--paths", "0"))
    assert "--dt" in one_line_failure(run("sde", "--dt", "0"))
    assert "--dt" in one_line_failure(run("sde", "--dt", "3", "--horizon", "1"))
    assert "commutative" in one_line_failure(run("sde", "--problem", "noncommutative", "--scheme", "milstein"))
    assert "--paths" in one_line_failure(run("spde", "--paths", "-1"))
    assert "scheme" in one_line_failure(run("spde", "--scheme", "euler"))
