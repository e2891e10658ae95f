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
    for method in ("chebyshev", "multiple-shooting"):
        message = one_line_failure(run("train", "--dataset", "spirals", "--method", method))
        assert method in message and "unknowns" in message
    # collocation takes large problems in both forms (the structured solver), so it is not refused here


def test_boundary_value_methods_complete_the_annealing_rungs_on_a_tiny_problem():
    small = ["--dataset", "sine", "--samples", "3", "--width", "2", "--layers", "16", "--horizon", "0.5",
             "--smoothness", "10", "--tikhonov", "1", "--readout-tikhonov", "1", "--anneal-steps", "2",
             "--horizon-steps", "0", "--format", "json"]
    actions = {}
    for method in ("multiple-shooting", "chebyshev", "collocation"):
        result = run("train", "--method", method, *small)
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        # the discrete start (one rung) and the three annealing rungs
        assert report["method"] == method and report["annealingRungs"] == 4
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
    assert set(report) == {"dataset", "method", "trainLoss", "testRMSE", "epochs", "seconds", "gradientEvaluations", "status"}
    result = run("train", "--dataset", "circles", "--method", "adam", "--epochs", "2", "--format", "json")
    report = json.loads(result.stdout)
    assert set(report) == {"dataset", "method", "trainLoss", "trainAccuracy", "testAccuracy", "epochs", "seconds",
                           "gradientEvaluations", "status"}
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


