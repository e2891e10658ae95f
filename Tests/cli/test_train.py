"""Contract of `deepest train` and `deepest compare`: one-line errors and the documented JSON keys."""
import json
import os
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("DEEPEST", os.path.join(ROOT, ".build", "release", "deepest"))
DATA = os.path.join(ROOT, "Experiments", "data")


def run(*args, timeout=300):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def one_line_failure(result):
    assert result.returncode != 0, result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_unknown_dataset_lists_the_valid_ones():
    message = one_line_failure(run("train", "--dataset", "mnist"))
    assert "mnist" in message and "spirals" in message and "digits" in message


def test_unknown_method_lists_the_valid_ones():
    message = one_line_failure(run("train", "--dataset", "sine", "--method", "lbfgs"))
    assert "lbfgs" in message and "collocation" in message and "adam" in message


def test_width_below_input_dimension():
    # (digits maps its 64 pixels onto `width` principal directions, so any width >= 1 is valid there)
    message = one_line_failure(run("train", "--dataset", "spirals", "--width", "1"))
    assert "width" in message and "2" in message


def test_nonpositive_model_precision():
    assert "rf" in one_line_failure(run("train", "--dataset", "sine", "--rf=0"))
    assert "rf" in one_line_failure(run("train", "--dataset", "sine", "--rf=-2"))


def test_data_file_with_nan_or_ragged_row_names_the_line(tmp_path):
    folder = tmp_path / "sine"
    shutil.copytree(os.path.join(DATA, "sine"), folder)
    lines = (folder / "train.csv").read_text().splitlines()
    lines[6] = "0.5,nan"
    (folder / "train.csv").write_text("\n".join(lines) + "\n")
    assert "line 7" in one_line_failure(run("train", "--dataset", "sine", "--data-dir", str(tmp_path)))
    lines[6] = "0.5"
    (folder / "train.csv").write_text("\n".join(lines) + "\n")
    assert "line 7" in one_line_failure(run("train", "--dataset", "sine", "--data-dir", str(tmp_path)))


def test_bad_config_key_names_the_key_and_the_allowed_ones(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("dataset: sine\nlearning-rate: 0.1\n")
    message = one_line_failure(run("train", "--config", str(config)))
    assert "learning-rate" in message and "lr" in message and "epochs" in message


def test_dense_boundary_value_methods_refuse_large_problems_in_one_line():
    for method in ("chebyshev", "multiple-shooting", "collocation"):
        message = one_line_failure(run("train", "--dataset", "spirals", "--method", method))
        assert method in message and "unknowns" in message


def test_boundary_value_methods_complete_the_annealing_rungs_on_a_tiny_problem():
    small = ["--dataset", "sine", "--samples", "3", "--width", "2", "--layers", "16", "--horizon", "0.5",
             "--smoothness", "10", "--tikhonov", "1", "--readout-tikhonov", "1", "--anneal-steps", "2",
             "--horizon-steps", "0", "--format", "json"]
    actions = {}
    for method in ("multiple-shooting", "chebyshev", "collocation"):
        result = run("train", "--method", method, *small)
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["method"] == method and report["annealingRungs"] == 3
        actions[method] = report["action"]
    # the same stationary point of the same action, to the solvers' tolerances
    assert abs(actions["multiple-shooting"] - actions["chebyshev"]) <= 1e-6 * abs(actions["chebyshev"])
    assert abs(actions["collocation"] - actions["chebyshev"]) <= 1e-4 * abs(actions["chebyshev"])


def test_train_json_keys_for_regression_and_classification(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("dataset: sine\nmethod: sgd\nepochs: 3\n")
    result = run("train", "--config", str(config), "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"dataset", "method", "trainLoss", "testRMSE", "epochs", "seconds", "gradientEvaluations"}
    result = run("train", "--dataset", "circles", "--method", "adam", "--epochs", "2", "--format", "json")
    report = json.loads(result.stdout)
    assert set(report) == {"dataset", "method", "trainLoss", "trainAccuracy", "testAccuracy", "epochs", "seconds",
                           "gradientEvaluations"}
    result = run("train", "--dataset", "sine", "--method", "symplectic-euler", "--layers", "4", "--anneal-steps", "1",
                 "--format", "json")
    report = json.loads(result.stdout)
    assert {"action", "annealingRungs"} <= set(report) and "epochs" not in report


def test_compare_prints_the_three_methods():
    result = run("compare", "--dataset", "sine", "--layers", "4", "--anneal-steps", "1", "--epochs", "2",
                 "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [r["method"] for r in report["results"]] == ["symplectic-euler", "sgd", "adam"]
