"""``tconv.train`` and ``tconv train``: loaders, metric, tiny training runs, the CLI.

Oracles come from outside tconv: scikit-learn's digits resized by
``torch.nn.functional.interpolate``; IDX and ``.npz`` files written here byte
by byte from known arrays; the checkerboard score against NumPy's FFT (the
spectral form of its definition) and hand-worked values; the VAE's KL term
against ``torch.distributions``. Training runs are tiny (a few steps on a
few images) so the file stays fast.
"""

from __future__ import annotations

import dataclasses
import doctest
import gzip
import itertools
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from sklearn.datasets import load_digits as sklearn_digits

import tconv.train
from tconv.cli import main
from tconv.cli import train as cli_train
from tconv.train import (
    METHODS,
    VAE,
    Autoencoder,
    Generator,
    checkerboard_score,
    compare,
    load_digits,
    load_mnist,
    read_idx,
    resize,
    train_autoencoder,
    train_gan,
    upsampling_block,
)

pytestmark = pytest.mark.usefixtures("torch_one_thread")

MODULES = ("data", "models", "loop", "metrics", "compare")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_pass(name):
    module = getattr(tconv.train, name) if name != "compare" else sys.modules[
        "tconv.train.compare"]
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_public_names_have_examples():
    for name in tconv.train.__all__:
        obj = getattr(tconv.train, name)
        if callable(obj) and not dataclasses.is_dataclass(obj):  # results: no examples
            assert "Examples" in (obj.__doc__ or ""), name


@pytest.fixture(scope="module")
def digits():
    """48 digits at 16x16: enough for a few batches."""
    return load_digits(16)[0][:48]


# --------------------------------------------------------------------------
# Loaders

@pytest.mark.parametrize("size", [16, 32])
def test_load_digits_is_sklearn_digits_resized_like_torch(size):
    images, labels = load_digits(size)
    bunch = sklearn_digits()
    expected = F.interpolate(torch.from_numpy(bunch.images[:, None] / 16.0),
                             size=(size, size), mode="bilinear", align_corners=False)
    assert images.shape == (1797, 1, size, size) and images.dtype == np.float32
    np.testing.assert_allclose(images, expected.numpy(), rtol=0, atol=1e-6)
    np.testing.assert_array_equal(labels, bunch.target)
    assert images.min() >= 0.0 and images.max() <= 1.0


def idx_bytes(array: np.ndarray, code: int) -> bytes:
    """An IDX file written by hand: magic 0 0 code rank, big-endian sizes, big-endian data."""
    header = bytes([0, 0, code, array.ndim])
    header += b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write(path, data: bytes, compressed: bool = False):
    with (gzip.open if compressed else open)(path, "wb") as file:
        file.write(data)
    return path


@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize("dtype, code", [(np.uint8, 0x08), (np.int8, 0x09), (np.int16, 0x0B),
                                         (np.int32, 0x0C), (np.float32, 0x0D),
                                         (np.float64, 0x0E)])
def test_read_idx_reads_every_type_plain_and_gzipped(tmp_path, dtype, code, compressed):
    array = (np.arange(2 * 3 * 5) - 7).reshape(2, 3, 5).astype(dtype)
    if dtype == np.uint8:
        array = np.arange(30, dtype=np.uint8).reshape(2, 3, 5) * 8
    path = write(tmp_path / "x-idx3", idx_bytes(array, code), compressed)
    result = read_idx(path)
    assert result.dtype == np.dtype(dtype) and result.shape == (2, 3, 5)
    np.testing.assert_array_equal(result, array)


@pytest.fixture
def mnist_arrays():
    rng = np.random.default_rng(1)
    return rng.integers(0, 256, (6, 28, 28), dtype=np.uint8), np.array([5, 0, 4, 1, 9, 2],
                                                                          np.uint8)


