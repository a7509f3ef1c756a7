"""``tconv train compare --task superres|segment``: every method, same budget and seeds, one report.

Each method is trained once per seed with the same number of steps, batch
size and learning rate; the report gives the mean and the spread (sample
standard deviation over the seeds) of every measure, marks which methods are
within noise of the best (:func:`within_noise`), and draws plots and example
grids. Labels are drawn with a real TrueType font (matplotlib's DejaVu Sans)
so they stay readable.
"""

from __future__ import annotations

import math
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from .._files import atomic_output
from . import engine
from .metrics import checkerboard_score

SEEDS = (0, 1, 2)
"""Seeds of a default comparison."""

DEFAULTS = {
    "superres": {"steps": 800, "batch_size": 16, "learning_rate": 2e-3, "scales": (2, 3)},
    "segment": {"steps": 400, "batch_size": 8, "learning_rate": 1e-2},
}
"""Budgets of a default comparison per task (a few minutes per task on 2 free cores)."""

QUICK = {
    "superres": {"steps": 3, "batch_size": 4, "learning_rate": 2e-3, "scales": (2,)},
    "segment": {"steps": 3, "batch_size": 4, "learning_rate": 1e-2},
}
"""Budgets of ``--quick`` (CI): tiny models, a few steps, one seed."""


@dataclass
class Comparison:
    """What :func:`compare_superres` or :func:`compare_segment` measured.

    Attributes
    ----------
    task : str
        ``"superres"`` or ``"segment"``.
    rows : list of dict
        One per (scale,) method: the method, its parameter count, and per
        measure a list of per-seed values (``runs``).
    files : list of str
        Files written.
    seconds : float
        Wall time.
    settings : dict
        Budget, seeds, data.
    """

    task: str
    rows: list[dict]
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0
    settings: dict = field(default_factory=dict)


# --------------------------------------------------------------------------
# Statistics

def mean_spread(values) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for one value).

    Examples
    --------
    >>> from tconv.train.report import mean_spread
    >>> mean_spread([1.0, 2.0, 3.0])
    (2.0, 1.0)
    """
    array = np.asarray(values, dtype=np.float64)
    spread = float(array.std(ddof=1)) if array.size > 1 else 0.0
    return float(array.mean()), spread


def within_noise(a, b) -> bool:
    """Whether two sets of per-seed values differ by less than twice the noise.

    The noise is the standard error of the difference of the means,
    ``sqrt(s_a^2 / n_a + s_b^2 / n_b)`` (Welch). With fewer than 2 seeds
    per side nothing can be said, and the answer is True (not separated).

    Examples
    --------
    >>> from tconv.train.report import within_noise
    >>> within_noise([1.0, 1.1, 0.9], [1.05, 1.15, 0.95])
    True
    >>> within_noise([1.0, 1.01, 0.99], [2.0, 2.01, 1.99])
    False
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.size < 2 or b.size < 2:
        return True
    noise = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    return bool(abs(a.mean() - b.mean()) <= 2.0 * noise)


def near(a, b) -> bool:
    """Within noise, and measured over at least 2 seeds each (else no claim is made)."""
    return len(a) > 1 and len(b) > 1 and within_noise(a, b)


def _cell(values, digits: int) -> str:
    mean, spread = mean_spread(values)
    if len(values) < 2:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {spread:.{digits}f}"


# --------------------------------------------------------------------------
# Drawing

def font(size: int = 13):
    """A TrueType font (matplotlib's bundled DejaVu Sans) at ``size`` pixels.

    Examples
    --------
    >>> from tconv.train.report import font
    >>> font(12).size
    12
    """
    from matplotlib import font_manager
    from PIL import ImageFont

    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
    return ImageFont.truetype(path, size)


