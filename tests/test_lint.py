"""ruff over the whole project, with the project's own configuration.

pyproject.toml sets the line length (100) and ruff's default rules plus E501;
this test is how CI enforces them. ``ruff`` is in the ``test`` extra.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("src", "tests", "benchmarks", "scripts", "docs")


def test_ruff_is_clean() -> None:
    done = subprocess.run([sys.executable, "-m", "ruff", "check", *CHECKED], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"ruff check {' '.join(CHECKED)}:\n{done.stdout}{done.stderr}"


def test_ruff_reads_the_line_length() -> None:
    # A line of 101 characters must be reported: the limit is set and E501 is on.
    line = "x = " + repr("a" * 95) + "\n"
    assert len(line.rstrip("\n")) == 101
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--stdin-filename",
                           "src/tconv/_probe.py", "-"], cwd=ROOT, input=line,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1 and "E501" in done.stdout, done.stdout + done.stderr
