"""Bad input over every command of the real binary, table-driven. The contract (README, "Command
line"): invalid input exits 2 with ONE stderr line that names the option (or config key, or file) the
user typed, before any work and without any result file; a run that finishes without success exits 3
with one line, its results written with the status. Nothing may crash (exit >= 128 or a signal)."""
import json
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.abspath(os.environ.get("DEEPEST", os.path.join(ROOT, ".build", "release", "deepest")))
INVALID, NUMERICAL = 2, 3
BIG = "9223372036854775807"

# Input files, written by the `inputs` fixture: name -> text. "{inputs}" in an argument is their folder.
FILES = {
    "nan.csv": "x,y\n1,0\n2,nan\n3,1\n4,1\n",
    "ragged.csv": "x,y\n1,0\n2\n3,1\n4,1\n",
    "one-class.csv": "x,y\n1,0\n2,0\n3,0\n4,0\n5,0\n6,0\n",
    "text.csv": "x,y\n1,0\n2,abc\n3,1\n",
    "empty.csv": "",
    "header-only.csv": "x,y\n",
    "small.csv": "x,y\n" + "".join(f"{i / 10},{i % 2}\n" for i in range(20)),
    "bad-key.yaml": "dataset: circles\nlearning-rate: 3\n",
    "bad-layers.yaml": "dataset: circles\nlayers: many\n",
    "bad-flag.yaml": "dataset: circles\nantisymmetric: 3\n",
    "list.yaml": "- dataset\n- circles\n",
    "invalid.yaml": "dataset: [circles\n",
    "stages-empty.yaml": "dataset: circles\nstages: []\n",
    "stages-type.yaml": "dataset: circles\nstages:\n  - type: newton\n",
    "stages-key.yaml": "dataset: circles\nstages:\n  - type: adam\n    speed: 3\n",
    "stages-epochs.yaml": "dataset: circles\nstages:\n  - type: adam\n    epochs: 1000000000\n",
    "stages-intervals.yaml": "dataset: circles\nstages:\n  - type: reduced-action\n    intervals: 1000000000\n",
    "stages-refinement.yaml": "dataset: circles\nstages:\n  - type: discrete-annealing\n    refinement: 100000\n",
    "stages-batch.yaml": f"dataset: circles\nstages:\n  - type: sgd\n    batch: {BIG}\n",
    "deep.yaml": "dataset: circles\nstages:\n" + "".join("  " * i + "- \n" for i in range(1, 60)),
    "deep-flow.yaml": "dataset: " + "[" * 100000 + "]" * 100000 + "\n",
    "laughs.yaml": "stages: &a [" + ",".join(['"x"'] * 9) + "]\n"
                   + "".join(f"k{i}: &l{i} [" + ",".join([f"*{'a' if i == 1 else f'l{i - 1}'}"] * 9) + "]\n" for i in range(1, 10)),
    "big.yaml": "dataset: circles\n#" + "x" * (1 << 20) + "\n",
    "lr.yaml": "dataset: circles\nlr: -1\n",
}

CASES = []


def case(command, args, code, needle):
    CASES.append(pytest.param(command, list(args), code, needle, id=f"{command} {' '.join(args)}"[:90]))


# --- sde -------------------------------------------------------------------------------------------
for value in ("0", "-5", "1000000000000", BIG, "x", "1.5"):
    case("sde", ["--paths", value], INVALID, "--paths")
for value in ("0", "-1", "nan", "inf", "0.3", "2", "1e-12"):
    case("sde", ["--dt", value], INVALID, "--dt")
for value in ("0", "-1", "nan", "inf"):
    case("sde", ["--horizon", value], INVALID, "--horizon")
case("sde", ["--horizon", "1e308", "--dt", "1e300"], INVALID, "--dt")
for value in ("-1", "nan", "inf"):
    case("sde", ["--volatility", value], INVALID, "--volatility")
case("sde", ["--growth", "nan"], INVALID, "--growth")
case("sde", ["--problem", "ou", "--growth", "1"], INVALID, "--growth")
for value in ("0", "-1", "nan"):
    case("sde", ["--problem", "ou", "--rate", value], INVALID, "--rate")
