"""Contract of `deepest train --out` (model.json) and `deepest study`: the documented JSON keys, the
result files, and one-line errors naming the option (exit 2) for bad input."""
import csv
import json
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.abspath(os.environ.get("DEEPEST", os.path.join(ROOT, ".build", "release", "deepest")))
SMALL = ["--dataset", "circles", "--samples", "40", "--layers", "4"]


def run(*args, timeout=300, env=None):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, **(env or {})})


def failure(result, code=2):
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """A ResNet (adam) and a flow (collocation-reduced) trained on 40 circles samples, saved by train --out."""
    folder = tmp_path_factory.mktemp("models")
    paths = {}
    for recipe in ("adam", "collocation-reduced"):
        out = folder / recipe
        result = run("train", *SMALL, "--recipe", recipe, "--out", str(out), "--format", "json")
        assert result.returncode == 0, result.stderr
        paths[recipe] = out
    return paths


def test_train_out_writes_model_json_with_its_keys(models):
    for recipe, kind in (("adam", "resnet"), ("collocation-reduced", "flow")):
        model = json.loads((models[recipe] / "model.json").read_text())
        for key in ("format", "version", "kind", "width", "activation", "antisymmetric", "shift", "horizon", "lift", "readout",
                    "parameters", "recipe", "method", "dataset", "seed", "samples"):
            assert key in model, key
        assert model["kind"] == kind and model["recipe"] == recipe and model["dataset"] == "circles"
        assert ("layers" in model) == (kind == "resnet") and ("intervals" in model) == (kind == "flow")


