"""`deepest anneal` (the langevin recipe) and the Langevin stage options of `deepest train`."""
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("DEEPEST", os.path.join(ROOT, ".build", "release", "deepest"))


def run(*args):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=300)


def test_anneal_then_polish_reaches_a_certified_minimum_on_sine():
    result = run("anneal", "--dataset", "sine", "--temperature", "1e-3", "--schedule", "logarithmic", "--format", "json")
    assert result.returncode == 0, result.stderr
    r = json.loads(result.stdout)
    assert r["recipe"] == "langevin"
    assert r["status"] == "constrained-converged"
    assert r["morseIndex"] == 0 and r["smallestHessianEigenvalue"] > 0
    assert r["testRMSE"] < 0.05


def test_anneal_of_the_discrete_action_at_finite_rf(tmp_path):
    # --langevin-rf makes the Langevin stage sample the discrete action A_h with its states; its rung records r_f
    # and the model error of the annealed states, and the polish still certifies a minimum.
    folder = tmp_path / "anneal"
    result = run("anneal", "--dataset", "sine", "--langevin-rf", "10", "--langevin-steps", "500", "--out", str(folder),
                 "--format", "json")
    assert result.returncode == 0, result.stderr
    r = json.loads(result.stdout)
    assert r["status"] == "constrained-converged" and r["morseIndex"] == 0
    rows = [line.split(",") for line in (folder / "stages.csv").read_text().splitlines()]
    header = rows[0]
    langevin = next(row for row in rows[1:] if row[header.index("type")] == "langevin")
    assert float(langevin[header.index("rf")]) == 10
    assert float(langevin[header.index("modelError")]) > 0
    # The smallest Hessian eigenvalue's eigenvector, a unit vector by layer and readout.
    vector = [line.split(",") for line in (folder / "hessian-eigenvector.csv").read_text().splitlines()]
    assert vector[0] == ["block", "depth", "component", "value"]
    assert {row[0] for row in vector[1:]} == {"weight", "readout"}
    assert abs(sum(float(row[3]) ** 2 for row in vector[1:]) - 1) < 1e-9
    bad = run("anneal", "--dataset", "sine", "--langevin-rf", "0")
    assert bad.returncode == 2 and "--langevin-rf" in bad.stderr, bad.stderr
    # The pipeline-wide --rf is not the Langevin stage's: the langevin recipe has no stage that takes it.
    other = run("anneal", "--dataset", "sine", "--rf", "10")
    assert other.returncode == 2 and "--rf" in other.stderr, other.stderr


def test_langevin_options_name_themselves_when_invalid():
    for args, option in ((["--schedule", "cold"], "--schedule"), (["--temperature", "-1"], "--temperature"),
                         (["--cooling", "2"], "--cooling"), (["--langevin-steps", "0"], "--langevin-steps"),
                         (["--time-step", "0"], "--time-step"), (["--quench", "-1"], "--quench"),
                         (["--recipe", "adam"], "--recipe")):
        result = run("anneal", "--dataset", "sine", *args)
        assert result.returncode == 2, (args, result.stdout)
        assert option in result.stderr, (args, result.stderr)
    result = run("train", "--dataset", "sine", "--recipe", "adam", "--temperature", "1")
    assert result.returncode == 2 and "--temperature" in result.stderr


def test_compare_includes_the_langevin_recipe():
    result = run("compare", "--dataset", "sine", "--langevin", "--format", "json")
    assert result.returncode == 0, result.stderr
    methods = [r["method"] for r in json.loads(result.stdout)["results"]]
    assert methods == ["symplectic-euler", "langevin", "sgd", "adam"]


def test_anneal_out_writes_the_depth_heat_map(tmp_path):
    folder = tmp_path / "anneal"
    result = run("anneal", "--dataset", "sine", "--langevin-steps", "200", "--out", str(folder), "--format", "json")
    assert result.returncode == 0, result.stderr
    names = set(os.listdir(folder))
    assert {"train.json", "model.json", "stages.csv", "annealing.csv"} <= names, names
    rows = (folder / "annealing.csv").read_text().splitlines()
    assert rows[0] == "stage,tau,t,weightNorm"
    # 100 snapshots after τ = 0 (every 2 of 200 steps) of every layer, all finite and non-negative.
    layers = len({line.split(",")[2] for line in rows[1:]})
    assert len(rows) - 1 == 101 * layers
    assert all(float(line.split(",")[3]) >= 0 for line in rows[1:])
    try:
        import matplotlib  # noqa: F401
        assert "annealing.png" in names
    except ImportError:
        pass


def test_langevin_with_rf_annealing_is_a_stage_list(tmp_path):
    # Temperature and r_f annealing combined: Langevin of A_h at r_f = 1, then at r_f = 10 (from the first
    # stage's states), then the polish.
    config = tmp_path / "rf.yaml"
    config.write_text("dataset: sine\nstages:\n"
                      "  - type: langevin\n    langevin-rf: 1\n    langevin-steps: 300\n    temperature: 1e-3\n"
                      "  - type: langevin\n    langevin-rf: 10\n    langevin-steps: 300\n    temperature: 1e-4\n"
                      "  - type: lbfgs\n  - type: constrained\n")
    result = run("train", "--config", str(config), "--out", str(tmp_path / "out"), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "constrained-converged"
    rows = [line.split(",") for line in (tmp_path / "out" / "stages.csv").read_text().splitlines()]
    header = rows[0]
    langevin = [row for row in rows[1:] if row[header.index("type")] == "langevin"]
    assert [float(row[header.index("rf")]) for row in langevin] == [1.0, 10.0]
    assert all(row[header.index("status")] == "langevin-completed" for row in langevin)
