"""``tconv train compare``: every up-sampling method, the same budget and seed, one report.

For each method of :data:`~tconv.train.models.METHODS` the comparison trains
an autoencoder, a VAE and a GAN on the same training images with the same
seed and number of steps, then measures

* the autoencoder's reconstruction error (mean squared error per pixel, in
  ``[0, 1]`` units) on held-out images (the last 20 %, never trained on);
* the VAE's held-out reconstruction error (decoding the mean code);
* :func:`~tconv.train.metrics.checkerboard_score` of the held-out
  reconstructions and of 64 VAE and 64 GAN samples (noise fixed by the seed);

and writes ``report.md`` with a table, ``overview.png`` (every method's
reconstructions and samples side by side), one ``grid-<method>.png`` per
method and ``scores.png`` (bar plots, matplotlib) to the output directory.
"""

from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from .. import _args
from .._files import atomic_output
from .data import load_digits, load_mnist, resize
from .loop import (
    GRID_COLUMNS,
    generate,
    grid_array,
    originals_beside_rebuilt,
    reconstruct,
    train_autoencoder,
    train_gan,
)
from .metrics import checkerboard_score
from .models import METHODS, check_method
from .report import font, save_image, save_text

HELD_OUT = 0.2
"""Share of the images (the last ones) kept out of training for evaluation."""

SAMPLES = 64
"""Samples drawn from each VAE and GAN for the checkerboard score."""

# Overview and grid layout (pixels).
_MARGIN, _LABEL, _GAP, _TITLE = 6, 17, 8, 120
_PAPER, _INK = 240, 0


@dataclass
class CompareResult:
    """What :func:`compare` measured.

    Attributes
    ----------
    rows : list of dict
        One per method: ``method``, ``ae_mse``, ``ae_score``, ``vae_mse``,
        ``vae_score``, ``gan_score``, ``seconds``.
    data_score : float
        The checkerboard score of the held-out images themselves.
    files : list of str
        Files written.
    seconds : float
        Wall time of the whole comparison.
    settings : dict
        Size, data, epochs, batch size, steps, seed, image counts.
    """

    rows: list[dict]
    data_score: float
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0
    settings: dict = field(default_factory=dict)


def _images(size: int, data) -> tuple[np.ndarray, str]:
    if data is None:
        return load_digits(size)[0], f"scikit-learn digits (8x8, bilinear to {size}x{size})"
    images, _ = load_mnist(data)
    return resize(images, size), f"{os.fspath(data)} (bilinear to {size}x{size})"


def _sheet(panels, title_width: int = 0):
    """Rows of (label, [(caption, grid array), ...]) -> one grey Pillow image."""
    from PIL import Image, ImageDraw

    # A real TrueType font (matplotlib's DejaVu Sans): Pillow's built-in bitmap font
    # is tiny and spaced oddly ("VAE sam ples"). Each panel is as wide as its grid
    # or its caption, whichever is wider.
    typeface = font(13)

    def span(caption, grid):
        return max(grid.shape[1], int(np.ceil(typeface.getlength(caption))))

    widths = [sum(span(c, g) for c, g in row) + _GAP * (len(row) - 1) for _, row in panels]
    heights = [max(g.shape[0] for _, g in row) for _, row in panels]
    width = 2 * _MARGIN + title_width + max(widths)
    height = 2 * _MARGIN + sum(_LABEL + h + _GAP for h in heights) - _GAP
    sheet = Image.new("L", (width, height), _PAPER)
    draw = ImageDraw.Draw(sheet)
    top = _MARGIN
    for (label, row), tall in zip(panels, heights):
        draw.text((_MARGIN, top + _LABEL), label, fill=_INK, font=typeface)
        left = _MARGIN + title_width
        for caption, grid in row:
            draw.text((left, top), caption, fill=_INK, font=typeface)
            tile = Image.fromarray(np.rint(np.clip(grid, 0, 1) * 255).astype(np.uint8))
            sheet.paste(tile, (left, top + _LABEL))
            left += span(caption, grid) + _GAP
        top += _LABEL + tall + _GAP
    return sheet