def labelled_grid(tiles, columns: int, labels, *, gap: int = 6, label_height: int = 18,
                  size: int = 13):
    """Equal-sized ``(H, W)`` or ``(H, W, 3)`` tiles in ``[0, 1]`` in a grid, each captioned."""
    from PIL import Image, ImageDraw

    tiles = [np.asarray(tile, np.float64) for tile in tiles]
    height, width = tiles[0].shape[:2]
    rows = math.ceil(len(tiles) / columns)
    sheet = Image.new("RGB", (columns * (width + gap) + gap,
                              rows * (height + label_height + gap) + gap), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    typeface = font(size)
    for index, (tile, label) in enumerate(zip(tiles, labels)):
        row, column = divmod(index, columns)
        left = gap + column * (width + gap)
        top = gap + row * (height + label_height + gap)
        draw.text((left, top), label, fill=(0, 0, 0), font=typeface)
        pixels = np.rint(np.clip(tile, 0, 1) * 255).astype(np.uint8)
        if pixels.ndim == 2:
            pixels = np.repeat(pixels[..., None], 3, axis=2)
        sheet.paste(Image.fromarray(pixels), (left, top + label_height))
    return sheet


def save_image(image, path: Path) -> str:
    with atomic_output(path, force=True, flag="--out") as temporary:
        image.save(temporary, optimize=True)
    return os.fspath(path)


def save_text(text: str, path: Path) -> str:
    with atomic_output(path, force=True, flag="--out") as temporary:
        Path(temporary).write_text(text, encoding="utf-8")
    return os.fspath(path)


def _save_figure(figure, path: Path) -> str:
    with atomic_output(path, force=True, flag="--out") as temporary:
        figure.savefig(temporary)
    return os.fspath(path)


class Progress:
    """Overall progress of a comparison: "run 7 of 18, 3 min elapsed, about 4 min left"."""

    def __init__(self, total: int, show: bool = True) -> None:
        self.total, self.done, self.show = total, 0, show
        self.started = time.perf_counter()

    def begin(self, what: str) -> None:
        if not self.show:
            return
        elapsed = time.perf_counter() - self.started
        left = ""
        if self.done:
            left = f", about {_duration(elapsed / self.done * (self.total - self.done))} left"
        print(f"run {self.done + 1} of {self.total}: {what} ({_duration(elapsed)} elapsed"
              f"{left})", file=sys.stderr, flush=True)

    def end(self) -> None:
        self.done += 1


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _parameters(model) -> int:
    return sum(p.numel() for p in model.parameters())


def _header(title: str, command: str, seconds: float, settings: dict) -> list[str]:
    return [f"# {title}", "",
            (f"Made by `{command}` in {_duration(seconds)} (torch {torch.__version__}, "
            f"{settings['threads']} thread(s) per process, {settings['nproc']} process(es), "
            f"{platform.machine()}, {os.cpu_count()} CPUs)."), ""]


# --------------------------------------------------------------------------
# Super-resolution

def compare_superres(out, *, methods=None, scales=None, seeds=SEEDS, steps=None,
                     batch_size=None, learning_rate=None, quick: bool = False, nproc: int = 1,
                     threads: int | None = None, progress: bool = True,
                     command: str = "tconv train compare --task superres") -> Comparison:
    """Train every super-resolution tail at every scale and seed; write the report to ``out``.

    Writes ``report.md``, ``gain.png`` (PSNR gain over bicubic and the
    checkerboard score of the error, mean and spread per method) and
    ``crops-x<scale>.png`` (a held-out crop per method, seed 0's model).

    Examples
    --------
    >>> import tempfile
    >>> from tconv.train.report import compare_superres
    >>> result = compare_superres(tempfile.mkdtemp(), methods=["subpixel"], quick=True,
    ...                           progress=False)  # doctest: +SKIP
    >>> [row["method"] for row in result.rows]  # doctest: +SKIP
    ['bicubic', 'subpixel']
    """
    from . import superres
    from .photos import HELD_OUT, TRAIN, load_photos

    base = QUICK["superres"] if quick else DEFAULTS["superres"]
    methods = list(superres.METHODS if methods is None else methods)
    for method in methods:
        superres.check_method("compare", method)
    scales = list(base["scales"] if scales is None else scales)
    seeds = list(seeds[:1] if quick else seeds)
    budget = {"steps": steps or base["steps"], "batch_size": batch_size or base["batch_size"],
              "learning_rate": learning_rate or base["learning_rate"]}
    started = time.perf_counter()
    held = load_photos(HELD_OUT)
    counter = Progress(len(scales) * len(methods) * len(seeds), progress)
    rows, examples = [], {}
    for scale in scales:
        bicubic = superres.evaluate(None, scale, held)
        base_row = {"scale": scale, "method": "bicubic", "params": 0,
                    "psnr": [bicubic["psnr"]], "ssim": [bicubic["ssim"]], "gain": [0.0],
                    "cb_out": [_sr_checker(bicubic, scale, "out")],
                    "cb_err": [_sr_checker(bicubic, scale, "err")], "seconds": [0.0]}
        rows.append(base_row)
        examples[(scale, "bicubic")] = bicubic["outputs"]
        for method in methods:
            row = {"scale": scale, "method": method, "psnr": [], "ssim": [], "gain": [],
                   "cb_out": [], "cb_err": [], "seconds": []}
            for seed in seeds:
                counter.begin(f"superres x{scale} {method} seed {seed}")
                job = superres.job(method, scale, quick=quick)
                fitted = engine.fit(job, seed=seed, nproc=nproc, threads=threads,
                                    progress=False, **budget)
                model = superres.load_model(fitted.state, job.options)
                measured = superres.evaluate(model, scale, held)
                row["params"] = _parameters(model)
                row["psnr"].append(measured["psnr"])
                row["ssim"].append(measured["ssim"])
                row["gain"].append(measured["psnr"] - bicubic["psnr"])
                row["cb_out"].append(_sr_checker(measured, scale, "out"))
                row["cb_err"].append(_sr_checker(measured, scale, "err"))
                row["seconds"].append(fitted.seconds)
                if seed == seeds[0]:
                    examples[(scale, method)] = measured["outputs"]
                counter.end()
            rows.append(row)
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    settings = {**budget, "seeds": seeds, "scales": scales, "train": list(TRAIN),
                "held_out": list(HELD_OUT), "quick": quick, "nproc": nproc,
                "threads": threads or engine.default_threads(nproc)}
    result = Comparison("superres", rows, [], 0.0, settings)
    result.files.append(_sr_plot(directory / "gain.png", rows, scales))
    for scale in scales:
        result.files.append(_sr_crops(directory / f"crops-x{scale}.png", examples, scale,
                                      ["bicubic", *methods]))
    result.seconds = time.perf_counter() - started
    result.files.insert(0, save_text(_sr_report(result, command), directory / "report.md"))
    return result


def _sr_checker(measured: dict, scale: int, which: str) -> float:
    """Mean over held-out images of the checkerboard score (stride ``scale``) of the
    super-resolved image (``out``) or of its error against the original (``err``)."""
    scores = []
    for high, estimate in measured["outputs"].values():
        image = estimate if which == "out" else estimate - high
        scores.append(checkerboard_score(image, stride=scale))
    return float(np.mean(scores))


def sr_table(rows, scale: int) -> list[str]:
    """The Markdown table of one scale (rows of :func:`compare_superres`)."""
    chosen = [row for row in rows if row["scale"] == scale]
    learned = [row for row in chosen if row["method"] != "bicubic"]
    best = max(learned, key=lambda row: np.mean(row["psnr"])) if learned else None
    least = min(learned, key=lambda row: np.mean(row["cb_err"])) if learned else None
    lines = [f"x{scale}:", "",
             ("| method | params | PSNR-Y (dB) | gain over bicubic (dB) | SSIM-Y | "
             "checkerboard: output | checkerboard: error | train s |"),
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in chosen:
        mark = ""
        if best is not None and row["method"] != "bicubic":
            if row is best:
                mark = " (best)"
            elif near(row["psnr"], best["psnr"]):
                mark = " (≈ best)"
        cb_mark = ""
        if least is not None and row["method"] != "bicubic" and row is not least and (
                near(row["cb_err"], least["cb_err"])):
            cb_mark = " ≈"
        lines.append(
            f"| `{row['method']}` | {row['params']} | {_cell(row['psnr'], 2)}{mark} | "
            f"{_cell(row['gain'], 2)} | {_cell(row['ssim'], 4)} | {_cell(row['cb_out'], 4)} | "
            f"{_cell(row['cb_err'], 4)}{cb_mark} | {mean_spread(row['seconds'])[0]:.0f} |")
    return lines


def _sr_report(result: Comparison, command: str) -> str:
    s = result.settings
    lines = _header("Super-resolution: which up-sampling tail does what", command,
                    result.seconds, s)
    lines += [
        (f"Data: luma (BT.601) of photographs bundled in scikit-image and scikit-learn; "
         f"training: {', '.join(s['train'])}; held-out: {', '.join(s['held_out'])}. "
         "Low resolution by bicubic down-sampling with antialiasing (PyTorch, "
         "`antialias=True`)."),
        "",
        (f"Every model: {s['steps']} steps of Adam (learning rate {s['learning_rate']:g}), "
         f"batch {s['batch_size']} random patches, seeds {', '.join(map(str, s['seeds']))}; "
         "values are mean ± sample standard deviation over the seeds."),
        ""]
    for scale in s["scales"]:
        lines += sr_table(result.rows, scale) + [""]
    lines += [
        ("* **PSNR-Y / SSIM-Y**: on the held-out photos' luma, outputs rounded to 8 bits, "
         "`scale` pixels cropped from each border, averaged over the photos. **gain**: "
         "PSNR minus our bicubic row's."),
        ("* **(best)** has the highest mean PSNR; **(≈ best)** is within noise of it: the "
         "difference of the means is at most twice its standard error over the seeds. "
         "**≈** in the error column: within noise of the lowest score."),
        ("* **checkerboard**: `tconv.train.checkerboard_score` with stride = scale: the "
         "share of spectral energy in the bins around the frequencies of the `scale`-pixel "
         "grid, of the output and of its error (output minus original). A tail that "
         "prints a pattern repeating every `scale` pixels raises the error score; the "
         "bicubic row is the level without any learned tail."),
        "",
        "![PSNR gain and error checkerboard score per method](gain.png)",
        ""]
    for scale in s["scales"]:
        lines += [f"![held-out crops at x{scale}](crops-x{scale}.png)", ""]
    return "\n".join(lines)


def _sr_plot(path: Path, rows, scales) -> str:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 3.6), dpi=80, layout="constrained")
    gains, checks = figure.subplots(1, 2)
    methods = [row["method"] for row in rows if row["scale"] == scales[0]]
    where = np.arange(len(methods))
    width = 0.8 / len(scales)
    for k, scale in enumerate(scales):
        chosen = [row for row in rows if row["scale"] == scale]
        offset = (k - (len(scales) - 1) / 2) * width
        stats = [mean_spread(row["gain"]) for row in chosen]
        gains.bar(where + offset, [m for m, _ in stats], width, yerr=[e for _, e in stats],
                  capsize=3, label=f"x{scale}")
        stats = [mean_spread(row["cb_err"]) for row in chosen]
        checks.bar(where + offset, [m for m, _ in stats], width, yerr=[e for _, e in stats],
                   capsize=3, label=f"x{scale}")
    gains.set_ylabel("PSNR-Y gain over bicubic (dB)")
    gains.set_title("quality (higher is better)")
    checks.set_ylabel("checkerboard score of the error")
    checks.set_title("grid-periodic error (lower is smoother)")
    for axes in (gains, checks):
        axes.set_xticks(where, methods, rotation=25, ha="right")
        axes.legend(fontsize="small")
    return _save_figure(figure, path)


