"""The gallery of configurations and the sub-pixel figure: numbers against PyTorch.

Every output the gallery draws (read back from the figure's text artists) is
compared with ``torch.nn.functional.conv_transpose2d``; the sub-pixel figure's
arrays with ``torch.nn.functional.conv2d`` and ``pixel_shuffle``.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest

pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")
torch = pytest.importorskip("torch")
F = torch.nn.functional

from tconv import _gallery
from tconv._files import OutputError
from tconv._gallery import GALLERY, draw_gallery, draw_subpixel, subpixel_outputs


def _formatted(values) -> list[str]:
    return [str(int(v)) for v in np.ravel(values)]


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    return draw_gallery(tmp_path_factory.mktemp("gallery") / "gallery.png")


def test_gallery_numbers_are_torchs(gallery):
    assert [entry.name for entry in gallery.entries] == [name for name, _, _ in GALLERY]
    for index, (name, n, config) in enumerate(GALLERY):
        config = dict(config)
        k = config.pop("kernel_size")
        x = torch.arange(1.0, n * n + 1, dtype=torch.float64).reshape(1, 1, n, n)
        expected = F.conv_transpose2d(x, torch.ones(1, 1, k, k, dtype=torch.float64),
                                      **config)[0, 0].numpy()
        e = gallery.entries[index].explanation
        np.testing.assert_array_equal(e.output, expected, err_msg=name)
        drawn = [t.get_text() for t in gallery.texts[f"output{index}"]]
        assert drawn == _formatted(expected), name


def test_gallery_grids_are_zero_inserted_and_padded(gallery):
    # "padding 1, stride 2": 3x3 input, 2 - 1 zeros between values, pads
    # k - 1 - p = 1 on each side: a 7x7 grid holding 1..9 at odd places.
    entry = gallery.entries[[name for name, _, _ in GALLERY].index("padding 1, stride 2")]
    grid = np.zeros((7, 7))
    grid[1:6:2, 1:6:2] = np.arange(1, 10).reshape(3, 3)
    np.testing.assert_array_equal(entry.explanation.zero_insertion.input, grid)
    index = gallery.entries.index(entry)
    assert [t.get_text() for t in gallery.texts[f"grid{index}"]] == _formatted(grid)
    with Image.open(gallery.path) as image:
        assert image.size == gallery.size


def test_gallery_refuses_to_replace_without_force(gallery):
    with pytest.raises(OutputError, match="exists; pass --force"):
        draw_gallery(gallery.path)


def test_subpixel_arrays_are_torchs_and_icnr_is_flat(tmp_path):
    image = np.linspace(0, 1, 64).reshape(8, 8)
    outputs = draw_subpixel(tmp_path / "s.png", image)
    x = torch.tensor(image)[None, None]
    rng = np.random.default_rng(0)
    base = np.full((1, 1, 3, 3), 1 / 9)
    random = np.concatenate([base + rng.normal(0, 0.08, base.shape) for _ in range(4)])
    icnr = np.repeat(base + rng.normal(0, 0.08, base.shape), 4, axis=0)
    for name, weight in (("random", random), ("icnr", icnr)):
        expected = F.pixel_shuffle(F.conv2d(x, torch.tensor(weight), padding=1), 2)[0, 0]
        np.testing.assert_allclose(outputs[name], expected.numpy(), rtol=1e-12, atol=1e-12)
    inside = (slice(2, -2), slice(2, -2))
    assert np.ptp(outputs["icnr_flat"][inside]) < 1e-12
    assert np.ptp(outputs["random_flat"][inside]) > 0.1
    # ICNR: every 2x2 block of the output is one value (nearest up-sampling).
    icnr_out = outputs["icnr"]
    np.testing.assert_allclose(icnr_out, np.repeat(np.repeat(icnr_out[::2, ::2], 2, 0), 2, 1),
                               atol=1e-12)
    assert outputs["phases"].tolist() == [[0, 1, 0, 1], [2, 3, 2, 3]] * 2
    assert subpixel_outputs(image)["random"].shape == (16, 16)


def test_module_examples_pass():
    failed, attempted = doctest.testmod(_gallery, optionflags=doctest.ELLIPSIS)
    assert attempted > 0 and failed == 0


def test_artifact_demo_script_runs_quickly(tmp_path):
    # scripts/make_artifacts.py draws docs/images/artifacts.png; a few steps
    # here check the figure is written and the init spreads are what the
    # README says (a random transposed layer prints a grid, resize-conv and
    # ICNR start flat).
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scripts" / "make_artifacts.py"
    spec = importlib.util.spec_from_file_location("make_artifacts", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    target, small, results, _ = script.run(steps=3)
    assert target.shape == (3, script.SIZE, script.SIZE)
    assert small.shape == (3, script.SIZE // 2, script.SIZE // 2)
    spreads = {r["label"]: r["init_spread"] for r in results}
    assert spreads["transposed k3 s2"] > 0.1 and spreads["transposed k4 s2"] > 0.1
    assert spreads["resize-conv"] < 1e-5 and spreads["sub-pixel, ICNR"] < 1e-5
    assert all(r["psnr"] > r["init_psnr"] for r in results)  # training helped
    out = tmp_path / "a.png"
    script.draw(out, target, small, results, "test", 3, force=False)
    with Image.open(out) as image:
        assert image.format == "PNG" and min(image.size) > 500