def _bar_plot(path: Path, rows, data_score: float) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 3.4), dpi=80, layout="constrained")
    scores, errors = figure.subplots(1, 2, width_ratios=(2, 1))
    names = [row["method"] for row in rows]
    where = np.arange(len(rows))
    for offset, (key, label) in zip((-0.27, 0.0, 0.27), (
            ("ae_score", "autoencoder"), ("vae_score", "VAE samples"),
            ("gan_score", "GAN samples"))):
        scores.bar(where + offset, [row[key] for row in rows], width=0.27, label=label)
    scores.axhline(data_score, color="black", linestyle="--", linewidth=1,
                   label="held-out digits")
    scores.set_xticks(where, names, rotation=30, ha="right")
    scores.set_ylabel("checkerboard score")
    scores.set_title("energy share near the stride-2 frequencies (lower is smoother)")
    scores.legend(fontsize="small")
    errors.bar(where - 0.2, [row["ae_mse"] for row in rows], width=0.4, label="autoencoder")
    errors.bar(where + 0.2, [row["vae_mse"] for row in rows], width=0.4, label="VAE")
    errors.set_xticks(where, names, rotation=30, ha="right")
    errors.set_ylabel("held-out MSE per pixel")
    errors.set_title("reconstruction error")
    errors.legend(fontsize="small")
    figure.savefig(path)


