"""Training timings of tconv.torch's layers against PyTorch's own: forward + backward.

``python -m benchmarks.layers`` (from the repository root) times, on
decoder layer shapes (DCGAN generator, the autoencoder decoder of
``tconv.train.models``, a U-Net 2x2 up-convolution):

* ``tconv.torch.ConvTranspose2d`` with ``algorithm="auto"`` and with
  ``algorithm="phase"`` against ``torch.nn.ConvTranspose2d``;
  ``tconv.torch.ResizeConv2d`` against ``nn.Upsample`` + ``nn.Conv2d(padding=1)``;
  ``tconv.torch.SubPixelConv2d`` against ``nn.Conv2d`` + ``nn.PixelShuffle``;
* for one training step, float32: zero the gradients, forward, backward of
  a fixed random projection of the output (``y.backward(g)``, the gradient of
  ``(y * g).sum()``), the input requiring its gradient as inside a decoder;
  and for the forward alone under ``torch.no_grad()``;
* after checking, per tconv module, the output and the gradients of the
  input, weight and bias against PyTorch's layer run in float64 with the same
  weights (copied through ``state_dict``): ``|got - ref| <= tol * max(scale,
  1) + tol * |ref|``, ``tol`` the float32 value of ``tests/_tol.py`` and
  ``scale`` the same computation on absolute values (PyTorch's layer with
  ``|weight|``, ``|bias|`` on ``|x|``, back-propagating ``|g|``), which bounds
  the rounding error of every sum;
* with the same thread count for both libraries (``--threads``, default 2:
  PyTorch intra-op threads, one inter-op thread, BLAS threads through
  threadpoolctl when installed), and OpenMP's default wait policy unless
  ``--passive-threads`` (see the comment below the imports);
* interleaved: a warm-up call each, then rounds of one call each with the
  order rotated every round; medians are reported.

The tables give milliseconds and ``torch/tconv`` = PyTorch's time divided by
tconv's (> 1: tconv is faster). Options: ``--repeats``, ``--quick`` (3
rounds), ``--filter a,b`` (cases whose name contains a or b), ``--markdown
PATH``. The exit status is 1 when an output or gradient disagreed; that case
is then not timed.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Unlike ``python -m benchmarks`` and ``benchmarks.upsampling``, both sides here run on
# PyTorch's one OpenMP pool, so no other library's idle threads take the cores, and
# OMP_WAIT_POLICY=PASSIVE (the pool sleeps after every parallel region) only taxes code
# made of many small torch calls: on the 2-core machine it made tconv's scatter forward
# on the autoencoder layer 80 ms instead of 5 ms, and tconv's DCGAN training steps
# 1.5-2.7x slower, PyTorch's 1.1-1.3x. So the libraries' defaults are kept;
# --passive-threads sets the other benchmarks' values (read when the libraries load).
PASSIVE_THREADS = {"OMP_WAIT_POLICY": "PASSIVE", "OPENBLAS_THREAD_TIMEOUT": "20"}
if __name__ == "__main__" and "--passive-threads" in sys.argv[1:]:
    for _name, _value in PASSIVE_THREADS.items():
        os.environ.setdefault(_name, _value)

import numpy as np

import tconv

from . import report, runner

ALGORITHMS = ("auto", "phase")
"""The ``algorithm=`` values timed for tconv's ConvTranspose2d."""


@dataclass(frozen=True)
class Case:
    """One layer: tconv's module, PyTorch's, and the input shape they get."""

    name: str
    geometry: str
    shape: tuple  # input (N, C, H, W)
    ours: Callable  # (algorithm) -> tconv.torch module
    theirs: Callable  # () -> torch.nn module
    algorithms: tuple = ("auto",)  # tconv variants: one module per algorithm


def conv_transpose_case(name, batch, c_in, c_out, size, kernel, stride=2, padding=0,
                        output_padding=0) -> Case:
    """``ConvTranspose2d(c_in, c_out, kernel, stride, padding, output_padding)`` on ``size^2``."""
    def ours(algorithm):
        from tconv import torch as layers

        return layers.ConvTranspose2d(c_in, c_out, kernel, stride, padding, output_padding,
                                      algorithm=algorithm)

    def theirs():
        import torch

        return torch.nn.ConvTranspose2d(c_in, c_out, kernel, stride, padding, output_padding)

    out, _ = tconv.conv_transpose_output_shape((size, size), kernel, stride=stride,
                                               padding=padding, output_padding=output_padding)
    extra = f" op{output_padding}" if output_padding else ""
    geometry = (f"k{kernel} s{stride} p{padding}{extra}, {c_in}->{c_out}, "
                f"{size}x{size} -> {out}x{out}")
    return Case(name, geometry, (batch, c_in, size, size), ours, theirs, ALGORITHMS)


