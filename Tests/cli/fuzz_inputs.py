"""Hypothesis strategies for config files and data CSVs, shared by Tests/cli/test_fuzz.py (a few
hundred inputs in `make test`) and Experiments/fuzz/run.py (10^4 inputs). A run may succeed (0), refuse
(2) or fail numerically (3); a crash is exit status >= 128 or death by a signal."""
import os
import subprocess

from hypothesis import strategies as st

KEYS = ["dataset", "data", "recipe", "method", "horizon", "layers", "width", "activation", "antisymmetric", "shift",
        "lift", "tikhonov", "smoothness", "readout-tikhonov", "seed", "samples", "rf", "anneal-steps", "anneal-factor",
        "newton-iterations", "tol", "form", "readout", "epochs", "batch", "lr", "momentum", "stages", "bogus"]
STAGE_TYPES = ["adam", "sgd", "lbfgs", "constrained", "discrete-annealing", "reduced-action", "continuum-annealing",
               "tikhonov-continuation", "horizon-continuation", "nope"]
NUMBERS = st.one_of(st.integers(-10, 10), st.sampled_from([0, 1, 2, 3, 40, 10**9, 2**63 - 1, -2**63]),
                    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(["nan", ".inf", "1e308", "-0"]))
SCALARS = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=12),
                    st.sampled_from(["circles", "sine", "adam", "sgd", "tanh", "collocation", "hamiltonian"]))


def yaml_scalar(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value).replace("inf", ".inf").replace("nan", ".nan")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@st.composite
def configs(draw):
    """Mostly well-formed YAML with fuzzed keys and values, small stages, and sometimes raw noise."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=200))
    lines = ["dataset: circles"] if draw(st.booleans()) else []
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=6, unique=True)):
        if key == "stages":
            lines.append("stages:")
            for _ in range(draw(st.integers(0, 3))):
                lines.append(f"  - type: {draw(st.sampled_from(STAGE_TYPES))}")
                for option in draw(st.lists(st.sampled_from(["epochs", "batch", "lr", "iterations", "intervals", "refinement",
                                                              "anneal-steps", "rf", "memory", "algorithm", "x"]), max_size=3, unique=True)):
                    lines.append(f"    {option}: {yaml_scalar(draw(SCALARS))}")
        else:
            lines.append(f"{key}: {yaml_scalar(draw(SCALARS))}")
    # Small sizes keep each run short; the size bound refuses the rest.
    lines += ["samples: 20", "layers: 2", "epochs: 2"] if draw(st.booleans()) else []
    return "\n".join(lines) + "\n"


@st.composite
def csvs(draw):
    """Data files: headers, ragged rows, non-numbers, huge and non-finite values, one class."""
    columns = draw(st.integers(1, 4))
    if draw(st.booleans()):
        # Well formed: numeric inputs and an integer or real target, a few hundred samples at most.
        count = draw(st.integers(0, 40))
        inputs = st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=columns, max_size=columns)
        target = st.one_of(st.integers(0, draw(st.integers(0, 3))), st.floats(-1e3, 1e3, allow_nan=False))
        rows = draw(st.lists(st.tuples(inputs, target), min_size=count, max_size=count))
        return "".join(",".join(str(v) for v in x + [y]) + "\n" for x, y in rows)
    cell = st.one_of(st.floats(-1e3, 1e3), st.integers(0, 2), st.sampled_from(["nan", "inf", "", "x", "1e400", " 1", "0x10"]))
    rows = draw(st.lists(st.lists(cell, min_size=columns - 1 if draw(st.booleans()) else columns,
                                  max_size=columns + (1 if draw(st.booleans()) else 0)), max_size=30))
    text = ("a,b,c,d"[: 2 * columns - 1] + "\n") if draw(st.booleans()) else ""
    text += "".join(",".join(str(v) for v in row) + "\n" for row in rows)
    return text if draw(st.integers(0, 19)) else draw(st.text(max_size=100))


def crashed(returncode):
    return returncode < 0 or returncode >= 128


def run_config(binary, folder, text, index=0):
    path = os.path.join(folder, f"config-{index}.yaml")
    with open(path, "w", encoding="utf-8", errors="surrogatepass") as handle:
        handle.write(text)
    return subprocess.run([binary, "train", "--config", path, "--max-work", "1e8", "--format", "json"],
                          capture_output=True, text=True, timeout=120, cwd=folder)


def run_csv(binary, folder, text, index=0):
    path = os.path.join(folder, f"data-{index}.csv")
    with open(path, "w", encoding="utf-8", errors="surrogatepass") as handle:
        handle.write(text)
    return subprocess.run([binary, "train", "--data", path, "--method", "adam", "--epochs", "2", "--layers", "2",
                           "--format", "json"], capture_output=True, text=True, timeout=120, cwd=folder)
