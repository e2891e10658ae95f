"""Checkpoint and resume (issue 17 §3) and resumable sweeps (§2): a run started with --checkpoint is
killed with SIGKILL after its first checkpoint file appears, resumed with --resume, and its JSON compared
byte for byte (timing keys aside) with an uninterrupted run; mismatched checkpoints are refused in one
line; a killed sweep resumes without re-running its finished points and merges them into one CSV."""
import csv
import glob
import json
import os
import re
import signal
import subprocess
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.abspath(os.environ.get("DEEPEST", os.path.join(ROOT, ".build", "release", "deepest")))
TIMING = re.compile(r'"(seconds|transformShare)":[-+0-9.eE]+')


def run(*args, timeout=300):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def untimed(text):
    return TIMING.sub(r'"\1":0', text)


def kill_after_first_checkpoint(args, folder):
    """Starts `args` with --checkpoint folder (pausing after each checkpoint) and SIGKILLs it once a
    checkpoint file exists; returns the names of the files left."""
    process = subprocess.Popen([BINARY, *args, "--checkpoint", str(folder), "--checkpoint-pause", "2"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    deadline = time.time() + 120
    while not glob.glob(os.path.join(folder, "*.ckpt")):
        assert process.poll() is None, ("finished before its first checkpoint", process.stderr.read())
        assert time.time() < deadline, "no checkpoint within 120 s"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    return sorted(os.listdir(folder))


SPDE = ["spde", "--problem", "allen-cahn", "--modes", "32", "--paths", "24", "--dt", "0.01", "--horizon", "0.5",
        "--seed", "3", "--format", "json"]
ANNEAL = ["anneal", "--dataset", "sine", "--samples", "40", "--langevin-steps", "200", "--temperature", "1e-3",
          "--seed", "2", "--format", "json"]


@pytest.mark.parametrize("args,every,files", [(SPDE, "6", ["spde-ensemble.ckpt"]),
                                              (ANNEAL, "40", ["stage-0-langevin.ckpt"])],
                         ids=["spde", "anneal"])
def test_killed_run_resumes_to_the_uninterrupted_json(tmp_path, args, every, files):
    plain = run(*args)
    assert plain.returncode == 0, plain.stderr
    folder = tmp_path / "checkpoints"
    assert kill_after_first_checkpoint([*args, "--checkpoint-every", every], folder) == files
    resumed = run(*args, "--checkpoint", str(folder), "--checkpoint-every", every, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert untimed(resumed.stdout) == untimed(plain.stdout)
    # The finished run's checkpoint: resuming again gives the same JSON.
    again = run(*args, "--checkpoint", str(folder), "--checkpoint-every", every, "--resume")
    assert untimed(again.stdout) == untimed(plain.stdout)


LADDER = """dataset: sine
samples: 3
width: 2
layers: 16
horizon: 0.5
smoothness: 10
tikhonov: 1
readout-tikhonov: 1
stages:
  - type: tikhonov-continuation
  - type: continuum-annealing
    anneal-steps: 3
"""


def test_killed_rung_ladder_resumes_to_the_uninterrupted_json(tmp_path):
    config = tmp_path / "ladder.yaml"
    config.write_text(LADDER)
    args = ["train", "--config", str(config), "--format", "json"]
    plain = run(*args)
    assert plain.returncode == 0, plain.stderr
    folder = tmp_path / "checkpoints"
    assert kill_after_first_checkpoint([*args, "--checkpoint-every", "1"], folder) == ["stage-1-rungs.ckpt"]
    resumed = run(*args, "--checkpoint-every", "1", "--checkpoint", str(folder), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert untimed(resumed.stdout) == untimed(plain.stdout)


def test_mismatched_checkpoint_is_refused_in_one_line(tmp_path):
    folder = tmp_path / "checkpoints"
    first = run(*SPDE, "--checkpoint", str(folder), "--checkpoint-every", "12")
    assert first.returncode == 0, first.stderr
    reordered = SPDE[:1] + SPDE[SPDE.index("--seed"):] + SPDE[1:SPDE.index("--seed")]
    accepted = run(*reordered, "--resume", "--checkpoint=" + str(folder))
    assert accepted.returncode == 0 and untimed(accepted.stdout) == untimed(first.stdout), accepted.stderr
    for option, value, words in (("--seed", "4", "seed 3, this run has 4"), ("--sigma", "0.2", "configuration hash")):
        args = list(SPDE)
        if option in args:
            args[args.index(option) + 1] = value
        else:
            args += [option, value]
        result = run(*args, "--checkpoint", str(folder), "--resume")
        assert result.returncode == 2, (option, result.stdout)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0] and "spde-ensemble.ckpt" in lines[0], result.stderr
        assert result.stdout == ""


@pytest.mark.parametrize("args,option", [(["--resume"], "--resume"), (["--checkpoint-every", "5"], "--checkpoint-every"),
                                         (["--checkpoint", "C", "--checkpoint-every", "0"], "--checkpoint-every"),
                                         (["--checkpoint", "C", "--checkpoint-every", "soon"], "--checkpoint-every")])
def test_bad_checkpoint_options_name_themselves(tmp_path, args, option):
    args = [str(tmp_path / "c") if a == "C" else a for a in args]
    result = run(*SPDE, *args)
    assert result.returncode == 2 and option in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "c").exists()
    result = run("train", "--dataset", "sine", "--recipe", "adam", "--checkpoint", str(tmp_path / "c"))
    assert result.returncode == 2 and "--checkpoint" in result.stderr and "no resumable stage" in result.stderr


SWEEP = """command: spde
options:
  problem: allen-cahn
  modes: 64
  dt: 0.001
  horizon: 0.5
  paths: 12
axes:
  seed: [1, 2, 3]
  sigma: [0.1, 0.2]
"""


def test_killed_sweep_resumes_without_rerunning_points(tmp_path):
    config = tmp_path / "sweep.yaml"
    config.write_text(SWEEP)
    out = tmp_path / "sweep"
    points = out / "points"
    process = subprocess.Popen([BINARY, "sweep", "--config", str(config), "--out", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.time() + 120
    while len(glob.glob(str(points / "point-*.json"))) < 2 and process.poll() is None:
        assert time.time() < deadline
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    time.sleep(1)  # a point running at the kill finishes on its own and writes nothing
    done = {name: os.stat(points / name).st_mtime_ns for name in os.listdir(points) if name.endswith(".json")}
    assert 2 <= len(done) <= 6
    assert not (out / "sweep.csv").exists() or process.returncode == 0
    result = run("sweep", "--config", str(config), "--out", str(out), "--jobs", "2", "--format", "json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["points"], summary["skipped"], summary["ran"], summary["failed"]) == (6, len(done), 6 - len(done), 0)
    for name, mtime in done.items():
        assert os.stat(points / name).st_mtime_ns == mtime, f"{name} was run again"
    rows = list(csv.DictReader(open(out / "sweep.csv")))
    assert [(r["point"], r["seed"], r["sigma"]) for r in rows] == [
        ("0", "1", "0.1"), ("1", "1", "0.2"), ("2", "2", "0.1"), ("3", "2", "0.2"), ("4", "3", "0.1"), ("5", "3", "0.2")]
    assert list(rows[0])[:5] == ["point", "name", "exitStatus", "seed", "sigma"] and "meanEnergy" in rows[0]
    assert all(r["exitStatus"] == "0" and r["paths"] == "12" for r in rows)
    # A row holds the point's own run.
    direct = run("spde", "--problem", "allen-cahn", "--modes", "64", "--dt", "0.001", "--horizon", "0.5", "--paths", "12",
                 "--seed", "2", "--sigma", "0.2", "--format", "json")
    assert repr(json.loads(direct.stdout)["meanEnergy"]) == rows[3]["meanEnergy"]
    record = json.load(open(points / (rows[3]["name"] + ".json")))
    assert record["axes"] == {"seed": "2", "sigma": "0.2"} and record["index"] == 3
    # A third run skips everything.
    again = json.loads(run("sweep", "--config", str(config), "--out", str(out), "--format", "json").stdout)
    assert (again["skipped"], again["ran"]) == (6, 0)


def test_shards_split_the_points_and_a_last_run_merges_them(tmp_path):
    config = tmp_path / "sweep.yaml"
    config.write_text(SWEEP.replace("paths: 12", "paths: 3"))
    out = tmp_path / "sweep"
    seen = []
    for shard in ("0/2", "1/2"):
        result = run("sweep", "--config", str(config), "--out", str(out), "--shard", shard, "--format", "json")
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        assert (summary["points"], summary["ran"], summary["skipped"]) == (6, 3, 0)
        seen.append(sorted(r["point"] for r in csv.DictReader(open(out / "sweep.csv"))))
    assert seen == [["0", "2", "4"], ["0", "1", "2", "3", "4", "5"]]
    merged = json.loads(run("sweep", "--config", str(config), "--out", str(out), "--format", "json").stdout)
    assert (merged["ran"], merged["skipped"]) == (0, 6)
    assert run("sweep", "--config", str(config), "--out", str(out), "--shard", "2/2").returncode == 2


@pytest.mark.parametrize("text,words", [
    ("command: nosuch\naxes: {seed: [1]}\n", "invalid command = nosuch"),
    ("command: spde\naxes: {tempz: [1, 2]}\n", "invalid axes.tempz"),
    ("command: spde\noptions: {pathz: 3}\naxes: {seed: [1]}\n", "invalid options.pathz"),
    ("command: spde\naxes: {seed: []}\n", "invalid axes.seed = []"),
    ("command: spde\naxes: {seed: [-1]}\n", "invalid axes.seed = -1"),
    ("command: spde\naxes: {seed: [1, 2, 3], paths: [1, 2, 3], modes: [4, 5]}\n", "above --max-points 10"),
    ("command: spde\noptions: {format: table}\n", "invalid options.format"),
    ("command: spde\nextra: 1\n", "unknown key 'extra'"),
])
def test_bad_sweep_configs_are_one_line_errors(tmp_path, text, words):
    config = tmp_path / "sweep.yaml"
    config.write_text(text)
    result = run("sweep", "--config", str(config), "--out", str(tmp_path / "out"), "--max-points", "10")
    assert result.returncode == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.stderr
    assert not (tmp_path / "out").exists()
