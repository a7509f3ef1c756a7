"""Read numbers back from the text of ``tconv explain``; the classic C^T.

The tests compare what is printed with independent values, so they parse the
printed grids and the matrix-product picture back into arrays (``.`` is 0).
"""

from __future__ import annotations

import re

import numpy as np

# C^T of the classic example (x [[55, 52], [57, 50]], kernel [[1, 2], [2, 1]],
# stride 1), worked by hand: column (i, j) holds the kernel pasted at (i, j) of
# the 3x3 output, flattened row by row.
CLASSIC_CT = [[1, 0, 0, 0],
              [2, 1, 0, 0],
              [0, 2, 0, 0],
              [2, 0, 1, 0],
              [1, 2, 2, 1],
              [0, 1, 0, 2],
              [0, 0, 2, 0],
              [0, 0, 1, 2],
              [0, 0, 0, 1]]


def block(text: str, title: str) -> np.ndarray:
    """The grid printed under the line starting with ``title``, as numbers."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    rows = []
    for line in lines[start + 1:]:
        if not line.strip() or not line.startswith("  "):
            break
        rows.append([0.0 if cell == "." else float(cell) for cell in line.split()])
    if len({len(row) for row in rows}) > 1:  # a long 1-D row continued on more lines
        return np.concatenate([np.array(row) for row in rows])[None, :]
    return np.array(rows)


def product_picture(text: str, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Matrix, x column and y column of the ``[M] @ [x] = [y]`` picture."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"  {name} (. = 0)"))
    header = lines[start]
    x_at, y_at = header.index(" x ") + 1, header.index(" y") + 1
    matrix, x, y = [], [], []
    for line in lines[start + 1:]:
        if not line.startswith("  ") or "max |" in line:
            break
        for column, part in ((matrix, line[:x_at]), (x, line[x_at:y_at]),
                             (y, line[y_at:])):
            found = re.search(r"\[([^\]]*)\]", part)
            if found:
                column.append([0.0 if c == "." else float(c) for c in found[1].split()])
    return np.array(matrix), np.array(x).ravel(), np.array(y).ravel()


def assert_fits(text: str, width: int = 80) -> None:
    long = [line for line in text.splitlines() if len(line) > width]
    assert not long, f"lines over {width} columns: {long}"
