"""The benchmark core: build each layer's inputs, check every implementation, time them.

For one layer (:func:`run_layer`):

1. Draw ``x`` and ``weight`` (float32, fixed seed per layer; cast to ``--dtype``).
2. Compute the reference in float64 with PyTorch, and the error scale
   ``conv_transpose(|x|, |weight|)``, which bounds the rounding error of every sum.
3. Call every implementation once (tconv per algorithm, PyTorch, onnxruntime,
   JAX) and check it against the reference: ``|y - ref| <= tol * max(scale, 1)
   + tol * |ref|``. Any disagreement aborts the layer (status ``mismatch``).
4. Time them interleaved: a warm-up round, then rounds of one call each, the
   order rotated every round, so that a slow phase of this shared machine hits
   them all alike; a short sleep before each timed call lets the previous
   library's worker threads go idle. The repeat count shrinks for big layers to fit
   ``layer_budget`` seconds (never under ``min_repeats``). Medians are reported.
5. Measure tconv's peak traced memory for one call (``tracemalloc`` sees NumPy's
   allocations, not BLAS-internal buffers).

A same-FLOP NumPy matrix multiply is timed with them as the practical limit.
tconv algorithms other than ``"auto"`` are skipped on a layer when their
estimated or first-call time exceeds ``max_seconds`` (the reference algorithms
are slow on big layers by design).
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import statistics
import sys
import time
import tracemalloc
import zlib
from dataclasses import asdict, dataclass, field

import numpy as np

import tconv

from .suite import LARGE, Layer

FRAMEWORKS = ("torch", "onnxruntime", "jax")
# |error| <= TOLERANCE * max(scale, 1) + TOLERANCE * |reference|, as tests/_tol.py.
TOLERANCE = {"float32": 2e-5, "float64": 1e-12}
# Rough cost models for the first-call estimate of the reference algorithms:
# the tap-loop methods reach about this fraction of the GEMM rate ...
TAP_LOOP_EFFICIENCY = 0.2
# ... and the sparse matrix costs about this much time and memory per nonzero.
MATRIX_SECONDS_PER_NONZERO = 1.5e-7
MATRIX_BYTES_PER_NONZERO = 40
ONNX_OPSET = 22
ONNX_IR_VERSION = 10


class OutputMismatch(AssertionError):
    """An implementation's output disagrees with the float64 reference."""


@dataclass
class Options:
    repeats: int = 15
    min_repeats: int = 3
    threads: int = 2
    dtype: str = "float32"
    algorithms: tuple | None = None  # None: every tconv algorithm
    frameworks: tuple = FRAMEWORKS
    max_seconds: float = 1.0
    layer_budget: float = 8.0
    cooldown: float = 0.002  # seconds of sleep before each timed call
    max_matrix_mb: float = 2048.0
    measure_memory: bool = True
    ort_spinning: bool = False
    seed: int = 0

    def tconv_algorithms(self) -> tuple:
        available = tconv.CONV_TRANSPOSE_ALGORITHMS
        wanted = available if self.algorithms is None else self.algorithms
        unknown = [name for name in wanted if name not in available]
        if unknown:
            raise ValueError(f"unknown tconv algorithm(s) {unknown}; "
                             f"tconv.CONV_TRANSPOSE_ALGORITHMS is {available}")
        return ("auto",) + tuple(name for name in wanted if name != "auto")


@dataclass
class Implementation:
    """One way to compute the layer: ``call()`` runs it, ``to_numpy`` reads its result."""

    name: str
    kind: str  # "tconv", "framework" or "limit"
    call: object
    to_numpy: object = np.asarray
    is_checked: bool = True
    skipped: str | None = None
    first_call_s: float | None = None
    samples: list = field(default_factory=list)
    error: float | None = None  # worst |error| / bound
    peak_memory_bytes: int | None = None


# ---------------------------------------------------------------- frameworks


