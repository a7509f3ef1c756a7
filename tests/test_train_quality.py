"""``tconv.train.quality``: PSNR, SSIM, luma, IoU and accuracy against hand counts and
outside implementations (scikit-image's SSIM, scikit-learn's confusion matrix and
Jaccard score)."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from skimage.metrics import structural_similarity
from sklearn.metrics import confusion_matrix, jaccard_score

from tconv.train import quality
from tconv.train.quality import (
    boundary_band,
    boundary_iou,
    confusion,
    mean_iou,
    pixel_accuracy,
    psnr,
    rgb_to_y,
    ssim,
)


def test_docstring_examples_pass():
    result = doctest.testmod(quality, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10 and result.failed == 0


def test_rgb_to_y_is_bt601_studio_range():
    rgb = np.array([[[0, 0, 0], [1, 1, 1]], [[1, 0, 0], [0, 0.5, 0]]], dtype=np.float64)
    expected = np.array([[16, 235], [16 + 65.481, 16 + 128.553 / 2]]) / 255
    np.testing.assert_allclose(rgb_to_y(rgb), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(rgb_to_y(rgb.transpose(2, 0, 1)), expected, rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="colour axis of length 3"):
        rgb_to_y(np.zeros((4, 4)))


def test_psnr_by_hand():
    reference = np.zeros((5, 7))
    estimate = np.zeros((5, 7))
    estimate[2, 3] = 0.5                     # MSE = 0.25 / 35
    assert psnr(estimate, reference) == pytest.approx(10 * np.log10(35 / 0.25), abs=1e-12)
    estimate[0, :] = 1.0                      # in the border: cropped away with border=1
    assert psnr(estimate, reference, border=1) == pytest.approx(10 * np.log10(15 / 0.25),
                                                                abs=1e-12)
    assert psnr(reference, reference) == float("inf")
    assert psnr(estimate * 255, reference, border=1, peak=255) == pytest.approx(
        10 * np.log10(15 / 0.25), abs=1e-9)
    with pytest.raises(ValueError, match="border=3 leaves nothing of 5x7"):
        psnr(estimate, reference, border=3)
    with pytest.raises(ValueError, match="shapes"):
        psnr(estimate, reference[:4])


@pytest.mark.parametrize("shape, noise", [((32, 40), 0.1), ((11, 11), 0.3), ((50, 23), 0.02)])
def test_ssim_matches_scikit_image(shape, noise):
    rng = np.random.default_rng(shape[0])
    clean = rng.random(shape)
    noisy = np.clip(clean + noise * rng.standard_normal(shape), 0, 1)
    expected = structural_similarity(noisy, clean, gaussian_weights=True, sigma=1.5,
                                     use_sample_covariance=False, data_range=1.0)
    assert ssim(noisy, clean) == pytest.approx(expected, rel=0, abs=1e-12)


def test_ssim_of_constant_images_by_hand():
    # No variance: SSIM = (2ab + C1) / (a^2 + b^2 + C1) everywhere.
    a, b, c1 = 0.3, 0.6, 0.01 ** 2
    value = ssim(np.full((12, 12), a), np.full((12, 12), b))
    assert value == pytest.approx((2 * a * b + c1) / (a * a + b * b + c1), abs=1e-12)
    with pytest.raises(ValueError, match="smaller than the 11x11 window"):
        ssim(np.zeros((10, 30)), np.zeros((10, 30)))


# A 4x4 case counted by hand:
#   truth        prediction
#   0 0 1 1      0 0 1 1
#   0 0 1 1      0 1 1 1
#   2 2 2 2      2 2 0 2
#   2 2 2 2      2 2 2 2
TRUTH = np.array([[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 2, 2], [2, 2, 2, 2]])
PREDICTION = np.array([[0, 0, 1, 1], [0, 1, 1, 1], [2, 2, 0, 2], [2, 2, 2, 2]])


def test_confusion_accuracy_and_iou_by_hand():
    counts = confusion(PREDICTION, TRUTH, 3)
    np.testing.assert_array_equal(counts, [[3, 1, 0], [0, 4, 0], [1, 0, 7]])
    assert pixel_accuracy(PREDICTION, TRUTH, 3) == 14 / 16
    # class 0: TP 3, union 3 + 1 (FN) + 1 (FP) = 5; class 1: 4 / 5; class 2: 7 / 8
    assert mean_iou(PREDICTION, TRUTH, 3) == pytest.approx((3 / 5 + 4 / 5 + 7 / 8) / 3)
    # A class in neither map is left out of the mean.
    assert mean_iou(PREDICTION, TRUTH, 5) == pytest.approx((3 / 5 + 4 / 5 + 7 / 8) / 3)


def test_confusion_and_iou_match_scikit_learn():
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 4, (3, 9, 9))
    prediction = np.where(rng.random(truth.shape) < 0.7, truth, rng.integers(0, 4, truth.shape))
    np.testing.assert_array_equal(confusion(prediction, truth, 4),
                                  confusion_matrix(truth.ravel(), prediction.ravel(),
                                                   labels=range(4)))
    assert mean_iou(prediction, truth, 4) == pytest.approx(
        jaccard_score(truth.ravel(), prediction.ravel(), average="macro"), abs=1e-12)


def test_boundary_band_and_iou_by_hand():
    band = boundary_band(TRUTH, 1)
    # Pixels with a 4-neighbour of another class: every pixel of rows 1 and 2 and the
    # 0|1 edge pixels of row 0.
    expected = np.array([[0, 1, 1, 0], [1, 1, 1, 1], [1, 1, 1, 1], [0, 0, 0, 0]], bool)
    np.testing.assert_array_equal(band, expected)
    assert boundary_band(TRUTH, 2).all()
    # On the band: class 0 TP 2 (0,1),(1,0); FN (1,1); FP (2,2) -> 2/4. Class 1: TP 3
    # (0,2),(1,2),(1,3) + FP (1,1) -> 3/4. Class 2: TP 3 of truth 4, FN (2,2) -> 3/4.
    assert boundary_iou(PREDICTION, TRUTH, 3, width=1) == pytest.approx((2 / 4 + 3 / 4 + 3 / 4)
                                                                         / 3)


@pytest.mark.parametrize("call, error, match", [
    (lambda: mean_iou(PREDICTION, TRUTH, 2), ValueError, "holds classes 0..2; valid is 0..1"),
    (lambda: mean_iou(PREDICTION * 1.0, TRUTH, 3), TypeError, "class maps must be ints"),
    (lambda: confusion(PREDICTION[:3], TRUTH, 3), ValueError, "shapes"),
    (lambda: boundary_band(TRUTH, 0), ValueError, "width=0 must be an int >= 1"),
    (lambda: psnr(np.full((4, 4), np.nan), np.zeros((4, 4))), ValueError, "NaN"),
])
def test_metrics_refuse_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
