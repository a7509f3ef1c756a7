"""Draw the real-image checkerboard demo: docs/images/artifacts.png (needs torch).

Four single-layer x2 up-samplers (RGB to RGB) learn to map a photo shrunk by
2 (2x2 averages) back to the photo, each from PyTorch's default
initialisation with the same seed:

- a transposed convolution, kernel 3, stride 2 (padding 1, output_padding 1);
- a transposed convolution, kernel 4, stride 2, padding 1;
- resize-convolution: nearest x2, then a 3x3 convolution (``tconv.torch.ResizeConv2d``);
- sub-pixel convolution with ICNR initialisation (``tconv.torch.SubPixelConv2d``).

The figure shows each layer's output at initialisation (contrast stretched,
since random weights give random scales), after a short training (Adam), and
a zoom of the trained output; the titles give the PSNR and the "flat
spread": the layer's response to a constant grey image, ``(max - min) /
mean`` over its interior, 0 for no checkerboard.

The photo is scikit-image's bundled ``chelsea`` (a cat, smooth fur) when
scikit-image is installed, else tconv's own sample image. Fixed seed,
2 threads, under a minute on 2 idle cores:

    python scripts/make_artifacts.py                 # replaces docs/images/artifacts.png
    python scripts/make_artifacts.py /tmp/a.png --steps 50
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from tconv import images
from tconv._files import atomic_output
from tconv.torch import ResizeConv2d, SubPixelConv2d

DEFAULT = Path(__file__).resolve().parent.parent / "docs" / "images" / "artifacts.png"
SEED = 0
STEPS = 250
SIZE = 128  # target side in pixels; the input is SIZE // 2
ZOOM = 32  # side of the zoomed crop of the trained output (the left eye)
ZOOM_AT = (26, 14)  # its top-left pixel (row, column)

METHODS = (
    ("transposed k3 s2", lambda: nn.ConvTranspose2d(3, 3, 3, stride=2, padding=1,
                                                    output_padding=1)),
    ("transposed k4 s2", lambda: nn.ConvTranspose2d(3, 3, 4, stride=2, padding=1)),
    ("resize-conv", lambda: ResizeConv2d(3, 3, 3, scale_factor=2)),
    ("sub-pixel, ICNR", lambda: SubPixelConv2d(3, 3, 3, scale_factor=2, icnr=True)),
)


def photo() -> tuple[np.ndarray, str]:
    """``(3, SIZE, SIZE)`` float RGB in [0, 1] and its name."""
    try:
        from skimage import data

        rgb, name = data.chelsea()[30:30 + 2 * SIZE, 150:150 + 2 * SIZE], "chelsea"
        # 2x2 averages: a smooth SIZE x SIZE photo.
        rgb = rgb.reshape(SIZE, 2, SIZE, 2, 3).mean(axis=(1, 3))
    except ImportError:
        values, _ = images.read_image()
        rgb, name = values[:3].transpose(1, 2, 0)[:SIZE, :SIZE], images.SAMPLE
    return np.ascontiguousarray(rgb.transpose(2, 0, 1)) / 255.0, name


def flat_spread(layer: nn.Module, side: int) -> float:
    """``(max - min) / mean`` of the layer's response to grey, inside a border of 4."""
    with torch.no_grad():
        response = layer(torch.full((1, 3, side, side), 0.5))[0, :, 4:-4, 4:-4]
    spread = (response.amax(dim=(1, 2)) - response.amin(dim=(1, 2)))
    return float((spread / response.mean(dim=(1, 2)).abs().clamp_min(1e-12)).max())


def psnr(output: torch.Tensor, target: torch.Tensor) -> float:
    mse = float(((output.clamp(0, 1) - target) ** 2).mean())
    return 10 * np.log10(1 / mse)


