"""SIGINT and SIGTERM during `deepest compare --out DIR`: the contract is no partial result folder. The
run either finished before the signal (exit 0, every result file and report.md present) or it exits
128 + the signal number with DIR absent (or, when DIR existed before, as it was), and the figure
script started as a child process does not outlive it."""
import os
import signal
import subprocess
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("DEEPEST", os.path.join(ROOT, ".build", "release", "deepest"))
COMPARE = ["compare", "--dataset", "circles", "--samples", "40", "--layers", "4", "--epochs", "2"]
COMPLETE = {"compare.json", "compare.csv", "points.csv", "adam-grid.csv", "sgd-grid.csv", "symplectic-euler-grid.csv"}


def processes_mentioning(text):
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if text.encode() in handle.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("delay", [0.05, 0.3, 0.7])
def test_a_signal_leaves_no_partial_result_folder(tmp_path, number, delay):
    out = tmp_path / f"result-{int(number)}-{delay}"
    process = subprocess.Popen([BINARY, *COMPARE, "--out", str(out)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    process.send_signal(number)
    _, stderr = process.communicate(timeout=60)
    if process.returncode == 0:
        assert COMPLETE <= set(os.listdir(out)), "a finished run writes every result file"
    else:
        assert process.returncode == 128 + int(number), stderr
        assert not out.exists(), os.listdir(out)
        assert [name for name in os.listdir(tmp_path) if name.startswith(".")] == [], "no staging folder left"
    time.sleep(0.2)
    assert processes_mentioning(str(out)) == [], "the figure script died with the run"


def test_a_signal_keeps_an_existing_folder_as_it_was(tmp_path):
    out = tmp_path / "existing"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    process = subprocess.Popen([BINARY, *COMPARE, "--out", str(out)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=60)
    names = set(os.listdir(out))
    assert names == {"notes.txt"} or (process.returncode == 0 and COMPLETE | {"notes.txt"} <= names), names
