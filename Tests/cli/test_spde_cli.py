"""`deepest spde` on the semilinear engine: the documented JSON keys, exact values where a closed form
exists (linear problems in 1-D and 2-D, Burgers' mean mode), result files, and the schemes' options.
Sample statistics are compared with the exact values they report, within 5 standard errors."""
import csv
import json
import math
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("DEEPEST", os.path.join(ROOT, ".build", "release", "deepest"))


def run(*args):
    return subprocess.run([BINARY, "spde", *args], capture_output=True, text=True, timeout=300)


def report(*args):
    result = run(*args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_linear_problems_match_their_exact_energies_in_1d_and_2d():
    for args in (["--modes", "24", "--noise", "white", "--boundary", "dirichlet-neumann"],
                 ["--dimension", "2", "--modes", "8", "--modes-y", "6", "--boundary", "periodic", "--boundary-y", "neumann",
                  "--noise", "trace-class", "--regularity", "1.5"]):
        r = report("--problem", "heat", "--dt", "0.02", "--horizon", "0.4", "--paths", "2000", "--seed", "3", *args)
        for key in ("problem", "scheme", "dimension", "boundary", "modes", "paths", "steps", "seed", "meanEnergy", "stderr",
                    "exactEnergy", "exactDiscreteEnergy", "failedPaths", "seconds", "statistics"):
            assert key in r, key
        assert abs(r["meanEnergy"] - r["exactDiscreteEnergy"]) < 5 * r["stderr"], r
        # Semi-implicit damps every mode: its own expected energy is below the solution's.
        assert r["exactDiscreteEnergy"] < r["exactEnergy"]


def test_exponential_euler_has_the_exact_energy():
    r = report("--problem", "heat", "--scheme", "exponential-euler", "--dimension", "2", "--modes", "6", "--dt", "0.1",
               "--horizon", "0.5", "--paths", "2000", "--seed", "4")
    assert math.isclose(r["exactEnergy"], r["exactDiscreteEnergy"], rel_tol=1e-12)
    assert abs(r["meanEnergy"] - r["exactEnergy"]) < 5 * r["stderr"]


def test_burgers_mean_mode_is_the_integrated_noise():
    r = report("--problem", "burgers", "--modes", "64", "--dt", "0.002", "--horizon", "0.5", "--paths", "800", "--seed", "6",
               "--sigma", "0.3")
    s = r["statistics"]["meanModeSecondMoment"]
    assert abs(s["mean"] - s["exact"]) < 5 * s["stderr"], s
    # E ∫u = √L E û₀ = 0 for u₀ = sin x.
    assert abs(r["statistics"]["integral"]["mean"]) < 5 * r["statistics"]["integral"]["stderr"] + 1e-12


def test_nonlinear_problems_run_in_both_dimensions_and_have_no_exact_energy():
    for args in (["--problem", "allen-cahn", "--dimension", "2", "--modes", "16"],
                 ["--problem", "swift-hohenberg", "--modes", "64", "--sigma", "0.01"],
                 ["--problem", "heat", "--scheme", "milstein", "--multiplicative", "linear", "--initial", "1", "--modes", "16"],
                 ["--problem", "heat", "--scheme", "exponential-euler", "--multiplicative", "sine", "--initial", "1",
                  "--noise", "trace-class", "--cutoff", "4", "--modes", "16"]):
        r = report(*args, "--dt", "0.01", "--horizon", "0.2", "--paths", "20", "--seed", "7")
        assert r["failedPaths"] == 0
        assert r.get("exactEnergy") is None and r.get("exactDiscreteEnergy") is None
        assert r["meanEnergy"] > 0


def test_out_writes_the_snapshots_and_the_json_and_nothing_partial(tmp_path):
    folder = tmp_path / "run"
    r = run("--problem", "allen-cahn", "--modes", "32", "--dt", "0.01", "--horizon", "0.5", "--paths", "4",
            "--snapshots", "10", "--out", str(folder), "--no-figures")
    assert r.returncode == 0, r.stderr
    assert sorted(os.listdir(folder)) == ["snapshots.csv", "spde.json"]
    rows = list(csv.DictReader(open(folder / "snapshots.csv")))
    assert len(rows) == 11 * 32  # τ = 0 and 10 snapshots of 32 nodes
    times = sorted({float(row["tau"]) for row in rows})
    assert len(times) == 11 and all(abs(t - 0.05 * k) < 1e-12 for k, t in enumerate(times))
    assert json.load(open(folder / "spde.json"))["paths"] == 4
    assert [name for name in os.listdir(tmp_path) if name != "run"] == []


def test_out_draws_the_field_when_matplotlib_is_there(tmp_path):
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return
    folder = tmp_path / "field"
    r = run("--problem", "allen-cahn", "--dimension", "2", "--modes", "16", "--dt", "0.01", "--horizon", "0.1", "--paths", "2",
            "--out", str(folder))
    assert r.returncode == 0, r.stderr
    assert (folder / "field.png").stat().st_size > 1000


def test_finite_differences_remain_for_the_1d_heat_equation():
    r = report("--problem", "heat", "--scheme", "finite-difference", "--modes", "32", "--dt", "0.01", "--horizon", "0.5",
               "--paths", "2000", "--seed", "8")
    # The J-node scheme's energy approaches the J-mode projection's as h → 0; at J = 32 within 5%.
    assert abs(r["meanEnergy"] - r["exactEnergy"]) < 5 * r["stderr"] + 0.05 * r["exactEnergy"]