case("sde", ["--problem", "gbm", "--rate", "1"], INVALID, "--rate")
for value in ("0", "-1", "nan"):
    case("sde", ["--start", value], INVALID, "--start")
case("sde", ["--problem", "ou", "--start", "inf"], INVALID, "--start")
case("sde", ["--scheme", "rk4"], INVALID, "--scheme")
case("sde", ["--problem", "brownian"], INVALID, "--problem")
case("sde", ["--problem", "noncommutative", "--scheme", "milstein"], INVALID, "--scheme")
case("sde", ["--problem", "gbm", "--scheme", "semi-implicit"], INVALID, "--scheme")
case("sde", ["--seed", "-1"], INVALID, "--seed")
case("sde", ["--format", "yaml"], INVALID, "--format")
case("sde", ["--max-memory", "0"], INVALID, "--max-memory")
case("sde", ["--max-memory", "lots"], INVALID, "--max-memory")
case("sde", ["--max-work", "0"], INVALID, "--max-work")
case("sde", ["--paths", "100000", "--max-memory", "1K"], INVALID, "--paths")
case("sde", ["--paths", "100000", "--max-work", "1000"], INVALID, "--paths")
case("sde", ["--no-such-option", "1"], INVALID, "--no-such-option")

# --- spde ------------------------------------------------------------------------------------------
for value in ("0", "-1", "1000000000", BIG, "x"):
    case("spde", ["--modes", value], INVALID, "--modes")
for value in ("0", "-1", BIG):
    case("spde", ["--paths", value], INVALID, "--paths")
for value in ("0", "-0.1", "0.3", "nan"):
    case("spde", ["--dt", value], INVALID, "--dt")
for value in ("0", "nan", "-2"):
    case("spde", ["--horizon", value], INVALID, "--horizon")
for value in ("-1", "nan", "inf"):
    case("spde", ["--sigma", value], INVALID, "--sigma")
# α = 0 (no smoothing) and λ < 0 (linear growth) are valid equations.
for value in ("-1", "nan"):
    case("spde", ["--diffusivity", value], INVALID, "--diffusivity")
for value in ("nan", "inf"):
    case("spde", ["--decay", value], INVALID, "--decay")
case("spde", ["--scheme", "euler"], INVALID, "--scheme")
case("spde", ["--boundary", "robin"], INVALID, "--boundary")
case("spde", ["--problem", "burgers", "--boundary", "neumann"], INVALID, "--boundary")
case("spde", ["--dimension", "3"], INVALID, "--dimension")
case("spde", ["--modes-y", "8"], INVALID, "--modes-y")
case("spde", ["--dimension", "2", "--modes-y", "0"], INVALID, "--modes-y")
case("spde", ["--dimension", "2", "--boundary-y", "mixed"], INVALID, "--boundary-y")
case("spde", ["--length", "-1"], INVALID, "--length")
case("spde", ["--noise", "pink"], INVALID, "--noise")
case("spde", ["--noise", "trace-class", "--regularity", "-1"], INVALID, "--regularity")
case("spde", ["--cutoff", "0"], INVALID, "--cutoff")
case("spde", ["--scheme", "milstein"], INVALID, "--scheme")
case("spde", ["--multiplicative", "cubic"], INVALID, "--multiplicative")
case("spde", ["--problem", "allen-cahn", "--reaction", "sine"], INVALID, "--reaction")
case("spde", ["--scheme", "finite-difference", "--dimension", "2"], INVALID, "--scheme")
case("spde", ["--snapshots", "0", "--out", "/tmp/never-written"], INVALID, "--snapshots")
case("spde", ["--decay", "-2000", "--dt", "0.001"], INVALID, "--dt")
case("spde", ["--dimension", "2", "--modes", "100000", "--modes-y", "100000"], INVALID, "--modes")
case("spde", ["--reaction", "cubic"], INVALID, "--reaction")
case("spde", ["--problem", "wave"], INVALID, "--problem")
case("spde", ["--modes", "100000", "--paths", "100000"], INVALID, "--modes")