def _table(rows, data_score: float) -> list[str]:
    lines = [("| method | AE held-out MSE | VAE held-out MSE | checkerboard: AE | "
             "checkerboard: VAE samples | checkerboard: GAN samples | train s |"),
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        lines.append(f"| `{row['method']}` | {row['ae_mse']:.4f} | {row['vae_mse']:.4f} | "
                     f"{row['ae_score']:.4f} | {row['vae_score']:.4f} | "
                     f"{row['gan_score']:.4f} | {row['seconds']:.0f} |")
    lines.append(f"| held-out digits themselves | | | {data_score:.4f} | | | |")
    return lines


def _report(result: CompareResult, command: str) -> str:
    settings = result.settings
    budget = (f"{settings['steps']} steps per model" if settings["steps"] is not None else
              f"epochs: autoencoder {settings['epochs']['autoencoder']}, "
              f"VAE {settings['epochs']['vae']}, GAN {settings['epochs']['gan']}")
    lines = [
        "# Which up-sampling does what: autoencoder, VAE and GAN on handwritten digits",
        "",
        (f"Made by `{command}` in {result.seconds:.0f} s "
        f"(torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"{platform.machine()})."),
        "",
        (f"Data: {settings['data']}; {settings['train']} training and "
        f"{settings['held_out']} held-out images (the last {HELD_OUT:.0%}). "
        f"Every model trained with seed {settings['seed']}, batch size "
        f"{settings['batch_size']}, {budget}"
        + (f", on {settings['nproc']} processes (DistributedDataParallel)."
           if settings.get("nproc", 1) > 1 else ".")),
        "",
        *_table(result.rows, result.data_score),
        "",
        ("* **MSE**: mean squared error per pixel of the held-out reconstructions "
        "(values in [0, 1]); the VAE decodes its mean code."),
        ("* **checkerboard**: `tconv.train.checkerboard_score` (stride 2, radius 1): the "
         "share of the images' spectral energy (mean removed) in the 3x3 bins around the "
         "stride frequencies (N/2, 0), (0, N/2) and (N/2, N/2), where up-sampling leaves "
         "its copies of the spectrum. 0 for flat images, 1 for a pure checkerboard; the "
         "held-out digits row is the level of real data. AE: the held-out "
         f"reconstructions; VAE and GAN: {SAMPLES} samples each."),
        ("* One seed and one small budget: differences in the last digit are noise; "
        "GANs this small and short-trained differ a lot from seed to seed."),
        "",
        "![every method](overview.png)",
        "",
        "![scores](scores.png)",
        "",
        "Per method (reconstructions: originals above, reconstructions below; then VAE and "
        "GAN samples): " + ", ".join(f"[{row['method']}](grid-{row['method']}.png)"
                                    for row in result.rows) + ".",
        "",
    ]
    return "\n".join(lines)


def compare(out, *, methods=METHODS, size: int = 16, data=None, epochs: int | None = None,
            batch_size: int = 64, steps: int | None = None, seed: int = 0,
            progress: bool = True, command: str = "tconv train compare", nproc: int = 1,
            threads: int | None = None) -> CompareResult:
    """Train every method with the same budget and seed; write the report to ``out``.

    Parameters
    ----------
    out : str or os.PathLike
        Output directory (created): ``report.md``, ``overview.png``,
        ``scores.png`` and ``grid-<method>.png``.
    methods : sequence of str
        Methods to compare (default all of :data:`~tconv.train.models.METHODS`).
    size : int
        Image side, 16 or 32.
    data : str or os.PathLike, optional
        MNIST files (see :func:`~tconv.train.data.load_mnist`); default
        scikit-learn's digits.
    epochs : int, optional
        Epochs for every model; default each kind's
        :data:`~tconv.train.loop.DEFAULT_EPOCHS`.
    batch_size : int
        Images per step.
    steps : int, optional
        Steps per model, overriding ``epochs`` (a tiny budget for tests).
    seed : int
        The seed of every run and of the sample noise.
    progress : bool
        Show the training progress bars.
    command : str
        The command line quoted in the report.
    nproc : int
        Processes per training run (see :func:`~tconv.train.loop.train_autoencoder`
        and :func:`~tconv.train.loop.train_gan`).
    threads : int, optional
        Torch threads per process.

    Returns
    -------
    CompareResult

    Raises
    ------
    ValueError
        Unknown method, an empty ``methods``, bad sizes or budgets, bad data.
    FileNotFoundError
        ``data`` does not exist.

    Examples
    --------
    >>> import tempfile
    >>> from tconv.train import compare
    >>> result = compare(tempfile.mkdtemp(), methods=["resize-nearest"], steps=2,
    ...                  progress=False)
    >>> [row["method"] for row in result.rows], sorted(result.rows[0])
    (['resize-nearest'],
     ['ae_mse', 'ae_score', 'gan_score', 'method', 'seconds', 'vae_mse', 'vae_score'])
    """
    from .loop import DEFAULT_EPOCHS

    methods = [check_method("compare", method) for method in methods]
    if not methods:
        message = f"compare: methods={methods!r} is empty; give at least one of {METHODS}"
        raise ValueError(message)
    started = time.perf_counter()
    images, described = _images(size, data)
    n_held_out = max(1, round(len(images) * HELD_OUT))
    if len(images) - n_held_out < 1:
        message = (f"compare: {len(images)} images are too few to hold {n_held_out} out; "
                   "give at least 2")
        raise ValueError(message)
    train, held_out = images[:-n_held_out], images[-n_held_out:]
    budget = {"batch_size": batch_size, "steps": steps, "seed": seed, "progress": progress,
              "nproc": nproc, "threads": threads}
    rows = []
    shown = {}
    for method in methods:
        began = time.perf_counter()
        kinds = {"autoencoder": {}, "vae": {"vae": True}}
        trained = {kind: train_autoencoder(train, method, epochs=epochs, **extra, **budget)
                   for kind, extra in kinds.items()}
        trained["gan"] = train_gan(train, method, epochs=epochs, **budget)
        rebuilt = {kind: reconstruct(trained[kind].model, held_out) for kind in kinds}
        samples = {kind: generate(trained[kind].model, SAMPLES, seed) for kind in ("vae", "gan")}
        rows.append({
            "method": method,
            "ae_mse": float(np.mean((rebuilt["autoencoder"] - held_out) ** 2)),
            "vae_mse": float(np.mean((rebuilt["vae"] - held_out) ** 2)),
            "ae_score": checkerboard_score(rebuilt["autoencoder"]),
            "vae_score": checkerboard_score(samples["vae"]),
            "gan_score": checkerboard_score(samples["gan"]),
            "seconds": time.perf_counter() - began,
        })
        shown[method] = (rebuilt["autoencoder"], samples["vae"], samples["gan"])

    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for method, (rebuilt_ae, vae_samples, gan_samples) in shown.items():
        pairs = originals_beside_rebuilt(held_out[:2 * GRID_COLUMNS],
                                         rebuilt_ae[:2 * GRID_COLUMNS])
        panels = [(method, [("autoencoder: held-out (odd rows), rebuilt (even rows)",
                             grid_array(pairs, min(GRID_COLUMNS, len(held_out))))]),
                  ("", [("VAE samples", grid_array(vae_samples[:32]))]),
                  ("", [("GAN samples", grid_array(gan_samples[:32]))])]
        files.append(save_image(_sheet(panels), directory / f"grid-{method}.png"))
    overview = [(method, [("autoencoder", grid_array(ae[:8])), ("VAE", grid_array(v[:8])),
                          ("GAN", grid_array(g[:8]))])
                for method, (ae, v, g) in shown.items()]
    overview.insert(0, ("held-out", [("digits", grid_array(held_out[:8]))]))
    files.append(save_image(_sheet(overview, _TITLE), directory / "overview.png"))
    data_score = checkerboard_score(held_out)
    path = directory / "scores.png"
    with atomic_output(path, force=True, flag="--out") as temporary:
        _bar_plot(Path(temporary), rows, data_score)
    files.append(os.fspath(path))

    chosen = {kind: epochs if epochs is not None else DEFAULT_EPOCHS[kind]
              for kind in DEFAULT_EPOCHS}
    settings = {"size": size, "data": described, "epochs": chosen, "steps": steps,
                "batch_size": batch_size, "seed": seed, "train": len(train),
                "held_out": len(held_out), "nproc": nproc}
    result = CompareResult(rows, data_score, files, 0.0, settings)
    result.seconds = time.perf_counter() - started
    result.files.insert(0, save_text(_report(result, command), directory / "report.md"))
    return result


_COLUMNS = (("ae_mse", "AE held-out MSE"), ("vae_mse", "VAE held-out MSE"),
            ("ae_score", "checkerboard: AE"), ("vae_score", "checkerboard: VAE samples"),
            ("gan_score", "checkerboard: GAN samples"))


def _seed_rows(directory, seed: int, command: str, threads, options: dict) -> dict:
    """One seed's :func:`compare` in this process (``threads`` torch threads): plain rows."""
    before = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        result = compare(Path(directory) / f"seed-{seed}", seed=seed, progress=False,
                         command=f"{command} (seed {seed})", **options)
    finally:
        torch.set_num_threads(before)
    return {"rows": result.rows, "data_score": result.data_score, "files": result.files}


def compare_seeds(out, seeds=(0, 1, 2), *, progress: bool = True,
                  command: str = "tconv train compare --seeds 0,1,2", jobs: int = 1,
                  **options) -> dict:
    """:func:`compare` once per seed (``out/seed-<k>/``), then ``out/report.md`` with the
    mean ± sample standard deviation over the seeds of every column.

    In each column the lowest mean is marked "(best)" and every method within
    noise of it "(≈ best)": the difference of the means at most twice its
    standard error (:func:`tconv.train.report.within_noise`).

    With ``jobs`` > 1 the seeds run in that many processes at once
    (``concurrent.futures`` with the spawn method), each with ``threads``
    torch threads (default 1 then); every seed's result is the same as in
    one process with the same thread count.

    Returns
    -------
    dict
        ``rows`` ({method: {column: [value per seed]}}), ``data_score`` (per
        seed), ``files`` and ``seconds``.

    Examples
    --------
    >>> import tempfile
    >>> from tconv.train.compare import compare_seeds
    >>> result = compare_seeds(tempfile.mkdtemp(), seeds=[0, 1], methods=["subpixel"],
    ...                        steps=1, progress=False)  # doctest: +SKIP
    >>> len(result["rows"]["subpixel"]["ae_mse"])  # doctest: +SKIP
    2
    """
    from .report import Progress, mean_spread, near

    seeds = list(seeds)
    if not seeds:
        message = "compare_seeds: seeds is empty; give at least one seed"
        raise ValueError(message)
    started = time.perf_counter()
    directory = Path(out)
    jobs = _args.positive_int("compare_seeds", "jobs", jobs)
    threads = options.pop("threads", None)
    rows: dict[str, dict[str, list[float]]] = {}
    data_scores, files = [], []
    if jobs == 1:
        counter = Progress(len(seeds), progress)
        results = []
        for seed in seeds:
            counter.begin(f"digits, every method, seed {seed}")
            results.append(_seed_rows(directory, seed, command, threads, options))
            counter.end()
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(min(jobs, len(seeds)),
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(_seed_rows, [directory] * len(seeds), seeds,
                                    [command] * len(seeds), [threads or 1] * len(seeds),
                                    [options] * len(seeds)))
    for result in results:
        files += result["files"]
        data_scores.append(result["data_score"])
        for row in result["rows"]:
            entry = rows.setdefault(row["method"], {key: [] for key, _ in _COLUMNS})
            for key, _ in _COLUMNS:
                entry[key].append(row[key])
    best = {key: min(rows, key=lambda method: np.mean(rows[method][key])) for key, _ in _COLUMNS}
    lines = ["# Digits: every up-sampling method over several seeds", "",
             (f"Made by `{command}` in {time.perf_counter() - started:.0f} s (torch "
             f"{torch.__version__}); seeds {', '.join(map(str, seeds))}; one report per seed "
             "in `seed-<k>/`. Values: mean ± sample standard deviation over the seeds."), "",
             "| method | " + " | ".join(label for _, label in _COLUMNS) + " |",
             "| --- |" + " ---: |" * len(_COLUMNS)]
    for method, entry in rows.items():
        cells = []
        for key, _ in _COLUMNS:
            mean, spread = mean_spread(entry[key])
            cell = f"{mean:.4f} ± {spread:.4f}"
            if method == best[key]:
                cell += " (best)"
            elif near(entry[key], rows[best[key]][key]):
                cell += " (≈ best)"
            cells.append(cell)
        lines.append(f"| `{method}` | " + " | ".join(cells) + " |")
    mean, spread = mean_spread(data_scores)
    lines += [f"| held-out digits themselves | | | {mean:.4f} ± {spread:.4f} | | |", "",
              ("Lower is better in every column. **(≈ best)**: within noise of the best "
               "(the difference of the means is at most twice its standard error over the "
               "seeds); methods without a mark are separated from the best by more than "
               "the seed-to-seed noise."), ""]
    files.insert(0, save_text("\n".join(lines), directory / "report.md"))
    return {"rows": rows, "data_score": data_scores, "files": files,
            "seconds": time.perf_counter() - started}

