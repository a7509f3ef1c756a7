"""The benchmark harness (benchmarks/ at the repository root) runs, checks and reports.

Only the machinery is tested: the suite's geometry, that a wrong output is caught,
and the report's fields. No timing value is asserted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import cli, runner
from benchmarks.suite import LARGE, SUITE, select

import tconv

TINY = "seed.2x2,dcgan.up5.b1"
FAST = ["--quick", "--filter", TINY, "--frameworks", "torch,onnxruntime", "--repeats", "2",
        "--min-repeats", "1", "--layer-budget", "0.05"]


def by_name(name):
    return next(layer for layer in SUITE if layer.name == name)


def test_suite_layers_have_the_published_output_sizes():
    sizes = {"dcgan.up1.b64": (4, 4), "dcgan.up2.b64": (8, 8), "dcgan.up5.b64": (64, 64),
             "unet.up1.b4": (56, 56), "unet.up4.b1": (392, 392), "fsrcnn.x3.64": (192, 192),
             "fsrcnn.x2.256": (512, 512), "melgan.up1": (2048,), "melgan.up4": (65536,),
             "wavegan.up1": (64,), "decoder3d.k3.16": (32, 32, 32), "seed.2x2": (3, 3)}
    for name, size in sizes.items():
        layer = by_name(name)
        assert layer.out_size == size, name
        assert layer.out_size == tconv.conv_transpose_output_shape(
            layer.in_size, layer.kernel, stride=layer.stride, padding=layer.padding,
            output_padding=layer.output_padding, dilation=layer.dilation)


def test_suite_names_are_unique_and_subsets_select():
    names = [layer.name for layer in SUITE]
    assert len(names) == len(set(names))
    assert {layer.name for layer in select(SUITE, "dcgan")} == {
        f"dcgan.up{i}.b{n}" for i in range(1, 6) for n in (1, 64)}
    large = {layer.name for layer in SUITE if LARGE in layer.tags}
    assert {"dcgan.up2.b64", "dcgan.up4.b64", "unet.up1.b4", "melgan.up2"} <= large
    assert "dcgan.up1.b64" not in large and "dcgan.up2.b1" not in large
    assert select(SUITE, quick=True) and all("quick" in layer.tags
                                             for layer in select(SUITE, quick=True))


def test_seed_layer_gives_the_worked_example():
    layer = by_name("seed.2x2")
    x, weight = runner.make_inputs(layer, np.float32)
    expected = [[55, 162, 104], [167, 323, 152], [114, 157, 50]]
    np.testing.assert_array_equal(tconv.conv_transpose(x, weight)[0, 0], expected)


def test_check_close_passes_rounding_and_raises_on_a_wrong_value():
    rng = np.random.default_rng(0)
    expected = rng.standard_normal((2, 3, 4))
    scale = np.abs(expected) + 1
    assert runner.check_close("ok", expected.astype(np.float32), expected, scale,
                              np.float32) <= 1
    wrong = expected.astype(np.float32)
    wrong[1, 2, 3] += 0.01
    with pytest.raises(runner.OutputMismatch, match=r"bad: 1 of 24 outputs.*\(1, 2, 3\)"):
        runner.check_close("bad", wrong, expected, scale, np.float32)
    with pytest.raises(runner.OutputMismatch, match="shape"):
        runner.check_close("bad", wrong[0], expected, scale, np.float32)


def test_quick_run_writes_json_and_markdown_with_the_expected_fields(tmp_path, capsys):
    json_path, markdown_path = tmp_path / "result.json", tmp_path / "result.md"
    assert cli.main([*FAST, "--json", str(json_path), "--markdown", str(markdown_path)]) == 0
    result = json.loads(json_path.read_text())
    assert {"schema", "created", "machine", "options", "layers", "summary"} <= set(result)
    assert {"cpu", "cores", "versions", "blas", "env", "thread_settings"} <= set(
        result["machine"])
    assert {"numpy", "torch", "onnxruntime"} <= set(result["machine"]["versions"])
    assert result["options"]["algorithms"] == list(tconv.CONV_TRANSPOSE_ALGORITHMS)
    assert [layer["name"] for layer in result["layers"]] == TINY.split(",")
    for layer in result["layers"]:
        assert layer["status"] == "ok" and layer["error"] is None
        assert layer["auto_algorithm"] in tconv.CONV_TRANSPOSE_ALGORITHMS
        expected = {f"tconv[{name}]" for name in tconv.CONV_TRANSPOSE_ALGORITHMS}
        expected |= {"torch", "onnxruntime", "numpy-matmul"}
        assert set(layer["implementations"]) == expected
        for name in ("tconv[auto]", "torch", "onnxruntime", "numpy-matmul"):
            entry = layer["implementations"][name]
            assert entry["skipped"] is None
            assert len(entry["samples_ms"]) == layer["repeats"] >= 1
            for key in ("median_ms", "min_ms", "gflops", "fraction_of_matmul"):
                assert isinstance(entry[key], float), (name, key)
        assert isinstance(layer["implementations"]["tconv[auto]"]["peak_memory_mb"], float)
        assert {"torch", "onnxruntime"} <= set(layer["speedup"])
        assert isinstance(layer["io_mb"], float) and layer["flops"] > 0
    for subset in ("all", LARGE):
        assert {"layers", "speedup_vs_torch", "speedup_vs_onnxruntime"} <= set(
            result["summary"][subset])
    assert result["summary"]["all"]["layers"] == 2
    assert result["summary"]["mismatched"] == []
    markdown = markdown_path.read_text()
    assert "seed.2x2" in markdown and "geometric mean" in markdown
    assert "torch/tconv" in capsys.readouterr().out


def test_a_wrong_tconv_output_aborts_the_layer_and_fails_the_run(monkeypatch, tmp_path, capsys):
    right = tconv.conv_transpose

    def off_by_one(*args, **kwargs):
        y = right(*args, **kwargs)
        y[(0,) * y.ndim] += 1.0
        return y

    monkeypatch.setattr(tconv, "conv_transpose", off_by_one)
    json_path = tmp_path / "result.json"
    assert cli.main([*FAST, "--filter", "seed.2x2", "--auto-only", "--json",
                     str(json_path)]) == 1
    layer, = json.loads(json_path.read_text())["layers"]
    assert layer["status"] == "mismatch"
    assert "tconv[auto]" in layer["error"] and "torch" not in layer["error"]
    assert layer["repeats"] == 0
    assert layer["implementations"]["tconv[auto]"]["samples_ms"] == []
    assert "OUTPUT MISMATCH" in capsys.readouterr().out


def test_conv_suite_checks_and_times_a_layer(capsys):
    """``python -m benchmarks.conv`` on one tiny layer: every output agrees, a row and
    the geometric means are printed (no timing is asserted)."""
    from benchmarks import conv

    assert conv.main(["--filter", "fsrcnn.feature", "--repeats", "1", "--threads", "1"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("fsrcnn.feature"))
    assert "MISMATCH" not in out and len(row.split()) >= 12
    assert "geometric means: torch/np" in out


def test_conv_suite_reports_a_wrong_output(monkeypatch, capsys):
    from benchmarks import conv

    monkeypatch.setattr(conv.tconv, "conv", lambda x, w, **options: np.zeros(1))
    assert conv.main(["--filter", "fsrcnn.feature", "--repeats", "1", "--threads", "1"]) == 1
    assert "OUTPUT MISMATCH" in capsys.readouterr().out
