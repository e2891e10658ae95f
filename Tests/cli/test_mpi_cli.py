"""`deepest-mpi` under `mpirun -n 2` (and 3) against `deepest` in one process: the JSON output is byte
for byte the same once the timing keys are removed (README "MPI", Notes/mpi-shards.md); rank 0 alone
prints and writes; disagreeing ranks, commands that do not split and bad options end with one line.
Skipped when the MPI binary (built by `make test` beside deepest) or mpirun is missing."""
import json
import os
import re
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("DEEPEST", os.path.join(ROOT, ".build", "release", "deepest"))
MPI_BINARY = os.environ.get("DEEPEST_MPI_BINARY", os.path.join(os.path.dirname(os.path.abspath(BINARY)), "deepest-mpi"))
MPIRUN = shutil.which("mpirun")

pytestmark = pytest.mark.skipif(not (os.path.exists(MPI_BINARY) and MPIRUN),
                                reason="deepest-mpi or mpirun missing (make test builds deepest-mpi; apt-get install libopenmpi-dev)")

# Open MPI refuses root without both the flag and these variables.
ENVIRONMENT = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
TIMING = re.compile(r'"(seconds|transformShare)":[^,}]*,?')


def mpirun(ranks, *args, threads=1, binary=None):
    """`mpirun -n ranks deepest-mpi args` with `threads` worker threads per rank (DEEPEST_THREADS)."""
    command = [MPIRUN, "--allow-run-as-root", "--oversubscribe", "-x", "DEEPEST_THREADS", "-n", str(ranks), binary or MPI_BINARY, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=dict(ENVIRONMENT, DEEPEST_THREADS=str(threads)))


def serial(*args):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=300)


def without_timing(text):
    return TIMING.sub("", text.strip())


CASES = [
    ["sde", "--problem", "ou", "--paths", "301", "--dt", "0.01"],
    ["sde", "--problem", "gbm", "--scheme", "milstein", "--paths", "101", "--dt", "0.01", "--seed", "5"],
    ["sde", "--problem", "noncommutative", "--paths", "57", "--dt", "0.01"],
    ["spde", "--problem", "allen-cahn", "--modes", "16", "--noise", "white", "--dt", "0.01", "--horizon", "0.1", "--paths", "21", "--seed", "3"],
    ["spde", "--problem", "burgers", "--modes", "16", "--noise", "white", "--dt", "0.01", "--horizon", "0.1", "--paths", "11"],
    ["spde", "--problem", "allen-cahn", "--dimension", "2", "--modes", "8", "--boundary", "periodic", "--boundary-y", "periodic",
     "--noise", "trace-class", "--dt", "0.01", "--horizon", "0.1", "--paths", "7"],
    ["converge", "--study", "em-strong"],
    ["converge", "--study", "em-weak"],
    ["converge", "--study", "ou-stationary"],
    ["escape", "--problem", "double-well", "--paths", "40", "--temperatures", "0.2", "0.15"],
    ["escape", "--problem", "linear-saddle", "--paths", "200"],
    ["escape", "--problem", "annealed-double-well", "--paths", "100", "--temperatures", "0.1", "0.4", "--horizon", "50"],
    ["escape", "--problem", "network-saddle", "--paths", "20"],
]


@pytest.mark.parametrize("args", CASES, ids=[" ".join(c[:3]) for c in CASES])
def test_two_ranks_print_the_serial_json_byte_for_byte(args):
    one = serial(*args, "--format", "json")
    assert one.returncode == 0, one.stderr
    two = mpirun(2, *args, "--format", "json")
    assert two.returncode == 0, two.stderr
    assert two.stdout.count("\n") == 1, "rank 0 alone prints: " + two.stdout
    assert without_timing(two.stdout) == without_timing(one.stdout)


def test_any_rank_and_thread_count_and_more_ranks_than_paths():
    args = ["sde", "--problem", "gbm", "--paths", "5", "--dt", "0.1", "--format", "json"]
    expected = without_timing(serial(*args).stdout)
    for ranks, threads in ((3, 1), (2, 2)):
        result = mpirun(ranks, *args, threads=threads)
        assert result.returncode == 0, result.stderr
        assert without_timing(result.stdout) == expected, (ranks, threads)
    # 7 ranks for 5 paths: two ranks have an empty block.
    result = mpirun(7, *args)
    assert result.returncode == 0, result.stderr
    assert without_timing(result.stdout) == expected


def test_without_mpirun_it_is_one_rank():
    args = ["spde", "--problem", "heat", "--modes", "8", "--noise", "white", "--dt", "0.01", "--horizon", "0.05", "--paths", "9", "--format", "json"]
    alone = subprocess.run([MPI_BINARY, *args], capture_output=True, text=True, timeout=120, env=ENVIRONMENT)
    assert alone.returncode == 0, alone.stderr
    assert without_timing(alone.stdout) == without_timing(serial(*args).stdout)


def test_rank_zero_alone_writes_the_result_folder(tmp_path):
    args = ["spde", "--problem", "allen-cahn", "--modes", "16", "--noise", "white", "--dt", "0.01", "--horizon", "0.1", "--paths", "9",
            "--snapshots", "4", "--no-figures"]
    one, two = tmp_path / "one", tmp_path / "two"
    assert serial(*args, "--out", str(one)).returncode == 0
    result = mpirun(2, *args, "--out", str(two))
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(two)) == sorted(os.listdir(one)) == ["snapshots.csv", "spde.json"]
    assert (two / "snapshots.csv").read_bytes() == (one / "snapshots.csv").read_bytes()
    assert without_timing((two / "spde.json").read_text()) == without_timing((one / "spde.json").read_text())
    assert sorted(os.listdir(tmp_path)) == ["one", "two"], "no staging folder left behind"


