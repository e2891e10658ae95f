"""End-to-end checks of the `deepest` command line: exit codes, one-line errors, JSON keys.

Run by `make test` after the Swift suite, against the release binary it built. The numerics are
tested in the Swift suites; these tests check the contract of the tool itself.
"""
import json
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("DEEPEST", os.path.join(ROOT, ".build", "release", "deepest"))


def run(*args, timeout=300):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout)


def one_line_failure(result):
    """A failure exits non-zero and explains itself on a single stderr line."""
    assert result.returncode != 0, result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_help_lists_the_commands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("converge", "demo"):
        assert command in result.stdout


def test_unknown_study_lists_the_valid_ones():
    message = one_line_failure(run("converge", "--study", "no-such-study"))
    assert "no-such-study" in message and "valid" in message


def test_unknown_format_is_rejected():
    result = run("converge", "--study", "x", "--format", "yaml")
    assert result.returncode != 0