class Frameworks:
    """The comparison libraries, imported once, with their thread settings.

    PyTorch is required (it computes the float64 reference); onnxruntime and
    JAX are used when importable and asked for.
    """

    def __init__(self, names=FRAMEWORKS, threads=2, ort_spinning=False):
        self.threads, self.ort_spinning = threads, ort_spinning
        self.notes: dict[str, str] = {}
        import torch

        self.torch = torch
        torch.set_num_threads(threads)
        try:
            # One operator at a time: inter-op parallelism does nothing here (as ORT's
            # inter_op_num_threads=1). Only allowed before any parallel work has run.
            torch.set_num_interop_threads(1)
        except RuntimeError as exc:
            self.notes["torch"] = f"set_num_interop_threads(1) refused: {exc}"
        self.ort = self.onnx = self.jax = None
        if "onnxruntime" in names:
            try:
                import onnx
                import onnxruntime

                self.ort, self.onnx = onnxruntime, onnx
            except ImportError as exc:
                self.notes["onnxruntime"] = f"not used: {exc}"
        if "jax" in names:
            if threads == 1 and "XLA_FLAGS" not in os.environ:
                # XLA's CPU backend has no thread-count knob beyond single-threaded Eigen.
                os.environ["XLA_FLAGS"] = ("--xla_cpu_multi_thread_eigen=false "
                                           "intra_op_parallelism_threads=1")
            elif threads != (os.cpu_count() or threads):
                self.notes["jax"] = (f"XLA uses its default CPU thread pool "
                                     f"({os.cpu_count()} cores), not --threads={threads}")
            try:
                import jax

                self.jax = jax
            except ImportError as exc:
                self.notes["jax"] = f"not used: {exc}"

    @property
    def names(self) -> tuple:
        return ("torch",) + (("onnxruntime",) if self.ort else ()) + (("jax",) if self.jax else ())

    def versions(self) -> dict:
        versions = {"torch": self.torch.__version__}
        if self.ort:
            versions["onnxruntime"] = self.ort.__version__
            versions["onnx"] = self.onnx.__version__
        if self.jax:
            import jaxlib

            versions["jax"] = self.jax.__version__
            versions["jaxlib"] = jaxlib.__version__
        return versions

    def thread_settings(self) -> dict:
        settings = {"torch.get_num_threads": self.torch.get_num_threads(),
                    "torch.get_num_interop_threads": self.torch.get_num_interop_threads()}
        if self.ort:
            settings["onnxruntime"] = (f"intra_op_num_threads={self.threads}, "
                                       f"inter_op_num_threads=1, ORT_SEQUENTIAL, allow_spinning="
                                       f"{int(self.ort_spinning)}")
        if self.jax:
            settings["jax"] = os.environ.get("XLA_FLAGS",
                                             f"default thread pool ({os.cpu_count()} cores)")
        return settings


def _torch_call(fw, layer, x, weight):
    torch = fw.torch
    function = getattr(torch.nn.functional, f"conv_transpose{layer.rank}d")
    x_t, w_t = torch.from_numpy(x), torch.from_numpy(weight)

    def call():
        with torch.no_grad():
            return function(x_t, w_t, None, layer.stride, layer.padding, layer.output_padding,
                            layer.groups, layer.dilation)
    return call


