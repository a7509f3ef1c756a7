"""Side-by-side timings of ``tconv.conv`` (forward) against PyTorch and onnxruntime.

``python -m benchmarks.conv`` (from the repository root) times the encoder and
discriminator convolutions of the networks whose decoders ``python -m
benchmarks`` times (DCGAN discriminator, U-Net encoder, FSRCNN feature
extraction, MelGAN discriminator, 3D U-Net encoder) plus depthwise
(MobileNet-style) and grouped (ResNeXt-style) layers:

* ``tconv.conv(algorithm="auto")`` on NumPy arrays and on PyTorch tensors
  (where it runs PyTorch's own kernel), ``torch.nn.functional.conv{1,2,3}d``
  under ``torch.no_grad()``, and a one-node onnxruntime ``Conv`` model (opset
  22, weight as initializer) when onnx and onnxruntime are installed;
* after checking every output against a float64 PyTorch reference within
  ``2e-5 * (max(conv(|x|, |w|), 1) + |ref|)`` (``tests/_tol.py``'s float32 bound);
* with ``--threads`` (default 2) for every library, interleaved rounds with a
  rotating order, medians (``--repeats``, default 15; ``--quick`` 3).

Ratios are ``X/tconv`` = X's time over tconv's NumPy time (> 1: tconv is
faster); ``torch/pt`` compares PyTorch with tconv on its tensors. The exit
status is 1 when an output disagreed (that case is not timed).
"""

from __future__ import annotations

import os

# As in ``python -m benchmarks``: idle threads must not spin while the next library runs.
for _name, _value in {"OMP_WAIT_POLICY": "PASSIVE", "OPENBLAS_THREAD_TIMEOUT": "20"}.items():
    os.environ.setdefault(_name, _value)

import argparse
import contextlib
import sys
from dataclasses import dataclass

import numpy as np

import tconv

from . import report, runner