# --- bvp -------------------------------------------------------------------------------------------
case("bvp", ["--problem", "nope"], INVALID, "--problem")
case("bvp", ["--solver", "nope"], INVALID, "--solver")
case("bvp", ["--scheme", "gauss"], INVALID, "--scheme")
case("bvp", ["--solver", "shooting", "--integrator", "euler"], INVALID, "--integrator")
for value in ("0", "-1", "1", "1000000000", BIG):
    case("bvp", ["--nodes", value], INVALID, "--nodes")
for value in ("0", "100000", BIG):
    case("bvp", ["--solver", "chebyshev", "--nodes", value], INVALID, "--nodes")
for value in ("0", "-3", "1000000000", BIG):
    case("bvp", ["--solver", "shooting", "--integrator", "rk4", "--nodes", value], INVALID, "--nodes")
case("bvp", ["--solver", "multiple-shooting", "--nodes", "0"], INVALID, "--nodes")
case("bvp", ["--solver", "multiple-shooting", "--nodes", BIG], INVALID, "--nodes")
case("bvp", ["--solver", "shooting", "--nodes", "10"], INVALID, "--nodes")
for value in ("0", "-1", "nan", "inf"):
    case("bvp", ["--tol", value], INVALID, "--tol")
for value in ("0", "-1", "nan"):
    case("bvp", ["--lambda", value], INVALID, "--lambda")
case("bvp", ["--problem", "lq", "--lambda", "2"], INVALID, "--lambda")
for value in ("0", "-1", "nan"):
    case("bvp", ["--problem", "boundary-layer", "--epsilon", value], INVALID, "--epsilon")
case("bvp", ["--problem", "bratu", "--epsilon", "0.1"], INVALID, "--epsilon")
for value in ("0", "-1", "100000", BIG):
    case("bvp", ["--problem", "lq", "--dimension", value], INVALID, "--dimension")
case("bvp", ["--dimension", "3"], INVALID, "--dimension")
for value in ("0", "1e308", "nan", "-5"):
    case("bvp", ["--problem", "lq", "--horizon", value], INVALID, "--horizon")
case("bvp", ["--horizon", "2"], INVALID, "--horizon")
case("bvp", ["--problem", "lq", "--upper-branch"], INVALID, "--upper-branch")
case("bvp", ["--solver", "shooting", "--scheme", "trapezoid"], INVALID, "--scheme")
case("bvp", ["--solver", "chebyshev", "--fixed-mesh"], INVALID, "--fixed-mesh")
case("bvp", ["--solver", "collocation", "--integrator", "rk4"], INVALID, "--integrator")
for value in ("0", "-1"):
    case("bvp", ["--repeat", value], INVALID, "--repeat")
case("bvp", ["--problem", "lq", "--dimension", "2000", "--max-memory", "1M"], INVALID, "--dimension")
case("bvp", ["--lambda", "4"], NUMERICAL, "--lambda")
case("bvp", ["--lambda", "3.6", "--solver", "chebyshev"], NUMERICAL, "3.5138")

# --- converge, demo, recipes -----------------------------------------------------------------------
case("converge", ["--study", "nope"], INVALID, "--study")
case("converge", [], INVALID, "--study")
case("converge", ["--study", "chebyshev", "--format", "csv"], INVALID, "--format")
case("demo", ["--seed", "-1"], INVALID, "--seed")
case("demo", ["--seed", "x"], INVALID, "--seed")
case("demo", ["--paths", "3"], INVALID, "--paths")
case("recipes", ["--dataset", "nope"], INVALID, "--dataset")
case("recipes", ["--format", "xml"], INVALID, "--format")

