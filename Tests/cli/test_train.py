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
             "--format", "json"]
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
    assert set(report) == {"dataset", "method", "recipe", "trainLoss", "trainMisfit", "trainSamples", "testRMSE", "epochs", "seconds", "gradientEvaluations",
                           "status", "morseIndex", "morseIndexIsLowerBound", "smallestHessianEigenvalue"}
    assert isinstance(report["morseIndex"], int) and report["morseIndex"] >= 0
    assert report["morseIndexIsLowerBound"] is False  # a dense decomposition at this size
    result = run("train", "--dataset", "circles", "--method", "adam", "--epochs", "2", "--format", "json")
    report = json.loads(result.stdout)
    assert set(report) == {"dataset", "method", "recipe", "trainLoss", "trainMisfit", "trainSamples", "trainAccuracy", "testAccuracy", "epochs", "seconds",
                           "gradientEvaluations", "status", "morseIndex", "morseIndexIsLowerBound", "smallestHessianEigenvalue"}
    result = run("train", "--dataset", "sine", "--method", "symplectic-euler-penalty", "--layers", "4", "--anneal-steps", "1",
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


def test_stages_csv_records_the_discrete_start_and_config_stages_replace_the_recipe(tmp_path):
    small = ["--dataset", "sine", "--samples", "3", "--width", "2", "--layers", "8", "--horizon", "0.5", "--tikhonov", "1",
             "--readout-tikhonov", "1", "--anneal-steps", "1", "--format", "json"]
    result = run("train", "--method", "collocation", *small, "--out", str(tmp_path / "a"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["recipe"] == "collocation-discrete"
    rows = [row.split(",") for row in (tmp_path / "a" / "stages.csv").read_text().splitlines()]
    header = rows[0]
    assert header[:6] == ["stage", "type", "stageSeconds", "stageEvaluations", "stageStatus", "epochs"] and header[-1] == "status"
    # the discrete start (one rung), no Tikhonov decade (M·λ = 3), the two annealing rungs
    assert [(r[0], r[1]) for r in rows[1:]] == [("0", "discrete-annealing"), ("1", "tikhonov-continuation"),
                                                ("2", "continuum-annealing"), ("2", "continuum-annealing")], rows
    assert rows[2][header.index("beta")] == "" and [r[header.index("beta")] for r in rows[3:]] == ["0", "1"], rows
    config = tmp_path / "stages.yaml"
    config.write_text("stages:\n  - type: continuum-annealing\n    algorithm: collocation\n")
    result = run("train", "--config", str(config), *small)
    report = json.loads(result.stdout)
    # The report is printed either way; a status other than success/converged exits 3 (numerical failure).
    succeeded = report["status"].split("-")[-1] in ("success", "converged")
    assert result.returncode == (0 if succeeded else 3), result.stderr
    assert report["annealingRungs"] == 2 and report["method"] == "custom" and report["recipe"] == "custom", report


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
    message = one_line_failure(run("train", "--dataset", "sine", "--recipe", "chebyshev", "--readout", "lifted"))
    assert "--readout" in message and "lifted" in message and "trained, projected" in message


def test_result_files_are_replaced_on_a_second_run(tmp_path):
    """Writing into a folder that already holds results replaces them atomically."""
    for _ in range(2):
        result = run("train", "--dataset", "sine", "--method", "symplectic-euler", "--layers", "4", "--out", str(tmp_path), "--format", "json")
        assert result.returncode == 0, result.stderr
    names = set(os.listdir(tmp_path))
    assert {"train.json", "rungs.csv"} <= names and not any(name.startswith(".") for name in names), names
    assert json.loads((tmp_path / "train.json").read_text())["method"] == "symplectic-euler"


def test_collocation_tolerance_option_and_config_key(tmp_path):
    message = one_line_failure(run("train", "--dataset", "sine", "--method", "collocation", "--tol=-1"))
    assert "tol" in message and "-1" in message
    small = ["--dataset", "sine", "--method", "collocation", "--samples", "3", "--width", "2", "--layers", "16",
             "--horizon", "0.5", "--smoothness", "10", "--tikhonov", "1", "--readout-tikhonov", "1",
             "--anneal-steps", "1", "--format", "json"]
    config = tmp_path / "c.yaml"
    config.write_text("tol: 1.0e-8\n")
    tight = run("train", "--config", str(config), *small)
    loose = run("train", "--tol", "1e-3", *small)
    assert tight.returncode == 0 and loose.returncode == 0, tight.stderr + loose.stderr
    a, b = json.loads(tight.stdout)["action"], json.loads(loose.stdout)["action"]
    # the same stationary point, to the looser tolerance
    assert abs(a - b) <= 1e-3 * abs(a)


def test_reduced_stage_options_in_a_config_and_their_errors(tmp_path):
    config = tmp_path / "bad.yaml"
    for stage, message_parts in (("  - type: reduced-action\n    iterations: -1\n", ["stages[0].iterations", "-1"]),
                                 ("  - type: reduced-action\n    interval: 3\n", ["interval", "reduced-action", "intervals"]),
                                 ("  - type: simulated-annealing\n", ["simulated-annealing", "langevin", "continuum-annealing", "sgd"])):
        config.write_text("dataset: sine\nstages:\n" + stage)
        message = one_line_failure(run("train", "--config", str(config)))
        assert all(part in message for part in message_parts), message
    small = ["--dataset", "sine", "--samples", "3", "--width", "2", "--layers", "8", "--horizon", "0.5", "--smoothness", "10",
             "--tikhonov", "1", "--readout-tikhonov", "1", "--format", "json", "--out", str(tmp_path / "run")]
    config = tmp_path / "c.yaml"
    config.write_text("recipe: collocation-reduced\nstages:\n  - type: reduced-action\n    iterations: 2000\n    intervals: 12\n"
                      "  - type: continuum-annealing\n    rf: 1e6\n    anneal-steps: 0\n")
    result = run("train", "--config", str(config), *small)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "success"
    rows = [row.split(",") for row in (tmp_path / "run" / "stages.csv").read_text().splitlines()]
    # the reduced rung (r_f = ∞), then the continuum rung at r_f = 1e6; no discrete start
    assert [r[1] for r in rows[1:]] == ["reduced-action", "continuum-annealing"], rows
    assert rows[1][-1] == "reduced-converged" and rows[2][-1] == "success", rows
    assert rows[1][rows[0].index("rf")] == "inf" and float(rows[2][rows[0].index("rf")]) == 1e6, rows


def test_recipes_lists_every_recipe_and_stage_type():
    result = run("recipes", "--dataset", "spirals", "--format", "json")
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    names = [r["name"] for r in listing["recipes"]]
    assert names == ["symplectic-euler", "symplectic-euler-penalty", "collocation-reduced", "collocation-discrete", "collocation-continuation",
                     "multiple-shooting", "chebyshev", "langevin", "sgd", "adam"]
    types = {t["type"]: t["options"] for t in listing["stageTypes"]}
    assert set(types) == {"discrete-annealing", "constrained", "lbfgs", "reduced-action", "tikhonov-continuation",
                          "horizon-continuation", "continuum-annealing", "langevin", "sgd", "adam"}
    for recipe in listing["recipes"]:
        for stage in recipe["stages"]:
            assert set(stage["options"]) <= set(types[stage["type"]]), (recipe["name"], stage)
    assert listing["aliases"] == {"collocation": "collocation-reduced"}
    sgd = next(r for r in listing["recipes"] if r["name"] == "sgd")
    assert sgd["stages"][0]["options"] == {"epochs": "400", "batch": "32", "lr": "0.005", "momentum": "0.9"}


def test_an_option_that_no_stage_takes_is_an_error_and_the_start_flags_are_gone():
    message = one_line_failure(run("train", "--dataset", "sine", "--recipe", "symplectic-euler", "--epochs", "3"))
    assert "--epochs" in message and "symplectic-euler" in message and "lbfgs, constrained" in message
    for flag in ("--discrete-start", "--reduced-iterations=3", "--constrained-iterations=3", "--horizon-steps=2", "--reproject"):
        message = one_line_failure(run("train", "--dataset", "sine", flag))
        assert flag.split("=")[0] in message, message


def test_user_data_trains_through_any_recipe(tmp_path):
    """A CSV of the user's own (CRLF line ends, a header, the label in the first column) with a seeded split."""
    rows = [line.split(",") for line in open(os.path.join(DATA, "circles", "train.csv")).read().splitlines()[1:]]
    data = tmp_path / "rings.csv"
    data.write_bytes(("label,x,y\r\n" + "".join(f"{r[2]},{r[0]},{r[1]}\r\n" for r in rows)).encode())
    result = run("train", "--data", str(data), "--target-column", "1", "--recipe", "adam", "--epochs", "5", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["dataset"] == "rings" and "testAccuracy" in report and "testRMSE" not in report, report
    result = run("train", "--data", str(data), "--target-column", "1", "--task", "regression", "--recipe", "symplectic-euler",
                 "--layers", "4", "--samples", "40", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "testRMSE" in json.loads(result.stdout)
    for args, parts in ((["--target-column", "9"], ["--target-column", "9"]), (["--test-fraction", "1.5"], ["test-fraction"]),
                        (["--dataset", "sine"], ["--dataset", "--data"])):
        message = one_line_failure(run("train", "--data", str(data), *args))
        assert all(part in message for part in parts), message
    message = one_line_failure(run("train", "--dataset", "sine", "--test", str(data)))
    assert "--test" in message and "--data" in message