@dataclass(frozen=True)
class ConvLayer:
    """One forward convolution: ``(N, C_in, *size)`` through a ``k`` kernel."""

    name: str
    batch: int
    in_channels: int
    out_channels: int
    size: tuple
    kernel: int
    stride: int = 1
    padding: int = 0
    groups: int = 1

    @property
    def rank(self) -> int:
        return len(self.size)

    def geometry(self) -> str:
        text = (f"{self.in_channels}->{self.out_channels} {'x'.join(map(str, self.size))} "
                f"k{self.kernel} s{self.stride}")
        text += f" p{self.padding}" if self.padding else ""
        return text + (f" g{self.groups}" if self.groups > 1 else "")

    def gflop(self) -> float:
        out = [(n + 2 * self.padding - self.kernel) // self.stride + 1 for n in self.size]
        return (2 * self.batch * np.prod(out) * self.out_channels
                * self.in_channels // self.groups * self.kernel ** self.rank / 1e9)


SUITE = (
    ConvLayer("dcgan.d1.b64", 64, 3, 64, (64, 64), 4, 2, 1),
    ConvLayer("dcgan.d2.b64", 64, 64, 128, (32, 32), 4, 2, 1),
    ConvLayer("dcgan.d3.b64", 64, 128, 256, (16, 16), 4, 2, 1),
    ConvLayer("dcgan.d4.b64", 64, 256, 512, (8, 8), 4, 2, 1),
    ConvLayer("dcgan.d2.b1", 1, 64, 128, (32, 32), 4, 2, 1),
    ConvLayer("unet.enc1", 1, 64, 64, (128, 128), 3, 1, 1),
    ConvLayer("unet.enc3", 1, 256, 256, (32, 32), 3, 1, 1),
    ConvLayer("fsrcnn.feature", 1, 1, 56, (64, 64), 5, 1, 2),
    ConvLayer("melgan.disc", 4, 16, 64, (4096,), 41, 4, 20, 4),
    ConvLayer("unet3d.enc", 1, 32, 64, (32, 32, 32), 3, 1, 1),
    ConvLayer("mobilenet.dw.s1", 8, 128, 128, (28, 28), 3, 1, 1, 128),
    ConvLayer("mobilenet.dw.s2", 8, 128, 128, (56, 56), 3, 2, 1, 128),
    ConvLayer("resnext.g32", 4, 256, 256, (28, 28), 3, 1, 1, 32),
)


def _ort_call(layer, weight, x):
    """A one-node onnxruntime Conv session's call, or None without onnx/onnxruntime."""
    try:
        import onnx
        import onnxruntime as ort
        from onnx import helper, numpy_helper
    except ImportError:
        return None
    node = helper.make_node("Conv", ["x", "w"], ["y"], strides=[layer.stride] * layer.rank,
                            pads=[layer.padding] * (2 * layer.rank), group=layer.groups)
    graph = helper.make_graph(
        [node], "conv", [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, x.shape)],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, None)],
        [numpy_helper.from_array(weight, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    return lambda: session.run(None, {"x": x})[0]


THREADS = 2


def _calls(conv, x, w, xt, wt, options) -> dict:
    """tconv on NumPy arrays and on tensors, and PyTorch's functional op."""
    return {"np": lambda: tconv.conv(x, w, **options),
            "pt": lambda: tconv.conv(xt, wt, **options),
            "torch": lambda: conv(xt, wt, **options)}


def main(argv=None) -> int:
    global THREADS
    parser = argparse.ArgumentParser(prog="python -m benchmarks.conv",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--filter", default="", help="comma-separated name fragments")
    parser.add_argument("--quick", action="store_true", help="3 rounds per case")
    parser.add_argument("--cooldown", type=float, default=0.002)
    args = parser.parse_args(argv)
    THREADS = args.threads
    import torch

    torch.set_num_threads(args.threads)
    with contextlib.suppress(RuntimeError):  # only settable before parallel work
        torch.set_num_interop_threads(1)
    limits = report.limit_threads(args.threads) or contextlib.nullcontext()
    functional = {1: torch.nn.functional.conv1d, 2: torch.nn.functional.conv2d,
                  3: torch.nn.functional.conv3d}
    repeats = 3 if args.quick else args.repeats
    wanted = [w for w in args.filter.split(",") if w]
    selected = [c for c in SUITE if not wanted or any(w in c.name for w in wanted)]
    print(f"tconv {tconv.__version__}, torch {torch.__version__}, numpy {np.__version__}; "
          f"float32, {args.threads} threads, {repeats} interleaved rounds, medians")
    header = (f"{'layer':18} {'geometry':28} {'N':>3} {'GFLOP':>6} {'tconv np':>9} "
              f"{'tconv pt':>9} {'torch':>9} {'ORT':>9} {'torch/np':>9} {'ORT/np':>7} "
              f"{'torch/pt':>9}")
    print(header)
    print("-" * len(header))
    failed, ratios = False, {"torch": [], "ort": [], "pt": []}
    with limits:
        for layer in selected:
            rng = np.random.default_rng(0)
            shape = (layer.batch, layer.in_channels, *layer.size)
            x = rng.standard_normal(shape, dtype=np.float32)
            w = rng.standard_normal((layer.out_channels, layer.in_channels // layer.groups,
                                     *(layer.kernel,) * layer.rank), dtype=np.float32)
            options = {"stride": layer.stride, "padding": layer.padding,
                       "groups": layer.groups}
            xt, wt = torch.from_numpy(x), torch.from_numpy(w)
            conv = functional[layer.rank]
            with torch.no_grad():
                ref = conv(xt.double(), wt.double(), **options).numpy()
                bound = conv(xt.double().abs(), wt.double().abs(), **options).numpy()
                calls = _calls(conv, x, w, xt, wt, options)
                ort_call = _ort_call(layer, w, x)
                if ort_call is not None:
                    calls["ort"] = ort_call
                problems = []
                for name, call in calls.items():
                    got = np.asarray(call()).astype(np.float64)
                    try:
                        runner.check_close(name, got, ref, bound, np.float32)
                    except runner.OutputMismatch as mismatch:
                        problems.append(str(mismatch))
                if problems:
                    failed = True
                    print(f"{layer.name:18} OUTPUT MISMATCH: {'; '.join(problems)}")
                    continue
                ms = {k: v * 1e3 for k, v in
                      runner.interleaved_medians(calls, repeats, args.cooldown).items()}
            ort_ms = ms.get("ort", float("nan"))
            ratios["torch"].append(ms["torch"] / ms["np"])
            ratios["pt"].append(ms["torch"] / ms["pt"])
            if "ort" in ms:
                ratios["ort"].append(ort_ms / ms["np"])
            print(f"{layer.name:18} {layer.geometry():28} {layer.batch:3d} "
                  f"{layer.gflop():6.3f} {ms['np']:9.2f} {ms['pt']:9.2f} {ms['torch']:9.2f} "
                  f"{ort_ms:9.2f} {ms['torch'] / ms['np']:9.2f} {ort_ms / ms['np']:7.2f} "
                  f"{ms['torch'] / ms['pt']:9.2f}", flush=True)
    means = {k: runner.geometric_mean(v) for k, v in ratios.items()}
    print("geometric means: " + ", ".join(
        f"{label} {means[k]:.2f}" for k, label in
        (("torch", "torch/np"), ("ort", "ORT/np"), ("pt", "torch/pt")) if means[k]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