# --- train and compare: options --------------------------------------------------------------------
TRAIN = [
    (["--dataset", "nope"], "--dataset"),
    ([], "--dataset"),
    (["--dataset", "circles", "--data", "{inputs}/small.csv"], "--data"),
    (["--dataset", "circles", "--method", "newton"], "--method"),
    (["--dataset", "circles", "--recipe", "newton"], "--recipe"),
    (["--dataset", "circles", "--width", "-1"], "--width"),
    (["--dataset", "circles", "--width", "10000"], "--width"),
    (["--dataset", "circles", "--width", BIG], "--width"),
    (["--dataset", "circles", "--layers", "0"], "--layers"),
    (["--dataset", "circles", "--layers", "-1"], "--layers"),
    (["--dataset", "circles", "--layers", "1000000000000"], "--layers"),
    (["--dataset", "circles", "--layers", "1e12"], "--layers"),
    (["--dataset", "circles", "--width", "4096", "--layers", "1000000"], "--layers"),
    (["--dataset", "circles", "--horizon", "0"], "--horizon"),
    (["--dataset", "circles", "--horizon", "-1"], "--horizon"),
    (["--dataset", "circles", "--horizon", "nan"], "--horizon"),
    (["--dataset", "circles", "--horizon", "inf"], "--horizon"),
    (["--dataset", "circles", "--epochs", "0"], "--epochs"),
    (["--dataset", "circles", "--epochs", "-1"], "--epochs"),
    (["--dataset", "circles", "--epochs", "1000000000"], "--epochs"),
    (["--dataset", "circles", "--epochs", "100000000"], "--epochs"),
    (["--dataset", "circles", "--batch", "0"], "--batch"),
    (["--dataset", "circles", "--batch", "-1"], "--batch"),
    (["--dataset", "circles", "--batch", BIG], "--batch"),
    (["--dataset", "circles", "--lr", "0"], "--lr"),
    (["--dataset", "circles", "--lr", "-1"], "--lr"),
    (["--dataset", "circles", "--lr", "nan"], "--lr"),
    (["--dataset", "circles", "--method", "sgd", "--momentum", "1"], "--momentum"),
    (["--dataset", "circles", "--method", "sgd", "--momentum", "-0.5"], "--momentum"),
    (["--dataset", "circles", "--method", "adam", "--momentum", "0.5"], "--momentum"),
    (["--dataset", "circles", "--tikhonov", "-1"], "--tikhonov"),
    (["--dataset", "circles", "--tikhonov", "nan"], "--tikhonov"),
    (["--dataset", "circles", "--readout-tikhonov", "-1"], "--readout-tikhonov"),
    (["--dataset", "circles", "--smoothness", "-1"], "--smoothness"),
    (["--dataset", "circles", "--samples", "-1"], "--samples"),
    (["--dataset", "circles", "--samples", "100000"], "--samples"),
    (["--dataset", "circles", "--shift", "-1"], "--shift"),
    (["--dataset", "circles", "--activation", "relu"], "--activation"),
    (["--dataset", "circles", "--lift", "fourier"], "--lift"),
    (["--dataset", "circles", "--recipe", "symplectic-euler", "--rf", "0"], "--rf"),
    (["--dataset", "circles", "--recipe", "symplectic-euler", "--rf", "-1"], "--rf"),
    (["--dataset", "circles", "--method", "sgd", "--rf", "1"], "--rf"),
    (["--dataset", "circles", "--recipe", "symplectic-euler", "--anneal-steps", "-1"], "--anneal-steps"),
    (["--dataset", "circles", "--recipe", "symplectic-euler", "--anneal-steps", "1000"], "--anneal-steps"),
    (["--dataset", "circles", "--recipe", "symplectic-euler", "--anneal-factor", "0.5"], "--anneal-factor"),
    (["--dataset", "circles", "--recipe", "collocation", "--newton-iterations", "0"], "--newton-iterations"),
    (["--dataset", "circles", "--recipe", "collocation", "--tol", "-1"], "--tol"),
    (["--dataset", "circles", "--recipe", "collocation", "--form", "euler"], "--form"),
    (["--dataset", "circles", "--recipe", "collocation", "--readout", "frozen"], "--readout"),
    (["--dataset", "circles", "--test-fraction", "0.5"], "--test-fraction"),
    (["--dataset", "circles", "--task", "regression"], "--task"),
    (["--dataset", "circles", "--seed", "-1"], "--seed"),
    (["--dataset", "circles", "--max-memory", "1K"], "--layers"),
    (["--dataset", "circles", "--out", "/etc/passwd"], "--out"),
    (["--dataset", "circles", "--out", "/proc/deepest-results"], "--out"),
    (["--data", "{inputs}/missing.csv"], "--data"),
    (["--data", "{inputs}/nan.csv"], "--data"),
    (["--data", "{inputs}/ragged.csv"], "--data"),
    (["--data", "{inputs}/one-class.csv"], "--data"),
    (["--data", "{inputs}/text.csv"], "--data"),
    (["--data", "{inputs}/empty.csv"], "--data"),
    (["--data", "{inputs}/header-only.csv"], "--data"),
    (["--data", "{inputs}/small.csv", "--test-fraction", "1.5"], "--test-fraction"),
    (["--data", "{inputs}/small.csv", "--target-column", "7"], "--target-column"),
    (["--data", "{inputs}/small.csv", "--task", "ranking"], "--task"),
    (["--config", "{inputs}/missing.yaml"], "--config"),
    (["--config", "{inputs}/bad-key.yaml"], "learning-rate"),
    (["--config", "{inputs}/bad-layers.yaml"], "layers"),
    (["--config", "{inputs}/bad-flag.yaml"], "antisymmetric"),
    (["--config", "{inputs}/list.yaml"], "list.yaml"),
    (["--config", "{inputs}/invalid.yaml"], "invalid.yaml"),
    (["--config", "{inputs}/stages-empty.yaml"], "stages"),
    (["--config", "{inputs}/stages-type.yaml"], "stages[0]"),
    (["--config", "{inputs}/stages-key.yaml"], "speed"),
    (["--config", "{inputs}/stages-epochs.yaml"], "epochs"),
    (["--config", "{inputs}/stages-intervals.yaml"], "intervals"),
    (["--config", "{inputs}/stages-refinement.yaml"], "refinement"),
    (["--config", "{inputs}/stages-batch.yaml"], "batch"),
    (["--config", "{inputs}/deep.yaml"], "deep.yaml"),
    (["--config", "{inputs}/deep-flow.yaml"], "deep-flow.yaml"),
    (["--config", "{inputs}/laughs.yaml"], "aliases"),
    (["--config", "{inputs}/big.yaml"], "big.yaml"),
    (["--config", "{inputs}/lr.yaml"], "lr"),
]
for args, needle in TRAIN:
    case("train", args, INVALID, needle)
