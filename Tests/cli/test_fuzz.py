"""Property-based fuzzing of `deepest train` over config files and data CSVs (strategies in
fuzz_inputs.py): every input exits 0, 2 or 3, never crashes, and a failure is one stderr line.
A few hundred inputs here; Experiments/fuzz/run.py runs 10^4."""
import os
import sys
import tempfile

from hypothesis import HealthCheck, given, settings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fuzz_inputs import configs, crashed, csvs, run_config, run_csv  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.abspath(os.environ.get("DEEPEST", os.path.join(ROOT, ".build", "release", "deepest")))
FOLDER = tempfile.mkdtemp(prefix="deepest-fuzz-")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def check(result):
    assert not crashed(result.returncode), result.stderr[-2000:]
    assert result.returncode in (0, 2, 3), (result.returncode, result.stderr[-500:])
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("deepest: "), result.stderr[-2000:]


@SETTINGS
@given(configs())
def test_config_files_never_crash(text):
    check(run_config(BINARY, FOLDER, text))


@SETTINGS
@given(csvs())
def test_data_files_never_crash(text):
    check(run_csv(BINARY, FOLDER, text))
