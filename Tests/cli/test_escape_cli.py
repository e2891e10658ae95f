"""`deepest escape`: the documented JSON keys and the measured laws against the theory they report
(the numerics are tested in Tests/StochasticTests/Escape)."""
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("DEEPEST", os.path.join(ROOT, ".build", "release", "deepest"))


def run(*args):
    return subprocess.run([BINARY, "escape", *args], capture_output=True, text=True, timeout=300)


def test_linear_saddle_reports_the_slope_against_theory():
    result = run("--problem", "linear-saddle", "--paths", "1000", "--seed", "3", "--format", "json")
    assert result.returncode == 0, result.stderr
    r = json.loads(result.stdout)
    for key in ("problem", "paths", "seed", "temperatures", "rows", "fittedSlope", "slopeCI95", "theorySlope", "seconds"):
        assert key in r, key
    assert len(r["rows"]) == len(r["temperatures"]) == 4
    for row in r["rows"]:
        for key in ("temperature", "meanEscapeTime", "stderr", "theoryMeanEscapeTime", "escapeProbability"):
            assert key in row, key
        assert abs(row["meanEscapeTime"] - row["theoryMeanEscapeTime"]) < 5 * row["stderr"] + 0.01 * row["theoryMeanEscapeTime"]
    assert abs(r["fittedSlope"] - r["theorySlope"]) < 0.03


def test_double_well_and_annealing_run_against_their_theory():
    r = json.loads(run("--problem", "double-well", "--temperatures", "0.1", "--paths", "400", "--format", "json").stdout)
    row = r["rows"][0]
    assert abs(row["meanEscapeTime"] - row["theoryMeanEscapeTime"]) < 4 * row["stderr"] + 0.06 * row["theoryMeanEscapeTime"]
    assert row["eyringKramers"] < row["theoryMeanEscapeTime"]
    r = json.loads(run("--problem", "annealed-double-well", "--temperatures", "0.1", "0.4", "--horizon", "100",
                       "--paths", "400", "--format", "json").stdout)
    probabilities = [row["escapeProbability"] for row in r["rows"]]
    assert probabilities[0] < probabilities[1]
    for row in r["rows"]:
        assert abs(row["escapeProbability"] - row["theoryEscapeProbability"]) < 4 * row["stderr"] + 0.05


def test_bad_escape_input_names_the_option():
    for args, option in ((["--paths", "1"], "--paths"), (["--temperatures", "0.5"], "--temperatures"),
                         (["--temperatures", "1", "1e-3"], "--temperatures"), (["--rate", "-1"], "--rate"),
                         (["--dt", "0"], "--dt"), (["--problem", "annealed-double-well", "--tilt", "0.5"], "--tilt"),
                         (["--problem", "triple-well"], "--problem")):
        result = run(*args)
        assert result.returncode == 2, (args, result.stdout)
        assert option in result.stderr, (args, result.stderr)


def test_network_saddle_reports_its_eigenvalue_and_the_escape_slope():
    result = run("--problem", "network-saddle", "--temperatures", "1e-4", "1e-6", "1e-8", "--paths", "60", "--format", "json")
    assert result.returncode == 0, result.stderr
    r = json.loads(result.stdout)
    assert r["morseIndex"] == 1
    assert r["negativeEigenvalue"] < 0
    # theory slope 1/(2λ₋) with λ₋ = −negativeEigenvalue
    assert abs(r["theorySlope"] * 2 * -r["negativeEigenvalue"] - 1) < 1e-9
    assert r["slopeCI95"][0] - 0.2 * r["theorySlope"] < r["theorySlope"] < r["slopeCI95"][1] + 0.2 * r["theorySlope"]


def test_out_writes_the_table_and_the_figure(tmp_path):
    folder = tmp_path / "escape"
    result = run("--problem", "linear-saddle", "--paths", "200", "--out", str(folder))
    assert result.returncode == 0, result.stderr
    names = sorted(os.listdir(folder))
    try:
        import matplotlib  # noqa: F401
        assert names == ["escape.csv", "escape.json", "escape.png"], names
    except ImportError:
        assert names == ["escape.csv", "escape.json"], names
    lines = (folder / "escape.csv").read_text().splitlines()
    assert len(lines) == 5 and lines[0].startswith("temperature,meanEscapeTime")