for args, needle in TRAIN[:12] + TRAIN[17:24] + TRAIN[55:60] + TRAIN[66:70]:
    case("compare", args, INVALID, needle)
case("compare", ["--dataset", "circles", "--recipe", "sgd"], INVALID, "--recipe")
case("compare", ["--dataset", "circles", "--continuum", "adam"], INVALID, "--continuum")
case("compare", ["--dataset", "circles", "--continuum", "nope"], INVALID, "--continuum")
case("train", ["--dataset", "circles", "--method", "sgd", "--lr", "10", "--epochs", "20"], NUMERICAL, "diverged")
case("compare", ["--dataset", "circles", "--samples", "40", "--layers", "4", "--epochs", "20", "--lr", "10", "--no-figures"],
     NUMERICAL, "diverged")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    for name, text in FILES.items():
        (folder / name).write_text(text)
    return folder


@pytest.mark.parametrize("command,args,code,needle", CASES)
def test_bad_input(tmp_path, inputs, command, args, code, needle):
    args = [a.replace("{inputs}", str(inputs)) for a in args]
    work = tmp_path / "cwd"
    work.mkdir()
    out = tmp_path / "out"
    has_out = command in ("train", "compare") and "--out" not in args
    if has_out:
        args += ["--out", str(out)]
    result = subprocess.run([BINARY, command, *args], capture_output=True, text=True, timeout=120, cwd=work,
                            env={**os.environ, "DEEPEST_PYTHON": "false"})
    assert result.returncode == code, (result.returncode, result.stderr[-500:])
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr[-2000:]
    assert needle in lines[0], lines[0]
    assert os.listdir(work) == [], "no file in the working folder"
    if code == INVALID:
        assert not out.exists() or os.listdir(out) == [], "no result file for refused input"
        assert result.stdout == ""
    elif has_out:
        name = "train.json" if command == "train" else "compare.json"
        report = json.loads((out / name).read_text())
        statuses = [report["status"]] if command == "train" else [r["status"] for r in report["results"]]
        assert "diverged" in statuses
    assert [n for n in os.listdir(tmp_path) if n.startswith(".")] == [], "no staging folder left"


def test_the_table_is_large():
    assert len(CASES) >= 150
