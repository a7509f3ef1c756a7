"""``tconv.checkerboard`` and ``tconv checkerboard``: coverage, periods, scores.

Expected values come from outside tconv: the observed tables of docs/rules/checkerboard.md
section 7 (1-D, n=6 inputs), the phase-count formula
``#{t in [0, k): t*d = phi (mod s)}``, and brute-force counts written here with
plain loops over input positions and taps.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import tconv
from tconv.cli import main

# --------------------------------------------------------------------------- brute force

def brute_transposed_1d(x, k, s, d=1, p=0, op=0):
    """Scatter every input value onto its k taps, crop p per side, append op."""
    full = np.zeros((len(x) - 1) * s + d * (k - 1) + 1)
    for i, value in enumerate(x):
        for t in range(k):
            full[i * s + t * d] += value
    length = len(full) - 2 * p + op
    return np.array([full[j + p] if j + p < len(full) else 0.0 for j in range(length)])


def brute_coverage_2d(n, k, s, d=1):
    """Overlap count of a 2-D transposed conv, by loops over inputs and taps."""
    size = [(n[a] - 1) * s[a] + d[a] * (k[a] - 1) + 1 for a in range(2)]
    cov = np.zeros(size)
    for i0 in range(n[0]):
        for i1 in range(n[1]):
            for t0 in range(k[0]):
                for t1 in range(k[1]):
                    cov[i0 * s[0] + t0 * d[0], i1 * s[1] + t1 * d[1]] += 1
    return cov


def brute_reads_1d(n, k, s, d=1, p=0):
    """How often a stride-s conv over n inputs (padding p) reads each input."""
    out = (n + 2 * p - d * (k - 1) - 1) // s + 1
    reads = np.zeros(n)
    for i in range(out):
        for t in range(k):
            j = i * s + t * d - p
            if 0 <= j < n:
                reads[j] += 1
    return reads


def phase_counts(k, s, d):
    return [sum(1 for t in range(k) if (t * d) % s == phi) for phi in range(s)]


def seq(text):
    return [float(v) for v in text.split()]


def is_rotation(values, expected):
    values = list(values)
    return len(values) == len(expected) and any(
        values[r:] + values[:r] == expected for r in range(len(values)))


# ------------------------------------------------------------- docs/rules/checkerboard.md

@pytest.mark.parametrize("k, s, d, expected", [
    (3, 2, 1, "1 1 2 1 2 1 2 1 2 1 2 1 1"),
    (4, 2, 1, "1 1 2 2 2 2 2 2 2 2 2 2 1 1"),
    (5, 2, 1, "1 1 2 2 3 2 3 2 3 2 3 2 2 1 1"),
])
def test_full_coverage_rows_of_the_observed_table(k, s, d, expected):
    result = tconv.checkerboard(k, s, dilation=d, rank=1, in_size=6)
    np.testing.assert_array_equal(result.coverage, seq(expected))


@pytest.mark.parametrize("k, s, d, run, at_start", [
    (5, 3, 1, "1 2 2 1 2 2", False),
    (4, 3, 1, "2 1 1 2 1 1", False),
    (2, 3, 1, "1 1 0 1 1 0", True),
    (3, 2, 2, "1 0 2 0 3 0 3 0", True),
])
def test_partial_rows_of_the_observed_table(k, s, d, run, at_start):
    coverage = tconv.checkerboard(k, s, dilation=d, rank=1, in_size=6).coverage.tolist()
    wanted = seq(run)
    if at_start:
        assert coverage[:len(wanted)] == wanted
    else:
        assert any(coverage[i:i + len(wanted)] == wanted for i in range(len(coverage)))


def test_dilation_two_leaves_every_odd_position_empty():
    result = tconv.checkerboard(3, 2, dilation=2, rank=1, in_size=6)
    assert np.all(result.coverage[1::2] == 0)
    assert result.phases.tolist() == [3.0, 0.0]
    assert "holes" in result.verdict


@pytest.mark.parametrize("k, s, interior", [(3, 2, [2.0, 1.0]), (4, 2, [2.0, 2.0]),
                                            (5, 2, [3.0, 2.0])])
def test_one_dimensional_interior(k, s, interior):
    result = tconv.checkerboard(k, s, rank=1)
    assert result.period == (s,)
    assert result.phases.tolist() == interior
    start, stop = result.interior[0]
    assert stop - start >= 2 * s
    values = result.coverage[start:stop]
    assert values.tolist() == [interior[j % s] for j in range(start, stop)]


def test_two_dimensional_coverage_is_the_outer_product():
    result = tconv.checkerboard(3, 2)
    one = tconv.checkerboard(3, 2, rank=1, in_size=result.in_size[0]).coverage
    np.testing.assert_array_equal(result.coverage, np.outer(one, one))
    np.testing.assert_array_equal(result.phases, [[4, 2], [2, 1]])
    assert sorted(np.unique(result.pattern)) == [1, 2, 4]
    assert result.score == pytest.approx(3 / 2.25)


def test_two_dimensional_divisible_kernel_is_a_constant_four():
    result = tconv.checkerboard(4, 2)
    assert np.all(result.pattern == 4)
    assert result.score == 0.0 and result.is_uniform
    assert result.verdict.startswith("uniform")


# ------------------------------------------------------------- docs/rules/checkerboard.md

@pytest.mark.parametrize("layers, period, pattern, extremes", [
    (1, 2, "2 1", (2, 1)),
    (2, 4, "1 3 2 3", (3, 1)),
    (3, 8, "1 4 3 5 2 5 3 4", (5, 1)),
])
def test_stacked_k3_s2_periods_multiply_and_extremes_spread(layers, period, pattern,
                                                            extremes):
    result = tconv.checkerboard(3, 2, rank=1, layers=layers)
    assert result.period == (period,)
    assert is_rotation(result.phases.tolist(), seq(pattern))
    assert (result.phases.max(), result.phases.min()) == extremes
    start, stop = result.interior[0]
    values = result.coverage[start:stop]
    assert stop - start >= period
    assert all(values[j] == result.phases[(start + j) % period] for j in range(len(values)))


@pytest.mark.parametrize("layers, value", [(1, 2), (2, 4), (3, 8)])
def test_stacked_k4_s2_stays_uniform(layers, value):
    result = tconv.checkerboard(4, 2, rank=1, layers=layers)
    assert result.period == (2 ** layers,)
    assert result.phases.tolist() == [value] * 2 ** layers
    assert result.score == 0.0


def test_stack_coverage_is_the_next_transposed_conv_of_the_previous_coverage():
    result = tconv.checkerboard(3, 2, rank=1, layers=2, in_size=5)
    first = brute_transposed_1d(np.ones(5), 3, 2)
    np.testing.assert_array_equal(result.coverage, brute_transposed_1d(first, 3, 2))


def test_per_layer_dicts():
    layers = [{"kernel_size": 4, "stride": 2}, {"kernel_size": 3, "stride": 1}]
    result = tconv.checkerboard(3, 2, rank=1, layers=layers, in_size=6)
    expected = brute_transposed_1d(brute_transposed_1d(np.ones(6), 4, 2), 3, 1)
    np.testing.assert_array_equal(result.coverage, expected)
    assert result.period == (2,)
    assert result.phases.tolist() == [6.0, 6.0]  # 3 taps over a uniform 2


def test_nearest_x2_then_three_taps_is_uniform():
    # docs/rules/checkerboard.md: nearest x2 = k2 s2 all ones; then a stride-1 3-tap conv.
    result = tconv.checkerboard(2, 2, rank=1, layers=[{}, {"kernel_size": 3, "stride": 1}],
                                in_size=5)
    assert result.coverage.tolist() == [1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 2, 1]
    assert result.score == 0.0


# --------------------------------------------------------------------------- brute force

@pytest.mark.parametrize("n, k, s, d, p, op", [
    (6, 3, 2, 1, 0, 0), (5, 3, 2, 1, 1, 1), (4, 2, 3, 1, 0, 2), (6, 3, 2, 2, 2, 1),
    (7, 5, 3, 1, 2, 0), (3, 1, 4, 1, 0, 3), (5, 4, 1, 2, 3, 1),
])
def test_coverage_equals_a_brute_force_count_1d(n, k, s, d, p, op):
    result = tconv.checkerboard(k, s, padding=p, output_padding=op, dilation=d, rank=1,
                                in_size=n)
    np.testing.assert_array_equal(result.coverage, brute_transposed_1d(np.ones(n), k, s, d,
                                                                       p, op))
    assert result.shift == (p,)


@pytest.mark.parametrize("n, k, s, d", [((4, 3), (3, 2), (2, 3), (1, 1)),
                                        ((3, 3), (2, 3), (1, 2), (2, 1))])
def test_coverage_equals_a_brute_force_count_2d(n, k, s, d):
    result = tconv.checkerboard(k, s, dilation=d, in_size=n)
    np.testing.assert_array_equal(result.coverage, brute_coverage_2d(n, k, s, d))


@pytest.mark.parametrize("k, s, d, p", [(3, 2, 1, 0), (3, 2, 1, 1), (4, 3, 1, 2),
                                        (3, 2, 2, 1), (2, 3, 1, 0)])
def test_gradient_coverage_counts_the_reads_of_the_strided_conv(k, s, d, p):
    result = tconv.checkerboard(k, s, padding=p, dilation=d, rank=1, in_size=6)
    n = len(result.gradient_coverage)
    np.testing.assert_array_equal(result.gradient_coverage, brute_reads_1d(n, k, s, d, p))
    # The input gradient shows the same checkerboard as the transposed conv.
    assert result.gradient_phases.tolist() == phase_counts(k, s, d)
    assert result.gradient_score == result.score


# --------------------------------------------------------------------------- properties

@settings(deadline=None, max_examples=60)
@given(k=st.integers(1, 7), s=st.integers(1, 4), d=st.integers(1, 3), data=st.data())
@example(k=3, s=2, d=2, data=None)
@example(k=2, s=3, d=1, data=None)
@example(k=4, s=2, d=1, data=None)
def test_score_is_zero_exactly_iff_every_phase_gets_the_same_count(k, s, d, data):
    p = 0 if data is None else data.draw(st.integers(0, d * (k - 1)), label="padding")
    result = tconv.checkerboard(k, s, padding=p, dilation=d, rank=1)
    counts = phase_counts(k, s, d)
    assert result.phases.tolist() == counts
    is_uniform = len(set(counts)) == 1
    assert (result.score == 0.0) == is_uniform
    assert result.verdict.startswith("uniform" if is_uniform else "checkerboard")
    if d == 1:
        assert is_uniform == (k % s == 0)
    start, stop = result.interior[0]
    for j in range(start, stop):
        assert result.coverage[j] == counts[(j + p) % s]
    if not is_uniform:
        assert result.score > 0.0


# --------------------------------------------------------------------------- weights

def test_all_ones_weight_response_equals_coverage():
    plain = tconv.checkerboard(3, 2, layers=2)
    weighted = tconv.checkerboard(3, 2, layers=2, weight=np.ones((1, 1, 3, 3)))
    assert weighted.coverage.shape == (1, *plain.coverage.shape)
    np.testing.assert_array_equal(weighted.coverage[0], plain.coverage)
    np.testing.assert_array_equal(weighted.phases[0], plain.phases)
    assert weighted.score == plain.score


def test_weight_per_layer_and_channels():
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal((1, 2, 4)), rng.standard_normal((2, 3, 4))]
    result = tconv.checkerboard(4, 2, rank=1, layers=2, weight=weights, in_size=5)
    expected = tconv.conv_transpose(tconv.conv_transpose(np.ones((1, 5)), weights[0],
                                                         stride=2), weights[1], stride=2)
    np.testing.assert_allclose(result.coverage, expected)
    assert result.phases.shape == (3, 4)
    assert result.score > 0.0  # random k4/s2 kernels are not uniform (docs/rules/checkerboard.md)


def test_constant_per_phase_weight_is_uniform_despite_odd_kernel():
    # k3/s2 with taps (1, 2, 1) (bilinear-like): phase 0 gets 1 + 1, phase 1 gets 2.
    result = tconv.checkerboard(3, 2, rank=1, weight=np.array([[[1.0, 2.0, 1.0]]]))
    assert result.phases.tolist() == [[2.0, 2.0]]
    assert result.score == 0.0


# --------------------------------------------------------------------------- errors

@pytest.mark.parametrize("args, kwargs, error, match", [
    ((0, 2), {}, ValueError, "kernel_size"),
    ((3, 1.5), {}, TypeError, "stride"),
    ((3, 2), {"dilation": 0}, ValueError, "dilation"),
    ((3, 2), {"padding": -1}, ValueError, "padding"),
    ((3, 2), {"output_padding": 2}, ValueError, "output_padding"),
    ((3, 2), {"rank": 4}, ValueError, "rank"),
    ((3, 2), {"rank": "2"}, TypeError, "rank"),
    ((3, 2), {"layers": 0}, ValueError, "layers"),
    ((3, 2), {"layers": "two"}, TypeError, "layers"),
    ((3, 2), {"layers": []}, ValueError, "layers"),
    ((3, 2), {"layers": [3]}, TypeError, r"layers\[0\]"),
    ((3, 2), {"layers": [{"kernal_size": 3}]}, ValueError, "kernal_size"),
    ((3, 2), {"layers": [{"stride": 0}]}, ValueError, r"layers\[0\]\['stride'\]"),
    ((3, 2), {"in_size": 0}, ValueError, "in_size"),
    ((3, 2), {"weight": np.ones((1, 1, 3))}, ValueError, "weight"),
    ((3, 2), {"weight": np.ones((1, 1, 2, 2))}, ValueError, "weight"),
    ((3, 2), {"weight": "ones"}, TypeError, "weight"),
    ((3, 2), {"layers": 2, "weight": [np.ones((1, 1, 3, 3))]}, ValueError, "weight"),
    ((3, 2), {"layers": 2, "weight": np.ones((1, 2, 3, 3))}, ValueError, "channels"),
    ((3, (2, 2, 2)), {}, ValueError, "stride"),
])
def test_bad_input_names_the_parameter(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        tconv.checkerboard(*args, **kwargs)


def test_result_is_frozen():
    result = tconv.checkerboard(3, 2, rank=1)
    with pytest.raises(AttributeError):
        result.score = 1.0


# --------------------------------------------------------------------------- CLI

def run(capsys, *argv):
    status = main(["checkerboard", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_cli_prints_the_pattern_score_verdict_and_fix(capsys):
    status, out, err = run(capsys, "--kernel", "3", "--stride", "2")
    assert status == 0 and err == ""
    lines = out.splitlines()
    at = lines.index("interior pattern, one period (2x2), phase 0 first:")
    assert [line.split() for line in lines[at + 1:at + 3]] == [["4", "2"], ["2", "1"]]
    assert "score: 1.333" in out
    assert "checkerboard:" in out
    for fix in ("divisible by the stride", "resize then convolve", "ICNR"):
        assert fix in " ".join(out.split())
    assert max(len(line) for line in lines) <= 80


def test_cli_one_dimensional_stack(capsys):
    status, out, _ = run(capsys, "--kernel", "3", "--stride", "2", "--layers", "2",
                         "--rank", "1")
    assert status == 0
    lines = out.splitlines()
    at = lines.index("interior pattern, one period (4), phase 0 first:")
    assert is_rotation(seq(lines[at + 1]), seq("1 3 2 3"))


def test_cli_uniform(capsys):
    status, out, _ = run(capsys, "--kernel", "4", "--stride", "2", "--rank", "1",
                         "--dilation", "1", "--padding", "1")
    assert status == 0
    assert "score: 0 " in out and "uniform:" in out


def test_cli_writes_a_png(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "heatmap.png"
    status, out, _ = run(capsys, "--kernel", "3", "--stride", "2", "--png", str(path))
    assert status == 0 and f"wrote {path}" in out
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image
    with Image.open(path) as image:
        assert min(image.size) > 100


def test_cli_png_without_matplotlib_names_the_extra(capsys, tmp_path, monkeypatch):
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    path = tmp_path / "heatmap.png"
    status, out, err = run(capsys, "--kernel", "3", "--stride", "2", "--png", str(path))
    assert status == 1 and out == ""
    assert "viz" in err and "matplotlib" in err
    assert not path.exists()


def test_cli_unwritable_png(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "missing" / "heatmap.png"
    status, out, err = run(capsys, "--kernel", "3", "--stride", "2", "--png", str(path))
    assert status == 2 and out == ""
    assert "--png" in err


@pytest.mark.parametrize("argv, match", [
    (["--kernel", "0", "--stride", "2"], "kernel_size"),
    (["--kernel", "3", "--stride", "2", "--output-padding", "2"], "output_padding"),
    (["--kernel", "3", "--stride", "x"], "--stride"),
    (["--stride", "2"], "--kernel"),
    (["--kernel", "3", "--stride", "2", "--rank", "3"], "--rank"),
])
def test_cli_errors(capsys, argv, match):
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert match in err


# --------------------------------------------------------------------------- drawing

def test_comparison_panels_share_one_colour_scale_with_integer_ticks():
    pytest.importorskip("matplotlib")
    from tconv._tour import checkerboard_figure

    figure, results = checkerboard_figure()
    limits = {image.get_clim() for ax in figure.axes for image in ax.images}
    # k3 s2 counts 1..4, k4 s2 1..4, nearest x2 then 3x3: 1..9 (worked in the
    # tables above): one scale, 1 to 9, for the three panels.
    assert limits == {(1.0, 9.0)}
    assert len([ax for ax in figure.axes if ax.images]) == 3
    bar = figure.axes[-1]
    assert [t for t in bar.get_yticks() if 1 <= t <= 9] == list(range(1, 10))
    assert [r.score for r in results][1:] == [0.0, 0.0]


def test_heatmap_has_integer_ticks_and_needs_force(tmp_path):
    pytest.importorskip("matplotlib")
    from tconv._checkerboard import integer_ticks
    from tconv._files import OutputError

    result = tconv.checkerboard(3, 2)
    path = tmp_path / "h.png"
    figure = result.save_heatmap(path)
    bar = figure.axes[-1]
    assert list(bar.get_yticks()) == [1, 2, 3, 4]  # the k3 s2 counts, no 1.5 or 2.5
    with pytest.raises(OutputError, match="exists; pass --force"):
        result.save_heatmap(path)
    result.save_heatmap(path, force=True)
    assert integer_ticks(0, 30) == [0, 5, 10, 15, 20, 25, 30]
    assert integer_ticks(0.5, 3.5) == [1, 2, 3]
    assert all(len(integer_ticks(0, n)) <= 10 for n in (9, 10, 99, 1000, 12345))