def onnx_model(fw, layer, weight):
    """A one-node ``ConvTranspose`` model with the weight as an initializer."""
    onnx, helper = fw.onnx, fw.onnx.helper
    element = helper.np_dtype_to_tensor_dtype(weight.dtype)
    node = helper.make_node("ConvTranspose", ["X", "W"], ["Y"], kernel_shape=list(layer.kernel),
                            strides=list(layer.stride), pads=list(layer.padding) * 2,
                            output_padding=list(layer.output_padding),
                            dilations=list(layer.dilation), group=layer.groups)
    graph = helper.make_graph(
        [node], layer.name, [helper.make_tensor_value_info("X", element, list(layer.x_shape))],
        [helper.make_tensor_value_info("Y", element, list(layer.out_shape))],
        initializer=[onnx.numpy_helper.from_array(weight, "W")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", ONNX_OPSET)])
    model.ir_version = ONNX_IR_VERSION
    return model


def _ort_call(fw, layer, x, weight):
    ort = fw.ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = fw.threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # Idle intra-op threads spin by default, stealing a core from whatever is timed next.
    options.add_session_config_entry("session.intra_op.allow_spinning",
                                     "1" if fw.ort_spinning else "0")
    session = ort.InferenceSession(onnx_model(fw, layer, weight).SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    feed = {"X": x}

    def call():
        return session.run(None, feed)[0]
    return call


def _jax_call(fw, layer, x, weight):
    jax = fw.jax
    jnp, lax = jax.numpy, jax.lax
    if x.dtype == np.float64:
        jax.config.update("jax_enable_x64", True)
    rank, groups = layer.rank, layer.groups
    spatial = "DHW"[3 - rank:]
    numbers = lax.conv_dimension_numbers(layer.x_shape, (layer.out_channels, 1, *layer.kernel),
                                         ("NC" + spatial, "OI" + spatial, "NC" + spatial))
    # A transposed conv is a conv of the stride-dilated input with the flipped kernel,
    # padded by d*(k-1) - p before and that plus output_padding after.
    pads = [(d * (k - 1) - p, d * (k - 1) - p + op) for k, p, op, d in
            zip(layer.kernel, layer.padding, layer.output_padding, layer.dilation)]
    ci, co = layer.in_channels // groups, layer.out_channels // groups

    @jax.jit
    def function(x, weight):
        w = jnp.reshape(weight, (groups, ci, co, *layer.kernel))
        w = jnp.reshape(jnp.swapaxes(w, 1, 2), (groups * co, ci, *layer.kernel))
        w = jnp.flip(w, axis=tuple(range(2, 2 + rank)))
        return lax.conv_general_dilated(x, w, (1,) * rank, pads, lhs_dilation=layer.stride,
                                        rhs_dilation=layer.dilation, dimension_numbers=numbers,
                                        feature_group_count=groups,
                                        precision=lax.Precision.HIGHEST)
    x_j, w_j = jax.device_put(x), jax.device_put(weight)

    def call():
        return function(x_j, w_j).block_until_ready()
    return call


def _matmul_call(layer, dtype, rng):
    groups, m, k, n = layer.gemm_shape
    shape = (groups,) if groups > 1 else ()
    a = rng.standard_normal((*shape, m, k), dtype=np.float32).astype(dtype)
    b = rng.standard_normal((*shape, k, n), dtype=np.float32).astype(dtype)
    out = np.empty((*shape, m, n), dtype=dtype)

    def call():
        return np.matmul(a, b, out=out)
    return call


# ---------------------------------------------------------------- checking


def make_inputs(layer: Layer, dtype, seed=0):
    """``x`` and ``weight``: the layer's pinned values, or float32 normals (fixed seed)."""
    if layer.x is not None:
        x = np.asarray(layer.x, dtype=np.float32).reshape(layer.x_shape)
        weight = np.asarray(layer.weight, dtype=np.float32).reshape(layer.weight_shape)
        return x.astype(dtype), weight.astype(dtype)
    rng = np.random.default_rng([seed, zlib.crc32(layer.name.encode())])
    x = rng.standard_normal(layer.x_shape, dtype=np.float32)
    fan_in = layer.in_channels // layer.groups * math.prod(layer.kernel)
    weight = rng.standard_normal(layer.weight_shape, dtype=np.float32) / np.float32(
        math.sqrt(fan_in))
    return x.astype(dtype), weight.astype(dtype)


def reference(fw, layer, x, weight):
    """``(y, scale)`` in float64 from PyTorch: the result and ``conv_transpose(|x|, |w|)``."""
    torch = fw.torch
    function = getattr(torch.nn.functional, f"conv_transpose{layer.rank}d")
    x64 = torch.from_numpy(x.astype(np.float64))
    w64 = torch.from_numpy(weight.astype(np.float64))
    geometry = (layer.stride, layer.padding, layer.output_padding, layer.groups, layer.dilation)
    with torch.no_grad():
        y = function(x64, w64, None, *geometry).numpy()
        scale = function(x64.abs(), w64.abs(), None, *geometry).numpy()
    return y, scale


def check_close(name, actual, expected, scale, dtype) -> float:
    """Raise :class:`OutputMismatch` unless ``actual`` is within tolerance of ``expected``.

    Returns the worst ``|error| / bound`` (at most 1).
    """
    actual = np.asarray(actual)
    if actual.shape != expected.shape:
        raise OutputMismatch(f"{name}: shape {actual.shape} != expected {expected.shape}")
    tol = TOLERANCE[np.dtype(dtype).name]
    error = np.abs(actual.astype(np.float64) - expected)
    bound = tol * np.maximum(scale, 1.0) + tol * np.abs(expected)
    ratio = np.where(np.isnan(error), np.inf, error / bound)
    worst = float(np.max(ratio))
    if not worst <= 1.0:
        where = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
        raise OutputMismatch(
            f"{name}: {int(np.sum(~(ratio <= 1)))} of {ratio.size} outputs out of tolerance; "
            f"worst at {tuple(map(int, where))}: got {actual[where]!r}, expected "
            f"{expected[where]!r}, |error| {error[where]:.3g} > bound {bound[where]:.3g}")
    return worst


# ---------------------------------------------------------------- one layer


def estimate_seconds(algorithm, layer, matmul_seconds):
    """A rough time for one call of a reference algorithm, or None when unknown."""
    if algorithm in ("scatter", "gemm"):
        return matmul_seconds / TAP_LOOP_EFFICIENCY
    if algorithm == "dilate":
        return matmul_seconds * math.prod(layer.stride) / TAP_LOOP_EFFICIENCY
    if algorithm == "matrix":
        return matrix_nonzeros(layer) * MATRIX_SECONDS_PER_NONZERO
    return None


def matrix_nonzeros(layer):
    return layer.flops // (2 * layer.batch)


def _tconv_call(layer, x, weight, algorithm):
    def call():
        return tconv.conv_transpose(x, weight, stride=layer.stride, padding=layer.padding,
                                    output_padding=layer.output_padding,
                                    dilation=layer.dilation, groups=layer.groups,
                                    algorithm=algorithm)
    return call


@contextlib.contextmanager
def _spy_on_auto():
    """Collect the names tconv's ``"auto"`` picks while the block runs.

    It wraps tconv's private ``choose``; if that has moved, nothing is collected.
    """
    chosen = []
    core = sys.modules.get("tconv._conv")
    original = getattr(core, "choose", None)
    if original is None:
        yield chosen
        return

    def spy(*args, **kwargs):
        name = original(*args, **kwargs)
        chosen.append(name)
        return name
    core.choose = spy
    try:
        yield chosen
    finally:
        core.choose = original


def _peak_memory(call):
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def build_implementations(fw, layer, x, weight, options, notes):
    rng = np.random.default_rng([options.seed, 1 + zlib.crc32(layer.name.encode())])
    impls = [Implementation("numpy-matmul", "limit", _matmul_call(layer, x.dtype, rng),
                            is_checked=False)]
    for algorithm in options.tconv_algorithms():
        impls.append(Implementation(f"tconv[{algorithm}]", "tconv",
                                    _tconv_call(layer, x, weight, algorithm)))
    builders = {"torch": (_torch_call, lambda y: y.numpy()), "onnxruntime": (_ort_call, None),
                "jax": (_jax_call, None)}
    for name in fw.names:
        build, to_numpy = builders[name]
        try:
            call = build(fw, layer, x, weight)
        except Exception as exc:  # noqa: BLE001 - reported, not fatal: a framework may not run it
            notes.append(f"{name} not run: {type(exc).__name__}: {exc}")
            continue
        impls.append(Implementation(name, "framework", call, to_numpy or np.asarray))
    return impls


def _timed(call):
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def run_layer(layer: Layer, options: Options, fw: Frameworks, log=print) -> dict:
    """Check and time every implementation on ``layer``; the layer's JSON record."""
    dtype = np.dtype(options.dtype)
    record = layer_record(layer, dtype)
    notes: list[str] = []
    record["notes"] = notes
    x, weight = make_inputs(layer, dtype, options.seed)
    expected, scale = reference(fw, layer, x, weight)
    impls = build_implementations(fw, layer, x, weight, options, notes)
    matmul = impls[0]
    _, matmul.first_call_s = _timed(matmul.call)
    _, matmul_seconds = _timed(matmul.call)

    mismatches = []
    for impl in impls[1:]:
        if impl.kind == "tconv" and impl.name != "tconv[auto]":
            algorithm = impl.name[len("tconv["):-1]
            estimate = estimate_seconds(algorithm, layer, matmul_seconds)
            if algorithm == "matrix":
                megabytes = matrix_nonzeros(layer) * MATRIX_BYTES_PER_NONZERO / 1e6
                if megabytes > options.max_matrix_mb:
                    impl.skipped = (f"sparse matrix ~{megabytes:.0f} MB > --max-matrix-mb "
                                    f"{options.max_matrix_mb:g}")
                    continue
            if estimate is not None and estimate > options.max_seconds:
                impl.skipped = (f"estimated {estimate:.2g} s > --max-seconds "
                                f"{options.max_seconds:g}")
                continue
        try:
            with _spy_on_auto() as chosen:
                result, impl.first_call_s = _timed(impl.call)
            if impl.name == "tconv[auto]" and chosen:
                record["auto_algorithm"] = chosen[-1]
        except Exception as exc:  # noqa: BLE001 - recorded: an error in tconv fails the run
            if impl.kind == "tconv":
                record.update(status="error", error=f"{impl.name} raised {type(exc).__name__}: "
                                                    f"{exc}")
                log(f"!!! {layer.name}: {record['error']}")
                _finish(record, impls, layer)
                return record
            impl.skipped = f"raised {type(exc).__name__}: {exc}"
            notes.append(f"{impl.name} {impl.skipped}")
            continue
        try:
            impl.error = check_close(impl.name, impl.to_numpy(result), expected, scale, dtype)
        except OutputMismatch as exc:
            mismatches.append(str(exc))
        del result
        if impl.kind == "tconv" and impl.name != "tconv[auto]" and \
                impl.first_call_s > options.max_seconds:
            impl.skipped = (f"one call took {impl.first_call_s:.2g} s > --max-seconds "
                            f"{options.max_seconds:g}")
    if mismatches:
        record.update(status="mismatch", error="\n".join(mismatches))
        log(f"!!! {layer.name}: OUTPUT MISMATCH, layer not timed:\n    "
            + "\n    ".join(mismatches))
        _finish(record, impls, layer)
        return record

    timed = [impl for impl in impls if impl.skipped is None]
    round_seconds = sum(_timed(impl.call)[1] for impl in timed)  # warm-up round
    repeats = max(options.min_repeats,
                  min(options.repeats, int(options.layer_budget / max(round_seconds, 1e-9))))
    enabled = gc.isenabled()
    gc.disable()
    try:
        for turn in range(repeats):
            shift = turn % len(timed)
            for impl in timed[shift:] + timed[:shift]:
                # Let the last library's worker threads go idle before the clock starts.
                time.sleep(options.cooldown)
                impl.samples.append(_timed(impl.call)[1])
    finally:
        if enabled:
            gc.enable()
    record["repeats"] = repeats

    if options.measure_memory:
        for impl in timed:
            if impl.kind == "tconv":
                impl.peak_memory_bytes = _peak_memory(impl.call)
    record["status"] = "ok"
    _finish(record, impls, layer)
    return record


def layer_record(layer: Layer, dtype=np.float32) -> dict:
    fields = asdict(layer)
    fields.pop("x"), fields.pop("weight")
    fields.update(out_size=layer.out_size, geometry=layer.describe(), flops=layer.flops,
                  gemm_shape=layer.gemm_shape, status=None, error=None, repeats=0,
                  auto_algorithm=None)
    elements = math.prod(layer.x_shape) + math.prod(layer.out_shape)
    fields["io_mb"] = elements * np.dtype(dtype).itemsize / 1e6
    return fields


def _finish(record, impls, layer):
    """Fill in per-implementation statistics and the speed ratios."""
    stats = {}
    for impl in impls:
        entry = {"kind": impl.kind, "skipped": impl.skipped,
                 "first_call_ms": None if impl.first_call_s is None else impl.first_call_s * 1e3,
                 "samples_ms": [s * 1e3 for s in impl.samples], "median_ms": None,
                 "min_ms": None, "gflops": None, "fraction_of_matmul": None,
                 "error_over_bound": impl.error,
                 "peak_memory_mb": (None if impl.peak_memory_bytes is None
                                    else impl.peak_memory_bytes / 1e6)}
        if impl.samples:
            median = statistics.median(impl.samples)
            entry.update(median_ms=median * 1e3, min_ms=min(impl.samples) * 1e3,
                         gflops=layer.flops / median / 1e9)
        stats[impl.name] = entry
    matmul = stats["numpy-matmul"]["gflops"]
    for entry in stats.values():
        if entry["gflops"] is not None and matmul:
            entry["fraction_of_matmul"] = entry["gflops"] / matmul
    record["implementations"] = stats
    auto = stats.get("tconv[auto]", {}).get("median_ms")
    record["speedup"] = {
        name: (stats[name]["median_ms"] / auto if auto and stats[name]["median_ms"] else None)
        for name in (*FRAMEWORKS, "numpy-matmul") if name in stats}
    record["tconv_peak_mb"] = stats.get("tconv[auto]", {}).get("peak_memory_mb")


# ---------------------------------------------------------------- the suite


def interleaved_medians(calls: dict, repeats: int, cooldown: float) -> dict:
    """Median seconds per call of ``calls`` (name -> no-argument callable).

    One warm-up call each, then ``repeats`` rounds; each round runs every call
    once, starting one further along than the round before, with ``cooldown``
    seconds of sleep before each, so that drift and turbo affect all alike.
    """
    names = list(calls)
    for name in names:  # warm-up
        calls[name]()
    times = {name: [] for name in names}
    for round_ in range(repeats):
        order = names[round_ % len(names):] + names[:round_ % len(names)]
        for name in order:
            time.sleep(cooldown)
            start = time.perf_counter()
            calls[name]()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def geometric_mean(values):
    values = [v for v in values if v]
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def summarize(records) -> dict:
    """Geometric means of the speedups (other / tconv auto), overall and large-channel."""
    ok = [r for r in records if r["status"] == "ok"]
    subsets = {"all": ok, LARGE: [r for r in ok if LARGE in r["tags"]]}
    summary = {}
    for subset, rows in subsets.items():
        summary[subset] = {"layers": len(rows)}
        for name in FRAMEWORKS:
            values = [r["speedup"].get(name) for r in rows]
            summary[subset][f"speedup_vs_{name}"] = geometric_mean(values)
        summary[subset]["fraction_of_matmul"] = geometric_mean(
            [r["implementations"]["tconv[auto]"]["fraction_of_matmul"] for r in rows])
    summary["mismatched"] = [r["name"] for r in records if r["status"] == "mismatch"]
    summary["errors"] = [r["name"] for r in records if r["status"] == "error"]
    return summary


def _load_average():
    """The 1-minute load average (other processes compete for the cores), if known."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def run(layers, options: Options, fw: Frameworks | None = None, log=print) -> dict:
    """Run ``layers``; the whole result (machine, options, layer records, summary)."""
    from . import report

    options.tconv_algorithms()  # unknown names fail before anything runs
    fw = fw or Frameworks(options.frameworks, options.threads, options.ort_spinning)
    limits = report.limit_threads(options.threads)
    machine = report.machine_info(fw, options.threads)
    records = []
    started, load = time.perf_counter(), _load_average()
    try:
        for index, layer in enumerate(layers, start=1):
            start = time.perf_counter()
            load = _load_average()
            record = run_layer(layer, options, fw, log=log)
            record["load_average_before"] = load
            record["wall_s"] = time.perf_counter() - start
            records.append(record)
            log(report.progress_line(index, len(layers), record))
    finally:
        if limits is not None:
            limits.unregister()
    return {"schema": 1, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "wall_s": time.perf_counter() - started,
            "load_average": {"start": load, "end": _load_average()},
            "machine": machine,
            "options": {**asdict(options), "algorithms": options.tconv_algorithms(),
                        "frameworks": fw.names, "framework_notes": fw.notes,
                        "tolerance": TOLERANCE[options.dtype]},
            "layers": records, "summary": summarize(records)}