def run(steps: int) -> tuple[np.ndarray, np.ndarray, list[dict], str]:
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    target_np, name = photo()
    target = torch.tensor(target_np, dtype=torch.float32)[None]
    small = nn.functional.avg_pool2d(target, 2)
    results = []
    for label, make in METHODS:
        torch.manual_seed(SEED)
        layer = make()
        with torch.no_grad():
            start = layer(small)[0].numpy().copy()
        record = {"label": label, "init": start, "init_spread": flat_spread(layer, SIZE // 2),
                  "init_psnr": psnr(layer(small).detach(), target)}
        optimiser = torch.optim.Adam(layer.parameters(), lr=0.01)
        for _ in range(steps):
            optimiser.zero_grad()
            loss = nn.functional.mse_loss(layer(small), target)
            loss.backward()
            optimiser.step()
        with torch.no_grad():
            trained = layer(small)
        record.update(trained=trained[0].numpy(), psnr=psnr(trained, target),
                      spread=flat_spread(layer, SIZE // 2))
        results.append(record)
    return target_np, small[0].numpy(), results, name


def _show(axes, rgb: np.ndarray, title: str, stretch: bool = False) -> None:
    image = rgb.transpose(1, 2, 0)
    if stretch:
        low, high = image.min(), image.max()
        image = (image - low) / max(high - low, 1e-12)
    axes.imshow(np.clip(image, 0, 1), interpolation="nearest")
    axes.set_title(title, fontsize=11)
    axes.set_xticks([])
    axes.set_yticks([])


def draw(path, target, small, results, name, steps, force) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    columns = 1 + len(results)
    figure = Figure(figsize=(2.3 * columns, 8.2), dpi=100)
    FigureCanvasAgg(figure)
    grid = figure.subplots(3, columns)
    figure.suptitle(f"x2 up-sampling of a photo ({name}, {SIZE}x{SIZE}) by one layer: at "
                    f"initialisation, after {steps} Adam steps, and zoomed",
                    fontsize=13)
    row, col = ZOOM_AT if name == "chelsea" else (SIZE // 2 - ZOOM // 2,) * 2
    zoom = (slice(None), slice(row, row + ZOOM), slice(col, col + ZOOM))
    _show(grid[0, 0], small, f"input ({SIZE // 2}x{SIZE // 2})")
    _show(grid[1, 0], target, "target")
    _show(grid[2, 0], target[zoom], f"target, {ZOOM}x{ZOOM} zoom")
    for column, record in enumerate(results, start=1):
        _show(grid[0, column], record["init"],
              f"{record['label']}\ninit (stretched), spread {record['init_spread']:.2f}",
              stretch=True)
        _show(grid[1, column], record["trained"],
              f"trained: {record['psnr']:.1f} dB\nflat spread {record['spread']:.3f}")
        _show(grid[2, column], record["trained"][zoom], "trained, zoom")
    figure.subplots_adjust(left=0.01, right=0.99, top=0.86, bottom=0.01, wspace=0.06,
                           hspace=0.32)
    from PIL import Image

    figure.canvas.draw()
    rgb = np.asarray(figure.canvas.buffer_rgba())[..., :3]
    # A 256-colour palette keeps the committed PNG small (a third of the size).
    picture = Image.fromarray(rgb).quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    with atomic_output(path, force=force, flag="output") as temporary:
        picture.save(temporary, format="PNG", optimize=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default=str(DEFAULT), help="PNG to write")
    parser.add_argument("--steps", type=int, default=STEPS, help="Adam steps per layer")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing file (the default output is replaced "
                             "always)")
    args = parser.parse_args(argv)
    force = args.force or Path(args.output).resolve() == DEFAULT
    start = time.perf_counter()
    target, small, results, name = run(args.steps)
    draw(args.output, target, small, results, name, args.steps, force)
    for record in results:
        print(f"{record['label']:18s} init spread {record['init_spread']:.3f}  trained "
              f"{record['psnr']:.2f} dB, spread {record['spread']:.3f}")
    print(f"wrote {args.output} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