def _sr_crops(path: Path, examples: dict, scale: int, methods) -> str:
    """One 64x64 crop of each held-out photo (original, then each method), enlarged 2x."""
    tiles, labels = [], []
    names = list(examples[(scale, "bicubic")])
    for name in names:
        high = examples[(scale, "bicubic")][name][0]
        size = min(64, *high.shape)
        top, left = (high.shape[0] - size) // 2, (high.shape[1] - size) // 2
        window = (slice(top, top + size), slice(left, left + size))
        tiles.append(high[window])
        labels.append(f"{name}: original")
        for method in methods:
            tiles.append(examples[(scale, method)][name][1][window])
            labels.append(method)
    tiles = [np.repeat(np.repeat(tile, 2, 0), 2, 1) for tile in tiles]
    return save_image(labelled_grid(tiles, len(methods) + 1, labels), path)


# --------------------------------------------------------------------------
# Segmentation

PALETTE = np.array([[0.15, 0.15, 0.15], [0.90, 0.35, 0.25], [0.25, 0.60, 0.90],
                    [0.95, 0.80, 0.25]])
"""Colours of the classes in the example grids (background, disk, rectangle, triangle)."""


def compare_segment(out, *, methods=None, seeds=SEEDS, steps=None, batch_size=None,
                    learning_rate=None, quick: bool = False, skips: bool = False,
                    nproc: int = 1, threads: int | None = None, progress: bool = True,
                    command: str = "tconv train compare --task segment") -> Comparison:
    """Train every decoder up-sampling at every seed; write the report to ``out``.

    Writes ``report.md``, ``scores.png`` (mean IoU, boundary IoU, mean and
    spread) and ``examples.png`` (held-out scenes, truth, each method's
    prediction with seed 0's model).

    Examples
    --------
    >>> import tempfile
    >>> from tconv.train.report import compare_segment
    >>> result = compare_segment(tempfile.mkdtemp(), methods=["unpool"], quick=True,
    ...                          progress=False)  # doctest: +SKIP
    >>> [row["method"] for row in result.rows]  # doctest: +SKIP
    ['unpool']
    """
    from . import segment

    base = QUICK["segment"] if quick else DEFAULTS["segment"]
    methods = list(segment.METHODS if methods is None else methods)
    for method in methods:
        segment.check_method("compare", method)
    seeds = list(seeds[:1] if quick else seeds)
    budget = {"steps": steps or base["steps"], "batch_size": batch_size or base["batch_size"],
              "learning_rate": learning_rate or base["learning_rate"]}
    started = time.perf_counter()
    probe = segment.job(methods[0], quick=quick, skips=skips)
    size = probe.options.get("size", 32)
    images, masks = segment.held_out(32 if quick else 128, size)
    counter = Progress(len(methods) * len(seeds), progress)
    rows, examples = [], {}
    for method in methods:
        row = {"method": method, "miou": [], "accuracy": [], "boundary_iou": [],
               "seconds": []}
        for seed in seeds:
            counter.begin(f"segment {method} seed {seed}")
            job = segment.job(method, quick=quick, skips=skips)
            fitted = engine.fit(job, seed=seed, nproc=nproc, threads=threads, progress=False,
                                **budget)
            model = segment.load_model(fitted.state, job.options)
            measured = segment.evaluate(model, images, masks)
            row["params"] = _parameters(model)
            for key in ("miou", "accuracy", "boundary_iou"):
                row[key].append(measured[key])
            row["seconds"].append(fitted.seconds)
            if seed == seeds[0]:
                examples[method] = measured["predictions"]
            counter.end()
        rows.append(row)
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    background = np.zeros_like(masks)
    from .quality import boundary_iou, mean_iou, pixel_accuracy

    baseline = {"miou": mean_iou(background, masks, 4),
                "accuracy": pixel_accuracy(background, masks, 4),
                "boundary_iou": boundary_iou(background, masks, 4)}
    settings = {**budget, "seeds": seeds, "size": size, "skips": skips, "baseline": baseline,
                "train": probe.options.get("count", 512), "held_out": len(images),
                "quick": quick, "nproc": nproc,
                "threads": threads or engine.default_threads(nproc)}
    result = Comparison("segment", rows, [], 0.0, settings)
    result.files.append(_seg_plot(directory / "scores.png", rows))
    result.files.append(_seg_examples(directory / "examples.png", images, masks, examples))
    result.seconds = time.perf_counter() - started
    result.files.insert(0, save_text(_seg_report(result, command), directory / "report.md"))
    return result