def resize_conv_case(name, batch, c_in, c_out, size) -> Case:
    """Nearest x2, then a 3x3 "same" convolution."""
    def ours(algorithm):
        from tconv import torch as layers

        return layers.ResizeConv2d(c_in, c_out, kernel_size=3, scale_factor=2, mode="nearest")

    def theirs():
        import torch

        return torch.nn.Sequential(torch.nn.Upsample(scale_factor=2, mode="nearest"),
                                   torch.nn.Conv2d(c_in, c_out, 3, padding=1))

    geometry = f"nearest x2 + k3 p1, {c_in}->{c_out}, {size}x{size} -> {2 * size}x{2 * size}"
    return Case(name, geometry, (batch, c_in, size, size), ours, theirs)


def subpixel_case(name, batch, c_in, c_out, size) -> Case:
    """A 3x3 "same" convolution to ``4 * c_out`` channels, then pixel shuffle x2."""
    def ours(algorithm):
        from tconv import torch as layers

        return layers.SubPixelConv2d(c_in, c_out, kernel_size=3, scale_factor=2)

    def theirs():
        import torch

        return torch.nn.Sequential(torch.nn.Conv2d(c_in, 4 * c_out, 3, padding=1),
                                   torch.nn.PixelShuffle(2))

    geometry = (f"k3 p1 to {4 * c_out} + shuffle x2, {c_in}->{c_out}, "
                f"{size}x{size} -> {2 * size}x{2 * size}")
    return Case(name, geometry, (batch, c_in, size, size), ours, theirs)


def cases() -> list[Case]:
    # Autoencoder of tconv.train.models (size 16, channels c = 16): a (2c, 4, 4) map,
    # one block to (c, 8, 8), one to (1, 16, 16); batch 64 as in `tconv train`.
    autoencoder = []
    for kind, kernel, output_padding in (("k3s2", 3, 1), ("k4s2", 4, 0)):
        autoencoder += [
            conv_transpose_case(f"ae.{kind}.up1", 64, 32, 16, 4, kernel, 2, 1, output_padding),
            conv_transpose_case(f"ae.{kind}.up2", 64, 16, 1, 8, kernel, 2, 1, output_padding)]
    return [
        # DCGAN generator (Radford et al. 2016) at batch 64; up1 (100 -> 512, 1x1 -> 4x4) is
        # a matrix product in disguise and left out.
        conv_transpose_case("dcgan.up2", 64, 512, 256, 4, 4, 2, 1),
        conv_transpose_case("dcgan.up3", 64, 256, 128, 8, 4, 2, 1),
        conv_transpose_case("dcgan.up4", 64, 128, 64, 16, 4, 2, 1),
        conv_transpose_case("dcgan.up5", 64, 64, 3, 32, 4, 2, 1),
        *autoencoder,
        # U-Net (Ronneberger et al. 2015) 2x2 up-convolution, at the 32x32 level.
        conv_transpose_case("unet.up", 4, 128, 64, 32, 2, 2, 0),
        # The two alternatives on DCGAN up3's shape, next to its transposed convolution.
        resize_conv_case("resize-conv", 64, 256, 128, 8),
        subpixel_case("subpixel", 64, 256, 128, 8),
    ]


# ---------------------------------------------------------------- modules and checks


def build(case: Case, torch) -> dict:
    """``{"torch": module, "auto": module, ...}``, all holding the first tconv module's weights."""
    torch.manual_seed(0)
    modules = {algorithm: case.ours(algorithm) for algorithm in case.algorithms}
    state = next(iter(modules.values())).state_dict()
    for module in modules.values():
        module.load_state_dict(state)
    theirs = case.theirs()
    # Same tensors in the same order, under torch's names (Sequential's "1.weight", ...).
    theirs.load_state_dict(dict(zip(theirs.state_dict(), state.values(), strict=True)))
    return {"torch": theirs, **modules}


def inputs(case: Case, module, torch) -> tuple:
    """``x`` (requiring its gradient) and the fixed projection ``g`` of the output."""
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(case.shape, generator=generator)
    with torch.no_grad():
        out_shape = module(x).shape
    return x.requires_grad_(True), torch.randn(out_shape, generator=generator)


