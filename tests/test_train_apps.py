"""``tconv train superres|segment|apply|compare --task``: data, models, the training engine
(determinism, resume, budgets), reports and the command line, on tiny quick models.

Oracles: PyTorch's own layers and functions (max_unpool2d, interpolate), files
inside the installed scikit-image and scikit-learn packages, hand-built cases.
"""

from __future__ import annotations

import doctest
import os
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from tconv.cli import main
from tconv.train import engine, photos, report, scenes, segment, superres

pytestmark = pytest.mark.usefixtures("torch_one_thread")


@pytest.mark.parametrize("module", [photos, scenes, segment, superres, report, engine])
def test_docstring_examples_pass(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# --------------------------------------------------------------------------
# Data

def test_photos_are_files_inside_the_installed_wheels_and_the_split_is_disjoint():
    import skimage
    import sklearn

    assert not set(photos.TRAIN) & set(photos.HELD_OUT)
    for name in (*photos.TRAIN, *photos.HELD_OUT):
        path = photos.photo_path(name).resolve()
        roots = (Path(skimage.__file__).parent.resolve(), Path(sklearn.__file__).parent.resolve())
        assert any(root in path.parents for root in roots), path
    image = photos.load_photos(["coins"])["coins"]
    assert image.dtype == np.float32 and image.shape[0] % 12 == 0 and image.shape[1] % 12 == 0


def test_downscale_is_bicubic_with_antialiasing():
    # Stripes of period 4 land on the new Nyquist frequency: plain bicubic sampling
    # keeps them at full swing (ptp 1.375 with its overshoot), the antialiased
    # filter (the kernel stretched by the scale) halves them.
    board = np.tile(np.array([1, 1, 0, 0], np.float32), (24, 6))
    small = photos.downscale(board, 2)
    assert small.shape == (12, 12)
    plain = F.interpolate(torch.from_numpy(board)[None, None], scale_factor=0.5,
                          mode="bicubic", align_corners=False)[0, 0].numpy()
    assert np.ptp(plain[2:-2, 2:-2]) == pytest.approx(1.375, abs=1e-5)
    assert np.ptp(small[2:-2, 2:-2]) == pytest.approx(0.6875, abs=1e-5)
    np.testing.assert_allclose(photos.downscale(np.full((12, 12), 0.25), 2), 0.25, atol=1e-6)
    with pytest.raises(ValueError, match="scale=5 is not a supported"):
        photos.downscale(board, 5)
    with pytest.raises(ValueError, match="do not divide by scale=3"):
        photos.downscale(board[:22], 3)


def test_patches_are_aligned_crops_of_the_image_and_its_downscale():
    image = photos.load_photos(["camera"])
    low, high = photos.patches(image, 3, 6, 4, seed=2)
    full = image["camera"]
    small = photos.downscale(full, 3)
    for lo, hi in zip(low[:, 0], high[:, 0]):
        # Find the high-resolution crop in the image and check the low one sits at /3.
        rows, cols = np.nonzero(full[:-17, :-17] == hi[0, 0])
        found = [(r, c) for r, c in zip(rows, cols)
                 if r % 3 == 0 and c % 3 == 0 and np.array_equal(full[r:r + 18, c:c + 18], hi)]
        assert found
        r, c = found[0]
        np.testing.assert_array_equal(small[r // 3:r // 3 + 6, c // 3:c // 3 + 6], lo)


def test_scenes_have_exact_masks_and_are_seeded():
    images, masks = scenes.make_scenes(6, 32, seed=4)
    again, masks_again = scenes.make_scenes(6, 32, seed=4)
    np.testing.assert_array_equal(images, again)
    np.testing.assert_array_equal(masks, masks_again)
    assert set(np.unique(masks)) <= {0, 1, 2, 3} and (masks > 0).any()
    # Every shape pixel differs from the background level by the drawn step (>= 0.2)
    # up to texture and noise; here: the class-0 and class>0 means differ.
    for image, mask in zip(images[:, 0], masks):
        if (mask > 0).any():
            assert abs(image[mask > 0].mean() - image[mask == 0].mean()) > 0.05
    with pytest.raises(ValueError, match="size=30 must be an int >= 16 divisible by 4"):
        scenes.make_scenes(1, 30)


# --------------------------------------------------------------------------
# Models

@pytest.mark.parametrize("scale", [2, 3, 4])
@pytest.mark.parametrize("method", superres.METHODS)
def test_superres_tails_give_scale_times_the_size(method, scale):
    model = superres.SuperResolver(method, scale, features=4, shrink=3, mapping=1)
    assert model(torch.zeros(1, 1, 5, 7)).shape == (1, 1, 5 * scale, 7 * scale)


def test_superres_icnr_tail_starts_without_a_checkerboard():
    torch.manual_seed(0)
    tail = superres.tail("subpixel-icnr", 6, 3)
    y = tail(torch.randn(1, 6, 4, 4))
    blocks = y.reshape(1, 1, 4, 3, 4, 3)
    torch.testing.assert_close(blocks, blocks[:, :, :, :1, :, :1].expand_as(blocks))


def test_superres_model_is_bicubic_plus_the_tail():
    torch.manual_seed(0)
    model = superres.SuperResolver("tconv-k9", 2, features=4, shrink=3, mapping=1)
    x = torch.rand(1, 1, 6, 6)
    expected = F.interpolate(x, scale_factor=2, mode="bicubic", align_corners=False)
    torch.testing.assert_close(model(x), expected + model.tail(model.body(x)))


@pytest.mark.parametrize("method", segment.METHODS)
def test_segment_up_doubles_and_the_segmenter_keeps_the_size(method):
    x = torch.rand(2, 4, 8, 8)
    pooled, indices = F.max_pool2d(x, 2, return_indices=True)
    assert segment.Up(method, 4)(pooled, indices).shape == (2, 4, 8, 8)
    for skips in (False, True):
        model = segment.Segmenter(method, width=4, skips=skips)
        assert model(torch.zeros(1, 1, 16, 12)).shape == (1, 4, 16, 12)


def test_unpool_is_torch_max_unpool():
    x = torch.randn(2, 3, 8, 6)
    pooled, indices = F.max_pool2d(x, 2, return_indices=True)
    torch.testing.assert_close(segment.unpool(pooled, indices),
                               F.max_unpool2d(pooled, indices, 2), rtol=0, atol=0)


# --------------------------------------------------------------------------
# The engine

SR = superres.job("subpixel", 2, quick=True)
SEG = segment.job("tconv-k3s2", quick=True)


def test_training_lowers_the_loss():
    # Super-resolution from its random start falls fast; the segmenter's cross-entropy
    # first drops to the class prior (about 1.2 from log 4 = 1.39 after 40 steps).
    for job, steps, ratio in ((SR, 40, 0.7), (SEG, 40, 0.92)):
        result = engine.fit(job, steps=steps, batch_size=8, seed=0, progress=False,
                            learning_rate=3e-3)
        assert len(result.losses) == steps and np.isfinite(result.losses).all()
        assert np.mean(result.losses[-5:]) < ratio * np.mean(result.losses[:3]), job.task


def test_same_seed_same_run_and_resume_equals_an_uninterrupted_run(tmp_path):
    runs = [engine.fit(SEG, steps=4, batch_size=8, seed=seed, progress=False)
            for seed in (1, 1, 2)]
    for key, value in runs[0].state.items():
        assert torch.equal(value, runs[1].state[key]), key
    assert runs[0].losses == runs[1].losses != runs[2].losses
    half = engine.fit(SEG, steps=2, batch_size=8, seed=1, progress=False,
                      checkpoint=tmp_path / "half.pt")
    assert half.checkpoint == os.fspath(tmp_path / "half.pt")
    resumed = engine.fit(SEG, steps=4, batch_size=8, seed=1, progress=False,
                         resume=tmp_path / "half.pt")
    assert resumed.steps == 4 and resumed.losses == runs[0].losses
    for key, value in runs[0].state.items():
        assert torch.equal(value, resumed.state[key]), key
    with pytest.raises(ValueError, match=r"other settings: seed 1 \(now 2\)"):
        engine.fit(SEG, steps=4, batch_size=8, seed=2, resume=tmp_path / "half.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="is not a tconv checkpoint"):
        engine.fit(SEG, steps=4, batch_size=8, resume=tmp_path / "junk.pt")


def test_budget_seconds_stops_early():
    result = engine.fit(SR, steps=10_000, batch_size=4, budget_seconds=0.05, progress=False)
    assert 1 <= result.steps < 10_000 and len(result.losses) == result.steps


@pytest.mark.parametrize("call, error, match", [
    (lambda: superres.job("deconv", 2), ValueError,
     "method='deconv' is not known; valid: 'tconv-k9'"),
    (lambda: superres.job("subpixel", 5), ValueError, "scale=5 is not a supported"),
    (lambda: segment.job("pixelshuffle"), ValueError,
     "method='pixelshuffle' is not known; valid: 'tconv-k2s2'"),
    (lambda: engine.fit(SR, steps=0), ValueError, "steps=0"),
    (lambda: engine.fit(SR, steps=1, budget_seconds=-1), ValueError, "budget_seconds=-1"),
    (lambda: engine.fit(SR, steps=1, batch_size=999), ValueError,
     "batch_size=999 is larger than the 128 training samples"),
    (lambda: engine.fit(SR, steps=1, resume="/no/such.pt"), FileNotFoundError, "resume="),
])
def test_bad_input_is_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --------------------------------------------------------------------------
# Reports

def test_within_noise_and_spread():
    assert report.mean_spread([2.0]) == (2.0, 0.0)
    assert report.within_noise([1.0, 1.2, 0.8], [1.1, 1.3, 0.9])
    assert not report.within_noise([1.0, 1.01, 0.99], [1.2, 1.21, 1.19])
    # Not enough seeds to tell: no claim of separation, and no "≈" mark in tables.
    assert report.within_noise([1.0], [2.0]) and not report.near([1.0], [2.0])


def test_labels_use_a_truetype_font():
    from PIL import ImageFont

    typeface = report.font(13)
    assert isinstance(typeface, ImageFont.FreeTypeFont) and "DejaVu" in typeface.getname()[0]
    sheet = report.labelled_grid([np.zeros((8, 40))], 1, ["VAE samples"])
    ink = np.asarray(sheet)[:18].min(axis=2) < 128
    columns = np.nonzero(ink.any(axis=0))[0]
    assert columns.size and columns.max() - columns.min() > 40  # a readable label, not dots


# --------------------------------------------------------------------------
# The command line

def cli(capsys, *argv):
    status = main(["train", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_cli_superres_segment_and_apply(tmp_path, capsys):
    status, out, err = cli(capsys, "superres", "--quick", "--method", "tconv-k9", "--scale",
                           "3", "--out", str(tmp_path), "--quiet")
    assert status == 0, err
    assert "superres x3 tconv-k9: 3 steps" in out and "held-out PSNR-Y" in out
    checkpoint = tmp_path / "superres-tconv-k9-x3.pt"
    assert checkpoint.is_file()
    source = photos.photo_path("coins")
    status, out, err = cli(capsys, "apply", str(checkpoint), "-i", str(source), "-o",
                           str(tmp_path / "big.png"))
    assert status == 0, err
    with Image.open(source) as small, Image.open(tmp_path / "big.png") as big:
        assert big.size == (3 * small.size[0], 3 * small.size[1]) and big.mode == "RGB"
    status, _out, err = cli(capsys, "apply", str(checkpoint), "-i", str(source), "-o",
                            str(tmp_path / "big.png"))
    assert status == 2 and "exists; pass --force" in err
    status, out, err = cli(capsys, "segment", "--quick", "--out", str(tmp_path), "--quiet",
                           "--resume", str(tmp_path / "nothing.pt"))
    assert status == 2 and "resume=" in err and "does not exist" in err
    status, out, err = cli(capsys, "segment", "--quick", "--out", str(tmp_path), "--quiet")
    assert status == 0 and "held-out mean IoU" in out, err
    status, out, err = cli(capsys, "apply", str(tmp_path / "segment-tconv-k4s2.pt"), "-o",
                           str(tmp_path / "mask.png"))
    assert status == 0, err
    with Image.open(tmp_path / "mask.png") as mask:
        assert mask.size == (32, 16)


def test_cli_compare_writes_a_fresh_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for task, method in (("superres", "subpixel-icnr"), ("segment", "unpool")):
        status, out, err = cli(capsys, "compare", "--task", task, "--quick", "--method",
                               method)
        assert status == 0, err
        assert f"wrote tconv-compare-{task}/report.md" in out
        assert "run 1 of 1" in err and "elapsed" in err
        folder = tmp_path / f"tconv-compare-{task}"
        report_text = (folder / "report.md").read_text()
        assert f"`{method}`" in report_text and "mean ± sample standard deviation" in (
            report_text.replace("\n", " "))
        if task == "segment":  # the no-model row: mean IoU = background share / 4 classes
            row = next(line for line in report_text.splitlines() if "all background" in line)
            masks = segment.held_out(32, 16)[1]
            assert float(row.split("|")[3]) == pytest.approx((masks == 0).mean() / 4, abs=1e-4)
        for png in folder.glob("*.png"):
            with Image.open(png) as image:
                assert image.size[0] > 100
    status, _out, err = cli(capsys, "compare", "--task", "segment", "--quick", "--method",
                           "unpool", "--quiet")
    assert status == 0 and (tmp_path / "tconv-compare-segment-2" / "report.md").is_file()


@pytest.mark.parametrize("argv, match", [
    (["compare", "--task", "superres", "--method", "unpool"],
     "--method='unpool' is not a superres method"),
    (["compare", "--task", "segment", "--seeds", "1,x"], "is not a list of seeds"),
    (["superres", "--scale", "5"], "scale=5 is not a supported super-resolution factor"),
    (["superres", "--method", "deconv"], "invalid choice: 'deconv'"),
    (["segment", "--nproc", "999"], "nproc=999 is more than this machine allows"),
    (["gan", "--quick", "--nproc", "999"], "nproc=999 is more than this machine allows"),
    (["autoencoder", "--quick", "--nproc", "2", "--batch-size", "5"],
     "batch_size=5 does not split into nproc=2"),
    (["compare", "--jobs", "0"], "'0' is not a positive int"),
    (["segment", "--budget-seconds", "-2"], "is not a positive number of seconds"),
    (["apply", "/no/such.pt", "-o", "x.png"], "checkpoint='/no/such.pt' does not exist"),
])
def test_cli_bad_input_exits_2_with_one_message(capsys, argv, match):
    status, out, err = cli(capsys, *argv)
    assert status == 2 and out == ""
    assert f"tconv train {argv[0]}: error: " in err and match in err
    assert "Traceback" not in err


def test_cli_digits_compare_over_seeds_reports_mean_and_spread(tmp_path, capsys):
    status, out, err = cli(capsys, "compare", "--method", "subpixel", "--seeds", "0,1",
                           "--steps", "1", "--quiet", "--out", str(tmp_path))
    assert status == 0, err
    assert "wrote " + str(tmp_path / "report.md") in out
    assert (tmp_path / "seed-0" / "report.md").is_file()
    assert (tmp_path / "seed-1" / "overview.png").is_file()
    text = (tmp_path / "report.md").read_text()
    row = next(line for line in text.splitlines() if line.startswith("| `subpixel`"))
    cells = [cell.strip() for cell in row.split("|")[2:-1]]
    assert len(cells) == 5 and all(" ± " in cell for cell in cells)
    # The mean of each cell is the mean of the two seed reports' values.
    def first_cell(seed):
        lines = (tmp_path / f"seed-{seed}" / "report.md").read_text().splitlines()
        return float(next(line for line in lines if line.startswith("| `subpixel`"))
                     .split("|")[2])

    mean = float(cells[0].split(" ± ")[0])
    assert mean == pytest.approx((first_cell(0) + first_cell(1)) / 2, abs=1.5e-4)


def test_cli_digits_quick_modes(tmp_path, capsys):
    # Every digits command's --quick (CI): a few steps; compare keeps the first seed.
    for argv, name in ((["autoencoder", "--vae"], "vae-tconv-k4s2"),
                       (["gan"], "gan-tconv-k4s2")):
        status, out, err = cli(capsys, *argv, "--quick", "--quiet", "--out", str(tmp_path))
        assert status == 0, err
        assert "3 steps" in out
        assert (tmp_path / f"{name}.pt").is_file()
    status, out, err = cli(capsys, "compare", "--quick", "--method", "subpixel", "--seeds",
                           "4,5", "--quiet", "--out", str(tmp_path / "c"))
    assert status == 0, err
    assert (tmp_path / "c" / "seed-4" / "report.md").is_file()
    assert not (tmp_path / "c" / "seed-5").exists()
    seed_report = (tmp_path / "c" / "seed-4" / "report.md").read_text()
    assert "3 steps per model" in seed_report


def test_digits_seeds_in_parallel_processes_give_the_same_numbers(tmp_path):
    from tconv.train.compare import compare_seeds

    # One seed keeps it quick: the pool's worker (a spawned process) against this one.
    options = {"seeds": [1], "methods": ["resize-nearest"], "steps": 2, "progress": False,
               "threads": 1}
    one = compare_seeds(tmp_path / "one", jobs=1, **options)
    pooled = compare_seeds(tmp_path / "two", jobs=2, **options)
    assert one["rows"] == pooled["rows"] and one["data_score"] == pooled["data_score"]
    assert (tmp_path / "two" / "seed-1" / "report.md").is_file()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