def seg_table(rows) -> list[str]:
    """The Markdown table of :func:`compare_segment`'s rows."""
    best = {key: max(rows, key=lambda row: np.mean(row[key]))
            for key in ("miou", "accuracy", "boundary_iou")}

    def cell(row, key):
        text = _cell(row[key], 4)
        if row is best[key]:
            return text + " (best)"
        return text + (" (≈ best)" if near(row[key], best[key][key]) else "")

    lines = [("| decoder up-sampling | params | mean IoU | pixel accuracy | boundary IoU | "
             "train s |"), "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        lines.append(f"| `{row['method']}` | {row['params']} | {cell(row, 'miou')} | "
                     f"{cell(row, 'accuracy')} | {cell(row, 'boundary_iou')} | "
                     f"{mean_spread(row['seconds'])[0]:.0f} |")
    return lines


def _seg_report(result: Comparison, command: str) -> str:
    s = result.settings
    from .scenes import CLASSES

    layout = ("U-Net-style (encoder features concatenated after each up-sampling)"
              if s["skips"] else
              "SegNet-style (no skip connections: every decoder pixel passes through "
              "the up-sampling)")
    lines = _header("Segmentation: which decoder up-sampling does what", command,
                    result.seconds, s)
    lines += [
        (f"Data: {s['train']} generated {s['size']}x{s['size']} scenes for training and "
         f"{s['held_out']} held-out ones (another seed): scikit-image textures as "
         f"background, shapes drawn with `skimage.draw` ({', '.join(CLASSES[1:])}), "
         "random grey fills, Gaussian noise; exact masks."),
        "",
        (f"Model: {layout}, two 2x up-samplings. Every model: {s['steps']} steps of Adam "
         f"(learning rate {s['learning_rate']:g}), batch {s['batch_size']}, seeds "
         f"{', '.join(map(str, s['seeds']))}; mean ± sample standard deviation over the "
         "seeds."),
        "",
        *seg_table(result.rows),
        (f"| all background (no model) | 0 | {s['baseline']['miou']:.4f} | "
         f"{s['baseline']['accuracy']:.4f} | {s['baseline']['boundary_iou']:.4f} | |"),
        "",
        ("* **mean IoU**: per class, intersection over union of prediction and truth "
         "(counts pooled over the held-out scenes), averaged over the 4 classes. "
         "**pixel accuracy**: share of pixels right. **boundary IoU**: the mean IoU "
         "counted only on pixels within 2 px of a true class boundary, where up-sampling "
         "decides the most."),
        ("* **(best)**: the highest mean; **(≈ best)**: within noise of it (the difference "
         "of the means is at most twice its standard error over the seeds)."),
        "",
        "![mean IoU and boundary IoU per method](scores.png)",
        "",
        "![held-out scenes, truth and predictions](examples.png)",
        ""]
    return "\n".join(lines)