def forward_backward(module, x, upstream) -> list:
    """``[(what, array)]``: the output, then the gradients of ``x`` and each parameter."""
    x = x.detach().clone().requires_grad_(True)
    module.zero_grad(set_to_none=True)
    y = module(x)
    y.backward(upstream)
    found = [("output", y), ("grad x", x.grad)]
    found += [(f"grad {name}", p.grad) for name, p in module.named_parameters()]
    return [(what, value.detach().numpy()) for what, value in found]


def check(case: Case, modules: dict, x, upstream, torch) -> tuple[list[str], str | None]:
    """Mismatches of every tconv module against PyTorch's in float64, and what auto picked."""
    reference = copy.deepcopy(modules["torch"]).double()
    absolute = copy.deepcopy(reference)
    with torch.no_grad():
        for parameter in absolute.parameters():
            parameter.abs_()
    expected = forward_backward(reference, x.double(), upstream.double())
    scale = forward_backward(absolute, x.double().abs(), upstream.double().abs())
    problems, picked = [], None
    for algorithm in case.algorithms:
        with runner._spy_on_auto() as chosen:
            got = forward_backward(modules[algorithm], x, upstream)
        if algorithm == "auto" and not chosen:  # delegated to PyTorch's own kernel
            chosen = ["native"]
        picked = picked or (chosen[0] if chosen else None)
        for (what, value), (_, ref), (_, bound) in zip(got, expected, scale, strict=True):
            try:
                runner.check_close(f"tconv {algorithm}: {what}", value, ref, bound, np.float32)
            except runner.OutputMismatch as mismatch:
                problems.append(str(mismatch))
    return problems, picked


# ---------------------------------------------------------------- timing



def training_step(module, x, upstream) -> Callable:
    def step():
        module.zero_grad(set_to_none=True)
        x.grad = None
        module(x).backward(upstream)
    return step


def forward_only(module, x, torch) -> Callable:
    def call():
        with torch.no_grad():
            return module(x)
    return call


def time_case(case: Case, modules: dict, x, upstream, torch, repeats, cooldown) -> dict:
    """Median ms ``{"train": {name: ms}, "forward": {name: ms}}``, interleaved per mode."""
    steps = {name: training_step(m, x, upstream) for name, m in modules.items()}
    forwards = {name: forward_only(m, x, torch) for name, m in modules.items()}
    train = runner.interleaved_medians(steps, repeats, cooldown)
    forward = runner.interleaved_medians(forwards, repeats, cooldown)
    return {mode: {name: 1e3 * seconds for name, seconds in medians.items()}
            for mode, medians in (("train", train), ("forward", forward))}


# ---------------------------------------------------------------- report

MODES = {"train": "Training step (zero grads, forward, backward)",
         "forward": "Forward only (torch.no_grad())"}
COLUMNS = ("layer", "geometry", "input", "auto ->", "torch ms", "tconv auto ms",
           "tconv phase ms", "torch/auto", "torch/phase")


def _ratio(ms: dict, name: str) -> float | None:
    return ms["torch"] / ms[name] if name in ms else None


def rows(records: list, mode: str) -> list:
    found = []
    for r in records:
        if r["problems"]:
            found.append((r["name"], r["geometry"], r["input"], "MISMATCH")
                         + ("",) * (len(COLUMNS) - 4))
            continue
        ms = r["ms"][mode]
        found.append((r["name"], r["geometry"], r["input"], r["picked"] or "-",
                      report._ms(ms["torch"]), report._ms(ms["auto"]),
                      report._ms(ms.get("phase")), report._ratio(_ratio(ms, "auto")),
                      report._ratio(_ratio(ms, "phase"))))
    return found


def summary(records: list, mode: str) -> str:
    """Geometric means of torch/tconv over the timed cases."""
    timed = [r["ms"][mode] for r in records if not r["problems"]]
    means = [f"torch/{name} {report._ratio(runner.geometric_mean(values))} over {len(values)}"
             for name in ALGORITHMS
             if (values := [_ratio(ms, name) for ms in timed if name in ms])]
    return "geometric mean: " + ("; ".join(means) or "nothing timed")