def one_line(stderr, tool="deepest-mpi"):
    """Our own lines (mpirun adds its banner about the non-zero exit after them)."""
    lines = [line for line in stderr.splitlines() if line.startswith(tool + ":")]
    assert len(lines) == 1, stderr
    return lines[0]


def test_ranks_that_disagree_on_the_arguments_stop_with_one_line():
    command = [MPIRUN, "--allow-run-as-root", "--oversubscribe",
               "-n", "1", MPI_BINARY, "sde", "--paths", "10", "--format", "json", ":",
               "-n", "1", MPI_BINARY, "sde", "--paths", "20", "--format", "json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=ENVIRONMENT)
    assert result.returncode == 2
    assert result.stdout == ""
    line = one_line(result.stderr)
    assert "disagree on the arguments" in line and "'20'" in line and "'10'" in line and "rank 1" in line


def test_bad_options_and_commands_that_do_not_split_end_with_one_line():
    result = mpirun(2, "sde", "--paths", "0")
    assert result.returncode == 2
    assert "--paths = 0" in one_line(result.stderr)
    result = mpirun(2, "train", "--dataset", "sine")
    assert result.returncode == 2
    assert "train does not split over MPI ranks" in one_line(result.stderr)
    result = mpirun(2, "--help")
    assert result.returncode == 0 and result.stdout.count("OVERVIEW") == 1


def test_a_numerical_failure_has_the_serial_status_and_output():
    args = ["sde", "--problem", "gbm", "--growth", "1e6", "--paths", "6", "--dt", "0.01", "--horizon", "1", "--format", "json"]
    one = serial(*args)
    two = mpirun(2, *args)
    assert one.returncode == two.returncode == 3
    assert "6 of 6 paths became non-finite" in one_line(two.stderr)
    assert without_timing(two.stdout) == without_timing(one.stdout)


def test_ctrl_c_on_mpirun_leaves_no_partial_result(tmp_path):
    """mpirun turns SIGINT into SIGTERM for the ranks: no result folder is left, and rank 0 alone says so
    (mpirun may close its output forwarding before that line arrives)."""
    import signal
    import time
    out = tmp_path / "r"
    command = [MPIRUN, "--allow-run-as-root", "--oversubscribe", "-x", "DEEPEST_THREADS", "-n", "2", MPI_BINARY,
               "spde", "--problem", "allen-cahn", "--modes", "64", "--noise", "white", "--dt", "1e-4", "--horizon", "1",
               "--paths", "2000", "--out", str(out), "--no-figures"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=dict(ENVIRONMENT, DEEPEST_THREADS="1"))
    deadline = time.time() + 30
    while time.time() < deadline:  # until both ranks run (children of mpirun)
        children = subprocess.run(["ps", "--ppid", str(process.pid), "-o", "pid="], capture_output=True, text=True).stdout.split()
        if len(children) >= 2:
            break
        time.sleep(0.1)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode != 0
    assert stdout == ""
    assert not out.exists()
    assert os.listdir(tmp_path) == [], "no staging folder left behind"
    assert stderr.count("deepest-mpi: interrupted by") <= 1, stderr


def test_a_rank_that_fails_alone_is_reported_by_rank_zero(tmp_path):
    """Ranks in different working folders (as on nodes with their own disks): rank 1's --out is a file, so
    rank 1 alone refuses; rank 0 learns it at its first exchange instead of waiting, writes nothing, and
    prints rank 1's line with its status."""
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (second / "r").write_text("")
    args = ["escape", "--problem", "double-well", "--paths", "40", "--temperatures", "0.2", "--out", "r", "--no-figures"]
    command = [MPIRUN, "--allow-run-as-root", "--oversubscribe", "-n", "1", "-wdir", str(first), MPI_BINARY, *args,
               ":", "-n", "1", "-wdir", str(second), MPI_BINARY, *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=ENVIRONMENT)
    assert result.returncode == 2
    assert one_line(result.stderr) == "deepest-mpi: rank 1 stopped: invalid --out = r: exists and is not a folder"
    assert os.listdir(first) == []
    assert result.stdout == ""


SWEEP = """command: sde
options:
  problem: ou
  dt: 0.01
axes:
  paths: [50, 100]
  seed: [1, 2, 3]
"""


def test_sweep_over_two_ranks_merges_the_serial_csv(tmp_path):
    # Each rank runs its points (index = rank mod 2) as plain deepest processes; rank 0 merges after all
    # are done, and the merged CSV equals a one-process sweep's, timing columns aside.
    config = tmp_path / "sweep.yaml"
    config.write_text(SWEEP)
    one = serial("sweep", "--config", str(config), "--out", str(tmp_path / "serial"), "--format", "json")
    assert one.returncode == 0, one.stderr
    two = mpirun(2, "sweep", "--config", str(config), "--out", str(tmp_path / "ranks"), "--format", "json")
    assert two.returncode == 0, two.stderr
    summary = json.loads(two.stdout)
    assert (summary["points"], summary["ran"], summary["skipped"], summary["failed"]) == (6, 6, 0, 0)

    def rows(folder):
        lines = (tmp_path / folder / "sweep.csv").read_text().splitlines()
        header = lines[0].split(",")
        keep = [i for i, name in enumerate(header) if name != "seconds"]
        return [[line.split(",")[i] for i in keep] for line in lines]
    assert rows("ranks") == rows("serial")
    assert mpirun(2, "sweep", "--config", str(config), "--out", str(tmp_path / "x"), "--shard", "0/2").returncode == 2