def _seg_plot(path: Path, rows) -> str:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 3.4), dpi=80, layout="constrained")
    axes = figure.subplots()
    where = np.arange(len(rows))
    for offset, key, label in ((-0.2, "miou", "mean IoU"),
                               (0.2, "boundary_iou", "boundary IoU (2 px band)")):
        stats = [mean_spread(row[key]) for row in rows]
        axes.bar(where + offset, [m for m, _ in stats], 0.4, yerr=[e for _, e in stats],
                 capsize=3, label=label)
    axes.set_xticks(where, [row["method"] for row in rows], rotation=25, ha="right")
    axes.set_ylabel("IoU on held-out scenes")
    axes.set_title("segmentation quality per decoder up-sampling (mean ± sd over seeds)")
    axes.legend(fontsize="small")
    return _save_figure(figure, path)


def _seg_examples(path: Path, images, masks, predictions: dict, count: int = 6) -> str:
    count = min(count, len(images))
    tiles, labels = [], []
    enlarge = max(1, 96 // images.shape[-1])
    for n in range(count):
        tiles.append(np.clip(images[n, 0], 0, 1))
        labels.append("scene")
        tiles.append(PALETTE[masks[n]])
        labels.append("truth")
        for method, predicted in predictions.items():
            tiles.append(PALETTE[predicted[n]])
            labels.append(method)
    tiles = [np.repeat(np.repeat(tile, enlarge, 0), enlarge, 1) for tile in tiles]
    return save_image(labelled_grid(tiles, 2 + len(predictions), labels, size=11), path)
