"""``python -m benchmarks.layers`` checks tconv.torch's layers before timing them.

One tiny layer of the benchmark, a few rounds: it passes as it is, and a
layer whose output or whose gradient alone is wrong fails the run. No timing
value is asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import layers

import tconv.torch as tconv_layers

pytestmark = pytest.mark.usefixtures("torch_one_thread")
TINY = ["--quick", "--threads", "1", "--cooldown", "0", "--filter", "ae.k4s2.up2"]


def test_tiny_layer_passes_and_writes_the_markdown_report(tmp_path, capsys):
    path = tmp_path / "layers.md"
    assert layers.main([*TINY, "--markdown", str(path)]) == 0
    out = capsys.readouterr().out
    assert "MISMATCH" not in out and "ae.k4s2.up2 [" in out
    report = path.read_text()
    for text in ("- machine:", "- versions: tconv", "torch", "numpy", "## Training step",
                 "## Forward only", "| ae.k4s2.up2 |", "torch/auto", "torch/phase"):
        assert text in report, text
    assert "dcgan" not in report  # --filter kept one case


def _wrong_output(y):
    y = y.clone()
    y[(0,) * y.ndim] += 1e-3
    return y


def _wrong_gradient(y):
    # The same values (y - y.detach() is exactly 0), the gradient 1% too large.
    return y + 0.01 * (y - y.detach())


@pytest.mark.parametrize(("spoil", "what"), [(_wrong_output, "output"),
                                             (_wrong_gradient, "grad weight")])
def test_a_wrong_layer_is_reported_and_not_timed(monkeypatch, capsys, spoil, what):
    right = tconv_layers.ConvTranspose2d.forward
    monkeypatch.setattr(tconv_layers.ConvTranspose2d, "forward",
                        lambda self, x, output_size=None: spoil(right(self, x, output_size)))
    assert layers.main(TINY) == 1
    out = capsys.readouterr().out
    assert f"ae.k4s2.up2: OUTPUT MISMATCH: tconv auto: {what}" in out
    assert f"ae.k4s2.up2: OUTPUT MISMATCH: tconv phase: {what}" in out
    assert "| ae.k4s2.up2 | k4 s2 p1, 16->1, 8x8 -> 16x16 | 64x16x8x8 | MISMATCH |" in out