@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize("stem", ["train-images-idx3-ubyte", "train-images.idx3-ubyte"])
def test_load_mnist_reads_an_idx_directory(tmp_path, mnist_arrays, compressed, stem):
    images, labels = mnist_arrays
    suffix = ".gz" if compressed else ""
    write(tmp_path / f"{stem}{suffix}", idx_bytes(images, 0x08), compressed)
    write(tmp_path / f"train-labels-idx1-ubyte{suffix}", idx_bytes(labels, 0x08), compressed)
    loaded, loaded_labels = load_mnist(tmp_path)
    assert loaded.shape == (6, 1, 28, 28) and loaded.dtype == np.float32
    np.testing.assert_allclose(loaded[:, 0], images / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(loaded_labels, labels)


def test_load_mnist_reads_the_test_split_and_works_without_labels(tmp_path, mnist_arrays):
    images, _ = mnist_arrays
    write(tmp_path / "t10k-images-idx3-ubyte.gz", idx_bytes(images[:2], 0x08), True)
    loaded, labels = load_mnist(tmp_path, split="test")
    assert labels is None
    np.testing.assert_allclose(loaded[:, 0], images[:2] / 255.0, rtol=1e-6)
    single, labels = load_mnist(tmp_path / "t10k-images-idx3-ubyte.gz")
    assert labels is None
    np.testing.assert_array_equal(single, loaded)


def test_load_mnist_reads_a_keras_npz(tmp_path, mnist_arrays):
    images, labels = mnist_arrays
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=images, y_train=labels, x_test=images[:1], y_test=labels[:1])
    loaded, loaded_labels = load_mnist(path)
    np.testing.assert_allclose(loaded[:, 0], images / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(loaded_labels, labels)
    test_images, test_labels = load_mnist(path, split="test")
    assert test_images.shape == (1, 1, 28, 28) and test_labels.tolist() == [5]


def test_resize_brings_mnist_to_a_training_size_like_torch(mnist_arrays):
    images = mnist_arrays[0][:, None] / 255.0
    expected = F.interpolate(torch.from_numpy(images), size=(16, 16), mode="bilinear",
                             align_corners=False)
    np.testing.assert_allclose(resize(images, 16), expected.numpy(), atol=1e-6)


def header(code=0x08, dims=(2, 2)):
    return bytes([0, 0, code, len(dims)]) + b"".join(n.to_bytes(4, "big") for n in dims)


@pytest.mark.parametrize("data, match", [
    (b"\x00\x01\x08\x01" + (1).to_bytes(4, "big") + b"\x00", "magic number 00010801"),
    (b"", "magic number empty"),
    (header(code=0x07) + bytes(4), "type code 0x07"),
    (bytes([0, 0, 8, 0]), "0 dimensions"),
    (header()[:9], "truncated: 9 bytes, shorter than its 12-byte header"),
    (header() + bytes(3), r"truncated: the header promises shape \(2, 2\).*but 3 bytes"),
    (header() + bytes(5), "longer than its header says"),
])
def test_read_idx_refuses_bad_files(tmp_path, data, match):
    path = write(tmp_path / "bad-idx", data)
    with pytest.raises(ValueError, match=f"read_idx: .*{match}"):
        read_idx(path)


def test_read_idx_refuses_a_cut_gzip_stream(tmp_path):
    whole = gzip.compress(header() + bytes(4))
    path = write(tmp_path / "cut.gz", whole[:-6])
    with pytest.raises(ValueError, match="read_idx: path=.*not a readable gzip file"):
        read_idx(path)


def test_load_mnist_refuses_bad_input(tmp_path, mnist_arrays):
    images, labels = mnist_arrays
    with pytest.raises(FileNotFoundError, match="load_mnist: path=.*nothing.*does not exist"):
        load_mnist(tmp_path / "nothing")
    with pytest.raises(FileNotFoundError, match="holds no train-images-idx3-ubyte"):
        load_mnist(tmp_path)
    with pytest.raises(ValueError, match="split='valid'"):
        load_mnist(tmp_path, split="valid")
    np.savez(tmp_path / "other.npz", images=images)
    with pytest.raises(ValueError, match=r"no key 'x_train' \(keys: \['images'\]\)"):
        load_mnist(tmp_path / "other.npz")
    np.savez(tmp_path / "short.npz", x_train=images, y_train=labels[:4])
    with pytest.raises(ValueError, match="4 labels for 6 images"):
        load_mnist(tmp_path / "short.npz")
    np.savez(tmp_path / "range.npz", x_train=images * 2.0)
    with pytest.raises(ValueError, match=r"floats in \[0.0, 510.0\]"):
        load_mnist(tmp_path / "range.npz")
    np.savez(tmp_path / "flat.npz", x_train=images.reshape(6, -1))
    with pytest.raises(ValueError, match=r"shape \(6, 784\)"):
        load_mnist(tmp_path / "flat.npz")


def test_sizes_are_checked():
    with pytest.raises(ValueError, match=r"load_digits: size=20 .* valid is one of \(16, 32\)"):
        load_digits(20)
    with pytest.raises(TypeError, match="resize: size=16.0"):
        resize(np.zeros((1, 1, 8, 8)), 16.0)


# --------------------------------------------------------------------------
# Checkerboard score

def band_share(image: np.ndarray, s: int, bins) -> float:
    """Energy in the listed FFT bins over all energy (NumPy's FFT, mean removed)."""
    power = np.abs(np.fft.fft2(image - image.mean())) ** 2
    return sum(power[u, v] for u, v in set(bins)) / power.sum()


def stride_bins(shape, s: int, radius: int):
    height, width = shape
    return [((k * height // s + du) % height, (l * width // s + dv) % width)
            for k in range(s) for l in range(s) if k or l
            for du in range(-radius, radius + 1) for dv in range(-radius, radius + 1)]


@pytest.mark.parametrize("s, shape", [(2, (16, 16)), (2, (6, 10)), (3, (9, 12)), (4, (8, 8))])
def test_checkerboard_score_radius_0_is_the_energy_at_the_stride_frequencies(s, shape):
    image = np.random.default_rng(s).normal(size=shape)
    expected = band_share(image, s, stride_bins(shape, s, 0))
    np.testing.assert_allclose(checkerboard_score(image, s, radius=0), expected, rtol=1e-12)


@pytest.mark.parametrize("s, shape, radius", [(2, (16, 16), 1), (2, (16, 12), 2),
                                              (3, (12, 18), 1)])
def test_checkerboard_score_is_the_energy_in_the_band_around_them(s, shape, radius):
    image = np.random.default_rng(radius).normal(size=(3, *shape))
    power = [np.abs(np.fft.fft2(one - one.mean())) ** 2 for one in image]
    bins = set(stride_bins(shape, s, radius))
    expected = sum(p[u, v] for p in power for u, v in bins) / sum(p.sum() for p in power)
    np.testing.assert_allclose(checkerboard_score(image, s, radius), expected, rtol=1e-12)


def test_checkerboard_score_band_bins_worked_by_hand():
    # 8x8, s=2, radius 1: the 3x3 squares around (4, 0), (0, 4), (4, 4) cover
    # rows 3..5 x columns {7, 0, 1}, rows {7, 0, 1} x columns 3..5 and rows 3..5
    # x columns 3..5: 27 bins, none of them DC.
    bins = set(stride_bins((8, 8), 2, 1))
    assert len(bins) == 27 and (0, 0) not in bins
    assert {(3, 7), (5, 1), (7, 3), (1, 5), (3, 3), (5, 5)} <= bins
    # A single cosine at bin (3, 0) is inside the band; at (2, 0) outside.
    i = np.arange(8)[:, None] + np.zeros((1, 8))
    assert checkerboard_score(np.cos(2 * np.pi * 3 * i / 8)) == pytest.approx(1.0)
    assert checkerboard_score(np.cos(2 * np.pi * 2 * i / 8)) == pytest.approx(0.0, abs=1e-20)


def test_checkerboard_score_hand_worked_values():
    checker = np.indices((8, 8)).sum(axis=0) % 2
    assert checkerboard_score(checker) == pytest.approx(1.0, rel=1e-14)
    assert checkerboard_score(5 * checker - 3, radius=0) == pytest.approx(1.0, rel=1e-14)
    assert checkerboard_score(np.full((4, 6), 7.0), radius=0) == 0.0
    # Columns 0 1 0 1 ...: only the column phase matters, still all of the variance.
    assert checkerboard_score(np.tile([0.0, 1.0], (8, 4))) == pytest.approx(1.0, rel=1e-14)
    # radius 0 is the phase share: phase means 2, 1, 1, 0 about a mean of 1
    # (between-variance 0.5), pixel variance 1.
    example = np.array([[3, 2, 1, 0], [2, 1, 0, -1], [2, 1, 2, 1], [1, 0, 1, 0]])
    assert checkerboard_score(example, radius=0) == pytest.approx(0.5, rel=1e-14)
    # Pooled over images: the example (between 0.5, total 1) and a 0/1
    # checkerboard (between 1/4, total 1/4): (0.5 + 0.25) / (1 + 0.25).
    assert checkerboard_score([example, checker[:4, :4]], radius=0) == pytest.approx(0.6)
    # A linear ramp over N samples: variance b^2 (N^2 - 1) / 12 per axis, phase
    # means b apart (between-variance b^2 / 4), so 3 / (N^2 - 1) on every axis.
    ramp = np.add.outer(np.linspace(0, 1, 16), np.linspace(0, 0.5, 16))
    assert checkerboard_score(ramp, radius=0) == pytest.approx(3 / 255, rel=1e-12)


def smooth_blob(n: int = 16) -> np.ndarray:
    i = np.arange(n) - (n - 1) / 2
    return np.exp(-(i[:, None] ** 2 + i[None, :] ** 2) / 18.0)


def test_checkerboard_score_is_near_zero_for_smooth_images_and_grows_with_a_planted_one():
    blob = smooth_blob()
    assert checkerboard_score(blob) < 1e-3
    assert checkerboard_score(np.ones((2, 16, 16))) == 0.0
    checker = (-1.0) ** np.indices((16, 16)).sum(axis=0)
    amplitudes = [0.0, 0.01, 0.03, 0.1, 0.3, 1.0]
    for radius in (0, 1, 2):
        scores = [checkerboard_score(blob + a * checker, radius=radius) for a in amplitudes]
        assert all(low < high for low, high in itertools.pairwise(scores)), scores
        assert scores[0] < 1e-3 and scores[-2] > 0.5 and scores[-1] > 0.9
    # The blob is symmetric, so its phase means agree: A^2 / (A^2 + var(blob)).
    a = 0.1
    assert checkerboard_score(blob + a * checker, radius=0) == pytest.approx(
        a**2 / (a**2 + blob.var()), rel=1e-12)


def test_checkerboard_score_sees_a_transposed_convolution_pattern():
    """Transposed convolutions (stride 2) of a smooth input. k3 with an all-ones
    kernel: interior coverage 4/2/2/1 (docs/rules/checkerboard.md), a strong checkerboard.
    k4 with all ones: even coverage, but pairs of equal pixels (nearest
    up-sampling's staircase). k4 with the bilinear taps 1/4 [1, 3, 3, 1]
    (per axis): smooth."""
    x = torch.from_numpy(smooth_blob(12)[None, None] + 1.0)
    taps = torch.tensor([1.0, 3.0, 3.0, 1.0], dtype=torch.float64) / 4

    def up(weight, **geometry):
        y = F.conv_transpose2d(x, weight[None, None], stride=2, padding=1, **geometry)
        return y[0, 0, 2:-2, 2:-2].numpy()

    uneven = checkerboard_score(up(torch.ones(3, 3, dtype=torch.float64), output_padding=1))
    staircase = checkerboard_score(up(torch.ones(4, 4, dtype=torch.float64)))
    bilinear = checkerboard_score(up(torch.outer(taps, taps)))
    assert uneven > 0.5
    assert 1e-3 < staircase < 0.1
    assert bilinear < 1e-4


@pytest.mark.parametrize("images, stride, error, match", [
    (np.zeros((4, 4)), 1, ValueError, "stride=1 must be >= 2"),
    (np.zeros((4, 4)), 2.0, TypeError, "stride=2.0 must be a positive int"),
    (np.zeros((4, 4)), 0, ValueError, "stride=0"),
    (np.zeros((5, 4)), 2, ValueError, "images of 5x4 do not split into stride=2"),
    (np.zeros(4), 2, ValueError, r"images has shape \(4,\)"),
    (np.zeros((0, 4, 4)), 2, ValueError, "empty axis"),
    (np.full((2, 2), np.nan), 2, ValueError, "NaN or infinite"),
])
def test_checkerboard_score_refuses_bad_input(images, stride, error, match):
    with pytest.raises(error, match=f"checkerboard_score: .*{match}"):
        checkerboard_score(images, stride, radius=0)


def test_checkerboard_score_refuses_a_band_that_reaches_low_frequencies():
    with pytest.raises(ValueError, match=r"checkerboard_score: radius=2 is out of range for "
                                         r"16x8 images and stride=2; valid is 0 <= radius "
                                         r"< min\(H, W\) / \(2 \* stride\) = 2"):
        checkerboard_score(np.zeros((16, 8)), radius=2)
    with pytest.raises(ValueError, match="radius=-1"):
        checkerboard_score(np.zeros((16, 16)), radius=-1)
    with pytest.raises(TypeError, match="radius=1.0 must be an int"):
        checkerboard_score(np.zeros((16, 16)), radius=1.0)


# --------------------------------------------------------------------------
# Models

@pytest.mark.parametrize("method", METHODS)
def test_every_method_doubles_the_size(method):
    block = upsampling_block(method, 3, 2)
    assert block(torch.zeros(2, 3, 4, 5)).shape == (2, 2, 8, 10)
    for model in (Autoencoder(method, 32), VAE(method, 32)):
        logits = model(torch.zeros(2, 1, 32, 32))
        logits = logits[0] if isinstance(logits, tuple) else logits
        assert logits.shape == (2, 1, 32, 32)
    assert Generator(method, 16)(torch.zeros(3, 32)).shape == (3, 1, 16, 16)


def test_unknown_method_and_bad_sizes_are_refused():
    with pytest.raises(ValueError, match=r"upsampling_block: method='deconv' .* valid: "
                                         r"'tconv-k3s2', 'tconv-k4s2'"):
        upsampling_block("deconv", 1, 1)
    with pytest.raises(ValueError, match="Autoencoder: size=18 must be an int >= 8 "
                                         "divisible by 4"):
        Autoencoder("subpixel", 18)


def test_vae_loss_is_bce_plus_the_kl_divergence_from_the_standard_normal():
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(3, 1, 16, 16, generator=generator)
    x = torch.rand(3, 1, 16, 16, generator=generator)
    mu, logvar = torch.randn(3, 4, generator=generator), torch.randn(3, 4, generator=generator)
    reconstruction, kl = VAE.loss(logits, x, mu, logvar)
    expected_bce = F.binary_cross_entropy(torch.sigmoid(logits), x, reduction="sum") / 3
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    p = torch.distributions.Normal(torch.zeros(3, 4), torch.ones(3, 4))
    expected_kl = torch.distributions.kl_divergence(q, p).sum() / 3
    torch.testing.assert_close(reconstruction, expected_bce, rtol=1e-5, atol=1e-4)
    torch.testing.assert_close(kl, expected_kl, rtol=1e-5, atol=1e-5)


# --------------------------------------------------------------------------
# Training runs (tiny)

@pytest.mark.parametrize("method", METHODS)
def test_autoencoder_training_lowers_the_loss(digits, method):
    result = train_autoencoder(digits, method, steps=24, batch_size=16, progress=False)
    losses = result.losses["loss"]
    assert len(losses) == 24 and np.isfinite(losses).all()
    assert np.mean(losses[-3:]) < 0.8 * losses[0], losses


@pytest.mark.parametrize("method", ["tconv-k3s2", "subpixel-icnr"])
def test_vae_training_lowers_the_loss(digits, method):
    result = train_autoencoder(digits, method, vae=True, steps=24, batch_size=16,
                               progress=False)
    total = np.add(result.losses["reconstruction"], result.losses["kl"])
    assert len(total) == 24 and np.isfinite(total).all()
    assert np.mean(total[-3:]) < 0.9 * total[0], total


def test_gan_training_moves_both_losses_and_stays_finite(digits):
    result = train_gan(digits, "tconv-k3s2", steps=6, batch_size=16, progress=False)
    for name in ("discriminator", "generator"):
        losses = result.losses[name]
        assert len(losses) == 6 and np.isfinite(losses).all()
        assert len(set(losses)) > 1, (name, losses)
    samples = result.model(torch.randn(8, 32))
    assert samples.shape == (8, 1, 16, 16) and torch.isfinite(samples).all()
    assert samples.abs().max() <= 1.0
    # The generator moved away from its initial weights (same seed -> same start).
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        before = Generator("tconv-k3s2", 16)
    start = before.state_dict()
    assert any(not torch.equal(start[key], value)
               for key, value in result.model.state_dict().items())


def test_the_budget_counts_full_batches(digits):
    result = train_autoencoder(digits, "subpixel", epochs=2, batch_size=16, progress=False)
    assert len(result.losses["loss"]) == 6 and len(result.epochs) == 2
    result = train_autoencoder(digits[:5], "subpixel", steps=3, batch_size=16, progress=False)
    assert len(result.losses["loss"]) == 3 and len(result.epochs) == 3


def test_a_fixed_seed_gives_the_same_run_twice(digits):
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    runs = []
    for seed in (7, 7, 8):
        torch.manual_seed(123)
        ae = train_autoencoder(digits, "tconv-k3s2", vae=True, steps=4, batch_size=16,
                               seed=seed, progress=False)
        gan = train_gan(digits, "resize-bilinear", steps=3, batch_size=16, seed=seed,
                        progress=False)
        # The caller's random stream is left as it was.
        assert torch.equal(torch.rand(3), expected_next)
        runs.append((ae, gan))
    (ae1, gan1), (ae2, gan2), (ae3, gan3) = runs
    assert ae1.losses == ae2.losses and gan1.losses == gan2.losses
    for one, two in ((ae1.model, ae2.model), (gan1.model, gan2.model)):
        for key, value in one.state_dict().items():
            assert torch.equal(value, two.state_dict()[key]), key
    assert ae1.losses != ae3.losses and gan1.losses != gan3.losses
    assert not torch.are_deterministic_algorithms_enabled()


def test_checkpoint_and_grid_are_written(digits, tmp_path):
    result = train_autoencoder(digits, "resize-nearest", steps=2, batch_size=16, out=tmp_path,
                               progress=False)
    assert sorted(os.path.basename(f) for f in result.files) == [
        "autoencoder-resize-nearest.png", "autoencoder-resize-nearest.pt"]
    checkpoint = torch.load(tmp_path / "autoencoder-resize-nearest.pt", weights_only=True)
    assert checkpoint["method"] == "resize-nearest" and checkpoint["size"] == 16
    model = Autoencoder("resize-nearest", 16)
    model.load_state_dict(checkpoint["model"])
    model.eval()
    x = torch.from_numpy(digits[:4])
    with torch.no_grad():
        torch.testing.assert_close(model(x), result.model(x), rtol=0, atol=0)
    with Image.open(tmp_path / "autoencoder-resize-nearest.png") as grid:
        # 4 rows (originals, rebuilt, originals, rebuilt) of 8 tiles of 32 px, 1 px gaps.
        assert grid.mode == "L" and grid.size == (8 * 33 - 1, 4 * 33 - 1)
        pixels = np.asarray(grid)
    np.testing.assert_array_equal(pixels[:32, :32], np.rint(
        np.repeat(np.repeat(digits[0, 0], 2, 0), 2, 1) * 255))
    gan = train_gan(digits, "subpixel", steps=1, batch_size=16, out=tmp_path, progress=False)
    checkpoint = torch.load(gan.files[0], weights_only=True)
    assert set(checkpoint) >= {"model", "discriminator"}


@pytest.mark.parametrize("call, error, match", [
    (lambda d: train_autoencoder(d, "deconv"), ValueError, "train_autoencoder: method='deconv'"),
    (lambda d: train_gan(d[:, 0]), ValueError, r"train_gan: images has shape \(48, 16, 16\)"),
    (lambda d: train_gan(d[..., :10, :10]), ValueError, "S >= 8 divisible by 4"),
    (lambda d: train_autoencoder(d * 2), ValueError, r"finite values in \[0, 1\]"),
    (lambda d: train_autoencoder(d, steps=0), ValueError, "train_autoencoder: steps=0"),
    (lambda d: train_gan(d, epochs=1.5), TypeError, "train_gan: epochs=1.5"),
    (lambda d: train_gan(d, batch_size=-1), ValueError, "batch_size=-1"),
    (lambda d: train_gan(d, seed=-3), ValueError, "seed=-3 must be an int >= 0"),
    (lambda d: compare("unused", methods=[]), ValueError, "compare: methods=.*empty"),
    (lambda d: compare("unused", methods=["x"]), ValueError, "compare: method='x'"),
])
def test_training_refuses_bad_input(digits, call, error, match):
    with pytest.raises(error, match=match):
        call(digits)


# --------------------------------------------------------------------------
# The command line

def cli(capsys, *argv):
    status = main(["train", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_cli_methods_are_the_library_methods():
    assert cli_train.METHODS == METHODS


def test_cli_autoencoder_vae_and_gan_write_their_files(tmp_path, capsys):
    for argv, name in ((["autoencoder"], "autoencoder-tconv-k4s2"),
                       (["autoencoder", "--vae", "--method", "subpixel-icnr"],
                        "vae-subpixel-icnr"),
                       (["gan", "--method", "tconv-k3s2", "--seed", "3"], "gan-tconv-k3s2")):
        status, out, err = cli(capsys, *argv, "--steps", "2", "--out", str(tmp_path))
        assert status == 0, err
        assert f"{name.split('-')[0]} " in out and "2 steps" in out
        assert (tmp_path / f"{name}.pt").is_file() and (tmp_path / f"{name}.png").is_file()
        assert f"wrote {tmp_path / name}.png" in out
        assert "1/1" in err  # the progress bar, with its epoch


def test_cli_trains_on_an_npz_at_size_32(tmp_path, capsys, mnist_arrays):
    np.savez(tmp_path / "mnist.npz", x_train=mnist_arrays[0])
    status, _out, err = cli(capsys, "autoencoder", "--data", str(tmp_path / "mnist.npz"),
                           "--size", "32", "--steps", "1", "--batch-size", "4", "--quiet",
                           "--out", str(tmp_path / "run"))
    assert status == 0, err
    assert err == ""
    checkpoint = torch.load(tmp_path / "run" / "autoencoder-tconv-k4s2.pt", weights_only=True)
    assert checkpoint["size"] == 32


def test_cli_compare_writes_the_report(tmp_path, capsys):
    status, out, err = cli(capsys, "compare", "--method", "tconv-k3s2", "--method",
                           "resize-nearest", "--steps", "2", "--quiet", "--out",
                           str(tmp_path))
    assert status == 0, err
    names = {"report.md", "overview.png", "scores.png", "grid-tconv-k3s2.png",
             "grid-resize-nearest.png"}
    assert names == set(os.listdir(tmp_path))
    report = (tmp_path / "report.md").read_text()
    assert ("`tconv train compare --method tconv-k3s2 --method resize-nearest --steps 2 "
            f"--out {tmp_path}`") in report
    rows = [line for line in report.splitlines() if line.startswith("| `")]
    assert [row.split("|")[1].strip() for row in rows] == ["`tconv-k3s2`", "`resize-nearest`"]
    for row in rows:
        numbers = [float(cell) for cell in row.split("|")[2:8]]
        assert all(0.0 <= value <= 1.0 for value in numbers[:5])
    assert out.splitlines()[1].split() == ["method", "AE", "MSE", "VAE", "MSE", "cb", "AE",
                                           "cb", "VAE", "cb", "GAN"]
    for name in names - {"report.md"}:
        with Image.open(tmp_path / name) as image:
            assert image.size[0] > 100
        assert (tmp_path / name).stat().st_size < 200_000


@pytest.mark.parametrize("argv, match", [
    (["autoencoder", "--method", "deconv"], "argument --method: invalid choice: 'deconv'"),
    (["gan", "--data", "/no/such/path"], "--data='/no/such/path' does not exist"),
    (["compare", "--size", "20"], "argument --size: invalid choice: 20"),
    (["autoencoder", "--steps", "0"], "argument --steps: '0' is not a positive int"),
    (["gan", "--seed", "-1"], "argument --seed: '-1' is not a seed"),
    (["gan", "--frobnicate"], "unrecognized arguments: --frobnicate"),
])
def test_cli_errors_name_the_flag(capsys, argv, match):
    status, out, err = cli(capsys, *argv)
    assert status == 2 and out == ""
    assert f"tconv train {argv[0]}: error: " in err
    assert match in err


def test_cli_reports_a_directory_without_mnist_files(tmp_path, capsys):
    status, out, err = cli(capsys, "autoencoder", "--data", str(tmp_path), "--out",
                           str(tmp_path / "run"))
    assert status == 2 and out == ""
    assert "tconv train autoencoder: error: load_mnist: path=" in err
    assert "holds no train-images-idx3-ubyte" in err
    write(tmp_path / "train-images-idx3-ubyte", b"\x00\x00\x08\x03" + bytes(5))
    status, _out, err = cli(capsys, "gan", "--data", str(tmp_path))
    assert status == 2 and "is truncated" in err


def test_cli_train_needs_a_command(capsys):
    status, _out, err = cli(capsys)
    assert status == 2 and "tconv train: error: the following arguments are required" in err


def test_import_tconv_and_the_cli_do_not_import_torch():
    code = ("import sys, tconv, tconv.cli; tconv.cli.build_parser(); "
            "print(sorted(m for m in ('torch', 'tconv.train', 'sklearn') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_cli_without_torch_names_the_train_extra():
    # A fresh interpreter without torch, as on a core-only install (None in
    # sys.modules: import fails and importlib.util.find_spec finds nothing).
    script = (
        "import sys\n"
        "sys.modules['torch'] = None\n"
        "from tconv.cli import main\n"
        "sys.exit(main(['train', 'autoencoder', '--steps', '1', '--quiet']))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == (
        "tconv train autoencoder: error: tconv.train needs PyTorch, scikit-learn and tqdm "
        "(missing: torch); install them with: pip install 'tconv[train]'")