def header_lines(machine: dict, options: dict) -> list[str]:
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items())
    command = " ".join(["python -m benchmarks.layers", *options["argv"]])
    return [
        f"- command: `{command}`",
        (f"- run: {options['created']}, {options['wall_s']:.0f} s, float32, "
         f"{options['threads']} threads, {options['repeats']} interleaved rounds per mode "
         f"after a warm-up, {1e3 * options['cooldown']:g} ms sleep before each call, medians"),
        (f"- machine: {machine['cpu']}, {machine['cores']} cores "
         f"({machine['usable_cores']} usable), {machine['platform']}, "
         f"Python {machine['python']}"),
        "- versions: " + versions + (f" (tconv at {machine['tconv_git']})"
                                     if machine["tconv_git"] else ""),
        "- threads: " + ", ".join(f"{k}: {v}" for k, v in machine["thread_settings"].items()),
        ("- thread environment variables: "
         + (", ".join(f"{k}={v}" for k, v in machine["env"].items()) or "none set")),
        (f"- check before timing: output and gradients of x, weight and bias within "
         f"{runner.TOLERANCE['float32']:g} * (max(scale, 1) + |ref|) of PyTorch's layer in "
         "float64 with the same weights"),
    ]


def markdown(records: list, machine: dict, options: dict) -> str:
    lines = ["# tconv.torch layers against PyTorch's: training timings", "",
             *header_lines(machine, options), "",
             ("ms are medians; torch/X = PyTorch's time / tconv X's time (> 1: tconv is "
              "faster). auto -> is the algorithm tconv's \"auto\" ran (for ResizeConv2d "
              "and SubPixelConv2d, that of their convolution); phase applies to "
              "ConvTranspose2d only."), ""]
    for mode, title in MODES.items():
        lines += [f"## {title}", "", report.markdown_table(COLUMNS, rows(records, mode)), "",
                  f"- {summary(records, mode)}", ""]
    problems = [f"{r['name']}: {p}" for r in records for p in r["problems"]]
    if problems:
        lines += ["## Mismatches", "", *(f"- {p}" for p in problems), ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.layers",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--filter", default="", help="comma-separated name fragments")
    parser.add_argument("--quick", action="store_true", help="3 rounds per mode")
    parser.add_argument("--cooldown", type=float, default=0.002)
    parser.add_argument("--markdown", metavar="PATH", help="write the Markdown report here")
    parser.add_argument("--passive-threads", action="store_true",
                        help=f"set {', '.join(f'{k}={v}' for k, v in PASSIVE_THREADS.items())}"
                             " (unless set) before PyTorch loads, as python -m benchmarks does")
    args = parser.parse_args(argv)
    fw = runner.Frameworks(("torch",), args.threads)
    torch = fw.torch
    repeats = 3 if args.quick else args.repeats
    wanted = [w for w in args.filter.split(",") if w]
    selected = [c for c in cases() if not wanted or any(w in c.name for w in wanted)]
    machine = report.machine_info(fw, args.threads)
    options = {"argv": list(sys.argv[1:] if argv is None else argv),
               "threads": args.threads, "repeats": repeats, "cooldown": args.cooldown}

    print(f"tconv {tconv.__version__}, torch {torch.__version__}, numpy {np.__version__}; "
          f"{machine['platform']}, {machine['cores']} CPUs; float32, {args.threads} threads, "
          f"{repeats} interleaved rounds, medians; torch/X > 1: tconv X is faster")
    started = time.perf_counter()
    records = []
    limits = report.limit_threads(args.threads)
    try:
        for case in selected:
            modules = build(case, torch)
            x, upstream = inputs(case, modules["torch"], torch)
            problems, picked = check(case, modules, x, upstream, torch)
            record = {"name": case.name, "geometry": case.geometry,
                      "input": "x".join(map(str, case.shape)), "picked": picked,
                      "problems": problems, "ms": None}
            records.append(record)
            if problems:
                for problem in problems:
                    print(f"{case.name}: OUTPUT MISMATCH: {problem}", flush=True)
                continue
            record["ms"] = time_case(case, modules, x, upstream, torch, repeats, args.cooldown)
            parts = []
            for mode in MODES:
                ms = record["ms"][mode]
                parts.append(f"{mode} torch {report._ms(ms['torch'])} ms, " + ", ".join(
                    f"{name} {report._ms(ms[name])} ms (x{report._ratio(_ratio(ms, name))})"
                    for name in case.algorithms))
            print(f"{case.name} [{picked}]: " + "; ".join(parts), flush=True)
    finally:
        if limits is not None:
            limits.unregister()
    options |= {"created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "wall_s": time.perf_counter() - started}
    text = markdown(records, machine, options)
    print("\n" + text)
    if args.markdown:
        Path(args.markdown).write_text(text)
    return 1 if any(r["problems"] for r in records) else 0


if __name__ == "__main__":
    sys.exit(main())