def test_stability_of_saved_models_has_the_documented_keys(models):
    result = run("study", "stability", "--model", str(models["adam"]), "--model", str(models["collocation-reduced"]),
                 "--format", "json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["dataset"] == "circles"
    assert [r["network"] for r in summary["results"]] == ["resnet", "flow"]
    for r in summary["results"]:
        assert 0 <= r["shareOutsideStabilityRegion"] <= 1
        assert r["maxCostateNormRatio"] >= 1 >= r["minCostateNormRatio"] > 0
        assert r["largestSingularValue"] >= r["smallestSingularValue"] > 0
        assert r["samples"] == 40


def test_stability_trains_a_recipe_beside_the_baselines_and_writes_its_files(tmp_path):
    out = tmp_path / "stability"
    result = run("study", "stability", *SMALL, "--recipe", "symplectic-euler", "--baselines", "adam", "--kernels",
                 "plain,antisymmetric", "--figure-samples", "5", "--out", str(out), "--format", "json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    methods = [r["method"] for r in summary["results"]]
    assert methods == ["symplectic-euler-plain", "adam-plain", "symplectic-euler-antisymmetric", "adam-antisymmetric"]
    for name in ("stability.json", "stability.csv", "stability-eigenvalues.csv", "stability-costates.csv",
                 "stability-singular-values.csv"):
        assert (out / name).exists(), name
    with open(out / "stability.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["method"] for row in rows] == methods
    with open(out / "stability-eigenvalues.csv", newline="") as handle:
        eigen = list(csv.DictReader(handle))
    # 5 recorded samples x 4 layers x width 4 per method
    assert len(eigen) == 4 * 5 * 4 * 4
    assert {row["method"] for row in eigen} == set(methods)
    assert all(0 <= int(row["point"]) < 4 for row in eigen)


@pytest.mark.parametrize("args, needle", [
    (["--model", "/nonexistent/folder"], "--model"),
    (["--model", "MODEL", "--recipe", "sgd"], "--recipe"),
    (["--model", "MODEL", "--kernels", "plain"], "--kernels"),
    (["--dataset", "circles", "--kernels", "skew"], "--kernels"),
    (["--dataset", "circles", "--kernels", "plain,plain"], "--kernels"),
    (["--dataset", "circles", "--baselines", "lbfgs"], "--baselines"),
    (["--dataset", "circles", "--figure-samples", "-1"], "--figure-samples"),
    (["--dataset", "circles", "--recipe", "nope"], "--recipe"),
    (["--model", "MODEL", "--dataset", "sine"], "--model"),
])
def test_stability_bad_input_names_the_option(models, args, needle):
    args = [str(models["adam"]) if a == "MODEL" else a for a in args]
    assert needle in failure(run("study", "stability", *args))


@pytest.mark.parametrize("edit, key", [
    (lambda m: m.pop("layers"), "layers"),
    (lambda m: m.update(layers=0), "layers"),
    (lambda m: m.update(parameters=[1, 2]), "parameters"),
    (lambda m: m.update(activation="relu"), "activation"),
    (lambda m: m["lift"].update(kind="spline"), "lift.kind"),
    (lambda m: m.update(width="four"), "width"),
])
def test_malformed_model_files_name_the_key(models, tmp_path, edit, key):
    model = json.loads((models["adam"] / "model.json").read_text())
    edit(model)
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "model.json").write_text(json.dumps(model))
    message = failure(run("study", "stability", "--model", str(folder)))
    assert "--model" in message and f"'{key}'" in message


def test_model_file_that_is_not_json(tmp_path):
    (tmp_path / "model.json").write_text("{\"kind\": ")
    message = failure(run("study", "stability", "--model", str(tmp_path)))
    assert "--model" in message and "JSON" in message


def test_adversarial_of_saved_models_has_the_documented_keys(models, tmp_path):
    out = tmp_path / "adversarial"
    result = run("study", "adversarial", "--model", str(models["adam"]), "--model", str(models["collocation-reduced"]),
                 "--epsilons", "0,0.05,0.2", "--epsilons-l2", "0,0.1", "--steps", "5", "--bisection-steps", "4",
                 "--out", str(out), "--format", "json", env={"DEEPEST_PYTHON": "false"})
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert len(summary["results"]) == 2
    for r in summary["results"]:
        assert r["epsilons"] == [0, 0.05, 0.2] and r["epsilonsL2"] == [0, 0.1]
        assert len(r["fgsmAccuracy"]) == len(r["pgdAccuracy"]) == 3 and len(r["pgdAccuracyL2"]) == 2
        assert r["fgsmAccuracy"][0] == r["pgdAccuracy"][0] == r["cleanAccuracy"]
        assert "medianMinimalPerturbation" in r and r["maxLipschitz"] >= r["medianLipschitz"] > 0
    for name in ("adversarial.json", "adversarial.csv", "adversarial-curves.csv", "adversarial-points.csv"):
        assert (out / name).exists(), name
    with open(out / "adversarial-curves.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2 * (3 + 2) and {row["norm"] for row in rows} == {"linf", "l2"}


def test_adversarial_trains_the_recipe_and_the_baselines():
    result = run("study", "adversarial", *SMALL, "--recipe", "symplectic-euler", "--baselines", "sgd", "--steps", "3",
                 "--bisection-steps", "2", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert [r["method"] for r in json.loads(result.stdout)["results"]] == ["symplectic-euler-plain", "sgd-plain"]


@pytest.mark.parametrize("args, needle", [
    (["--dataset", "circles", "--epsilons", "0.1,-1"], "--epsilons"),
    (["--dataset", "circles", "--epsilons-l2", "a"], "--epsilons-l2"),
    (["--dataset", "circles", "--steps", "0"], "--steps"),
    (["--dataset", "circles", "--bisection-steps", "99"], "--bisection-steps"),
    (["--dataset", "circles", "--max-radius", "0"], "--max-radius"),
    (["--dataset", "sine"], "--dataset"),
    (["--model", "/nonexistent"], "--model"),
])
def test_adversarial_bad_input_names_the_option(args, needle):
    assert needle in failure(run("study", "adversarial", *args))


def test_landscape_example_writes_its_files_and_keys(tmp_path):
    out = tmp_path / "landscape"
    result = run("study", "landscape", "--resolution", "11", "--example-samples", "3", "--out", str(out), "--format", "json",
                 env={"DEEPEST_PYTHON": "false"})
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    panels = summary["example"]["panels"]
    assert [p["layers"] for p in panels] == [5, 100] and [p["stepSize"] for p in panels] == [2, 0.1]
    assert summary["networks"] == []
    with open(out / "landscape.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2 * 11 * 11 and {r["panel"] for r in rows} == {"N=5", "N=100"}
    # the stability margin is the closed form |1 + h mu| - 1 of the complex pair mu
    for r in rows[:20]:
        h = 2.0 if r["panel"] == "N=5" else 0.1
        t1, t2 = float(r["x"]), float(r["y"])
        re, im = -1.5 * (t1 + t2), 3 ** 0.5 / 2 * (t1 - t2)
        assert abs(float(r["stabilityMargin"]) - (((1 + h * re) ** 2 + (h * im) ** 2) ** 0.5 - 1)) < 1e-12


def test_landscape_of_a_saved_model(models):
    result = run("study", "landscape", "--model", str(models["collocation-reduced"]), "--resolution", "5",
                 "--direction-resolution", "5", "--format", "json")
    assert result.returncode == 0, result.stderr
    network = json.loads(result.stdout)["networks"][0]
    assert network["network"] == "flow" and network["minimumLoss"] <= network["centerLoss"] <= network["maximumLoss"]


@pytest.mark.parametrize("args, needle", [
    (["--example-layers", "5,0"], "--example-layers"),
    (["--theta-range", "3,1"], "--theta-range"),
    (["--resolution", "1"], "--resolution"),
    (["--example-samples", "0"], "--example-samples"),
    (["--direction-resolution", "1"], "--direction-resolution"),
    (["--direction-range", "-1"], "--direction-range"),
    (["--resolution", "1000", "--example-samples", "10000", "--example-layers", "100000"], "--resolution"),
])
def test_landscape_bad_input_names_the_option(args, needle):
    assert needle in failure(run("study", "landscape", *args))


def test_depth_has_the_documented_keys(tmp_path):
    out = tmp_path / "depth"
    result = run("study", "depth", "--dataset", "circles", "--samples", "40", "--layers-list", "2,4,8", "--baselines", "adam",
                 "--out", str(out), "--format", "json", env={"DEEPEST_PYTHON": "false"})
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["layers"] == [2, 4, 8]
    assert [r["method"] for r in summary["results"]] == ["symplectic-euler", "adam"]
    for r in summary["results"]:
        assert len(r["weightDistance"]) == 2 and all(d >= 0 for d in r["weightDistance"])
        assert "fittedOrder" in r and len(r["testAccuracy"]) == len(r["eulerFlowGap"]) == 3
    with open(out / "depth.csv", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 6


@pytest.mark.parametrize("args, needle", [
    (["--layers-list", "4,6"], "--layers-list"),
    (["--layers-list", "4"], "--layers-list"),
    (["--layers-list", "0,0"], "--layers-list"),
    (["--seeds", "1,x"], "--seeds"),
    (["--layers", "8"], "--layers"),
    (["--kernels", "plain"], "--kernels"),
    (["--baselines", "rmsprop"], "--baselines"),
])
def test_depth_bad_input_names_the_option(args, needle):
    assert needle in failure(run("study", "depth", "--dataset", "circles", *args))


def test_all_refuses_an_output_path_that_is_a_file(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    assert "--out" in failure(run("study", "all", "--out", str(target)))


def test_all_needs_out():
    assert "--out" in failure(run("study", "all"))


@pytest.mark.parametrize("args, complete", [
    (["stability", *SMALL, "--baselines", "adam"], {"stability.json", "stability.csv", "stability-eigenvalues.csv"}),
    (["all", "--no-figures"], {"studies.json", "stability", "depth"}),
])
@pytest.mark.parametrize("delay", [0.1, 0.6])
def test_a_signal_during_a_study_leaves_no_partial_result_folder(tmp_path, args, complete, delay):
    import signal
    import time
    out = tmp_path / "result"
    process = subprocess.Popen([BINARY, "study", *args, "--out", str(out)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, cwd=ROOT)
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=300)
    if process.returncode == 0:
        assert complete <= set(os.listdir(out))
    else:
        assert process.returncode == 128 + int(signal.SIGINT), stderr
        assert not out.exists(), os.listdir(out)
        assert [name for name in os.listdir(tmp_path) if name.startswith(".")] == [], "no staging folder left"