def test_compare_adds_a_continuum_column_and_refuses_others():
    result = run("compare", "--dataset", "sine", "--samples", "3", "--width", "2", "--layers", "8", "--horizon", "0.5",
                 "--anneal-steps", "1", "--epochs", "2", "--continuum", "collocation", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [r["method"] for r in report["results"]] == ["symplectic-euler", "collocation", "sgd", "adam"]
    message = one_line_failure(run("compare", "--dataset", "sine", "--continuum", "adam"))
    assert "continuum" in message and "chebyshev" in message


def test_continuum_rungs_record_the_discrete_start(tmp_path):
    result = run("train", "--dataset", "sine", "--method", "collocation", "--samples", "3", "--width", "2",
                 "--layers", "8", "--horizon", "0.5", "--tikhonov", "1", "--readout-tikhonov", "1", "--anneal-steps", "1",
                 "--out", str(tmp_path), "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = (tmp_path / "rungs.csv").read_text().splitlines()
    assert rows[1].split(",")[-1].startswith("discrete-") and len(rows) == 1 + 3
    result = run("train", "--dataset", "sine", "--method", "collocation", "--samples", "3", "--width", "2",
                 "--layers", "8", "--horizon", "0.5", "--tikhonov", "1", "--readout-tikhonov", "1", "--anneal-steps", "1",
                 "--no-discrete-start", "--horizon-steps", "0", "--format", "json")
    assert result.returncode == 0 and json.loads(result.stdout)["annealingRungs"] == 2, result.stderr


def test_compare_writes_results_figures_and_report(tmp_path):
    """The result folder of a 2-D classification: every CSV, and with matplotlib the figures and report."""
    out = tmp_path / "circles"
    result = run("compare", "--dataset", "circles", "--layers", "4", "--anneal-steps", "1", "--epochs", "2",
                 "--samples", "40", "--out", str(out), "--format", "json")
    assert result.returncode == 0, result.stderr
    names = set(os.listdir(out))
    methods = ["symplectic-euler", "sgd", "adam"]
    assert {"compare.json", "compare.csv", "points.csv"} | {f"{m}-grid.csv" for m in methods} <= names
    assert {"sgd-loss.csv", "adam-loss.csv", "symplectic-euler-rungs.csv"} <= names
    assert not any(name.startswith(".") for name in names), names  # no temporary file left behind
    grid = (out / "sgd-grid.csv").read_text().splitlines()
    assert grid[0] == "x1,x2,prediction" and len(grid) == 1 + 200 * 200
    assert all(float(line.split(",")[2]) in (0.0, 1.0) for line in grid[1:])
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "matplotlib" in result.stderr
        return
    assert {"regions.png", "loss.png", "rungs.png", "report.md"} <= names
    report = (out / "report.md").read_text()
    assert all(f"| {m} |" in report for m in methods) and "![" in report


def test_compare_without_figures_writes_no_report(tmp_path):
    out = tmp_path / "sine"
    result = run("compare", "--dataset", "sine", "--layers", "4", "--anneal-steps", "1", "--epochs", "2",
                 "--out", str(out), "--no-figures")
    assert result.returncode == 0, result.stderr
    names = set(os.listdir(out))
    assert {"compare.json", "points.csv", "sgd-grid.csv"} <= names and "report.md" not in names


def test_projected_readout_gives_the_trained_readouts_stationary_point(tmp_path):
    small = ["--dataset", "sine", "--method", "chebyshev", "--samples", "3", "--width", "2", "--layers", "16",
             "--horizon", "0.5", "--smoothness", "10", "--tikhonov", "1", "--readout-tikhonov", "1",
             "--anneal-steps", "2", "--format", "json"]
    trained = run("train", *small)
    config = tmp_path / "c.yaml"
    config.write_text("readout: projected\n")
    projected = run("train", "--config", str(config), *small)
    assert trained.returncode == 0 and projected.returncode == 0, trained.stderr + projected.stderr
    a, b = json.loads(trained.stdout)["action"], json.loads(projected.stdout)["action"]
    assert abs(a - b) <= 1e-8 * abs(a)
    message = one_line_failure(run("train", "--dataset", "sine", "--method", "adam", "--readout", "projected"))
    assert "readout" in message and "adam" in message
    assert "trained, projected" in one_line_failure(run("train", "--dataset", "sine", "--readout", "lifted"))


def test_result_files_are_replaced_on_a_second_run(tmp_path):
    """Writing into a folder that already holds results replaces them atomically."""
    for _ in range(2):
        result = run("train", "--dataset", "sine", "--method", "symplectic-euler", "--layers", "4",
                     "--anneal-steps", "1", "--out", str(tmp_path), "--format", "json")
        assert result.returncode == 0, result.stderr
    names = set(os.listdir(tmp_path))
    assert {"train.json", "rungs.csv"} <= names and not any(name.startswith(".") for name in names), names
    assert json.loads((tmp_path / "train.json").read_text())["method"] == "symplectic-euler"


def test_collocation_tolerance_option_and_config_key(tmp_path):
    message = one_line_failure(run("train", "--dataset", "sine", "--method", "collocation", "--tol=-1"))
    assert "tol" in message and "-1" in message
    small = ["--dataset", "sine", "--method", "collocation", "--samples", "3", "--width", "2", "--layers", "16",
             "--horizon", "0.5", "--smoothness", "10", "--tikhonov", "1", "--readout-tikhonov", "1",
             "--anneal-steps", "1", "--horizon-steps", "0", "--format", "json"]
    config = tmp_path / "c.yaml"
    config.write_text("tol: 1.0e-8\n")
    tight = run("train", "--config", str(config), *small)
    loose = run("train", "--tol", "1e-3", *small)
    assert tight.returncode == 0 and loose.returncode == 0, tight.stderr + loose.stderr
    a, b = json.loads(tight.stdout)["action"], json.loads(loose.stdout)["action"]
    # the same stationary point, to the looser tolerance
    assert abs(a - b) <= 1e-3 * abs(a)


def test_reduced_start_options_and_config_keys(tmp_path):
    for option, value in (("--reduced-iterations", "-1"), ("--reduced-intervals", "-2")):
        message = one_line_failure(run("train", "--dataset", "sine", "--method", "collocation", f"{option}={value}"))
        assert option.lstrip("-") in message and value in message
    small = ["--dataset", "sine", "--method", "collocation", "--samples", "3", "--width", "2", "--layers", "8",
             "--horizon", "0.5", "--smoothness", "10", "--tikhonov", "1", "--readout-tikhonov", "1",
             "--rf", "1e6", "--anneal-steps", "0", "--format", "json", "--out", str(tmp_path / "run")]
    config = tmp_path / "c.yaml"
    config.write_text("reduced-iterations: 2000\nreduced-intervals: 12\n")
    result = run("train", "--config", str(config), *small)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "success"
    rows = (tmp_path / "run" / "rungs.csv").read_text().splitlines()
    # the reduced rung (β = −1), then the continuum rung; no discrete start
    assert [row.split(",")[0] for row in rows[1:]] == ["-1", "0"], rows
    assert rows[1].split(",")[-1] == "reduced-converged" and rows[2].split(",")[-1] == "success", rows
