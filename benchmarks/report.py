"""Machine description, thread limits, and the text / Markdown / JSON reports."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from pathlib import Path

import numpy as np

import tconv

from .suite import LARGE

ENV_PATTERN = re.compile(r"(_NUM_THREADS|^OPENBLAS_|^TCONV_BENCH_|^OMP_|^MKL_|^KMP_|^GOMP_"
                         r"|^XLA_FLAGS$|^ORT_)")


def limit_threads(threads):
    """Limit NumPy's BLAS (and any OpenMP pool) to ``threads`` via threadpoolctl, if installed.

    tconv's compiled loops read ``NUMBA_NUM_THREADS`` at each call: set for this process.
    """
    os.environ["NUMBA_NUM_THREADS"] = str(threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(limits=threads)


def _cpu_model():
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or platform.machine()
    found = re.search(r"^model name\s*:\s*(.*)$", text, re.MULTILINE)
    model = found.group(1).strip() if found else platform.machine()
    flags = re.search(r"^flags\s*:\s*(.*)$", text, re.MULTILINE)
    simd = sorted({f for f in (flags.group(1).split() if flags else ())
                   if f in ("avx", "avx2", "fma", "avx512f", "avx512_bf16", "amx_tile")})
    return f"{model} ({' '.join(simd)})" if simd else model


def _blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        info = None
    else:
        info = [{k: v for k, v in pool.items() if k != "filepath"} | {
            "library": os.path.basename(pool.get("filepath") or "")}
            for pool in threadpool_info()]
    try:
        config = np.show_config(mode="dicts")
        numpy_blas = config["Build Dependencies"]["blas"]
        numpy_blas = {k: numpy_blas.get(k) for k in ("name", "version", "openblas configuration")
                      if numpy_blas.get(k)}
    except Exception:  # noqa: BLE001 - older NumPy: no dict mode
        numpy_blas = None
    return {"threadpoolctl": info, "numpy_blas": numpy_blas}


def _git_state():
    root = Path(__file__).resolve().parents[1]
    try:
        def git(*args):
            return subprocess.run(["git", *args], cwd=root, text=True, capture_output=True,
                                  timeout=10, check=False).stdout.strip()
        commit = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--", "src")
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}{' + uncommitted changes in src/' if dirty else ''}" if commit else None


def machine_info(fw, threads) -> dict:
    import scipy

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu": _cpu_model(), "cores": os.cpu_count(), "usable_cores": usable,
        "platform": platform.platform(), "python": platform.python_version(),
        "versions": {"tconv": getattr(tconv, "__version__", "?"), "numpy": np.__version__,
                     "scipy": scipy.__version__, **fw.versions()},
        "tconv_git": _git_state(),
        "blas": _blas_info(), "threads": threads, "thread_settings": fw.thread_settings(),
        "env": {k: v for k, v in sorted(os.environ.items()) if ENV_PATTERN.search(k)},
    }


# ---------------------------------------------------------------- formatting


def _ms(value):
    if value is None:
        return "-"
    return f"{value:.3f}" if value < 1 else f"{value:.2f}" if value < 100 else f"{value:.0f}"


def _load(value):
    return "?" if value is None else f"{value:.1f}"


def _ratio(value):
    return "-" if value is None else f"{value:.2f}"


def _impl(record, name, key="median_ms"):
    entry = record.get("implementations", {}).get(name)
    return None if entry is None else entry.get(key)


def progress_line(index, total, record):
    name = f"[{index}/{total}] {record['name']}"
    if record["status"] != "ok":
        return f"{name}: {record['status'].upper()} ({record['wall_s']:.1f} s)"
    parts = [(f"tconv {_ms(_impl(record, 'tconv[auto]'))} ms "
             f"({record['auto_algorithm'] or '?'})")]
    for other in ("torch", "onnxruntime", "jax"):
        if _impl(record, other) is not None:
            parts.append(f"{other} {_ms(_impl(record, other))} ms "
                         f"(x{_ratio(record['speedup'].get(other))})")
    return (f"{name}: " + ", ".join(parts)
            + f"  [{record['repeats']} rounds, {record['wall_s']:.1f} s, "
              f"load {_load(record['load_average_before'])}]")


MAIN_COLUMNS = ("layer", "geometry", "N", "GFLOP", "auto ->", "tconv ms", "torch ms", "ORT ms",
                "JAX ms", "matmul ms", "tconv GF/s", "% matmul", "torch/tconv", "ORT/tconv",
                "JAX/tconv", "peak MB", "in+out MB")


def main_rows(result):
    rows = []
    for r in result["layers"]:
        if r["status"] != "ok":
            rows.append((r["name"], r["geometry"], str(r["batch"]), f"{r['flops'] / 1e9:.3f}",
                         r["status"].upper()) + ("",) * (len(MAIN_COLUMNS) - 5))
            continue
        fraction = _impl(r, "tconv[auto]", "fraction_of_matmul")
        rows.append((
            r["name"], r["geometry"], str(r["batch"]), f"{r['flops'] / 1e9:.3f}",
            r["auto_algorithm"] or "?", _ms(_impl(r, "tconv[auto]")), _ms(_impl(r, "torch")),
            _ms(_impl(r, "onnxruntime")), _ms(_impl(r, "jax")), _ms(_impl(r, "numpy-matmul")),
            f"{_impl(r, 'tconv[auto]', 'gflops'):.1f}",
            "-" if fraction is None else f"{100 * fraction:.0f}%",
            _ratio(r["speedup"].get("torch")), _ratio(r["speedup"].get("onnxruntime")),
            _ratio(r["speedup"].get("jax")), _ms(r["tconv_peak_mb"]), _ms(r["io_mb"])))
    return rows


def algorithm_names(result):
    return [f"tconv[{name}]" for name in result["options"]["algorithms"]]


def algorithm_rows(result):
    names = algorithm_names(result)
    rows = []
    for r in result["layers"]:
        cells = [r["name"]]
        for name in names:
            entry = r.get("implementations", {}).get(name)
            if entry is None:
                cells.append("-")
            elif entry["skipped"]:
                cells.append("skip")
            elif entry["median_ms"] is None:
                cells.append(r["status"])
            else:
                peak = entry["peak_memory_mb"]
                cells.append(_ms(entry["median_ms"])
                             + ("" if peak is None else f" ({_ms(peak)} MB)"))
        rows.append(tuple(cells))
    return names, rows


def summary_lines(result):
    lines = []
    summary = result["summary"]
    for subset in ("all", LARGE):
        s = summary[subset]
        if not s["layers"]:
            continue
        parts = [f"{label} {_ratio(s.get(f'speedup_vs_{name}'))}" for label, name in
                 (("torch/tconv", "torch"), ("ORT/tconv", "onnxruntime"), ("JAX/tconv", "jax"))
                 if s.get(f"speedup_vs_{name}") is not None]
        fraction = s.get("fraction_of_matmul")
        parts.append(f"tconv at {100 * fraction:.0f}% of the matmul rate" if fraction else "")
        lines.append(f"geometric mean over {subset} ({s['layers']} layers): "
                     + ", ".join(p for p in parts if p))
    if summary["mismatched"]:
        lines.append(f"OUTPUT MISMATCH in: {', '.join(summary['mismatched'])}")
    if summary["errors"]:
        lines.append(f"ERRORS in: {', '.join(summary['errors'])}")
    return lines


def text_table(columns, rows):
    widths = [max(len(str(c)) for c in column) for column in zip(columns, *rows)]
    def line(cells):
        return "  ".join(str(c).rjust(w) if i > 1 else str(c).ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(columns), line(["-" * w for w in widths])] + [line(r) for r in rows])


def markdown_table(columns, rows):
    def line(cells):
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"
    align = ["---" if i < 2 else "---:" for i in range(len(columns))]
    return "\n".join([line(columns), "|" + "|".join(align) + "|"] + [line(r) for r in rows])


def text_report(result):
    names, rows = algorithm_rows(result)
    parts = [
        ("ms are medians; X/tconv = X's time / tconv auto's time (> 1: tconv is faster); "
         "% matmul = tconv's GFLOP/s over the same-FLOP NumPy matmul's"),
        text_table(MAIN_COLUMNS, main_rows(result)), "",
        ("tconv per algorithm: median ms (peak traced MB of one call); skip = over "
         "--max-seconds or --max-matrix-mb"),
        text_table(("layer", *names), rows), "", *summary_lines(result)]
    notes = [f"{r['name']}: {note}" for r in result["layers"] for note in r["notes"]]
    notes += [f"{name}: {note}" for name, note in result["options"]["framework_notes"].items()]
    if notes:
        parts += ["", "notes:", *("  " + n for n in notes)]
    return "\n".join(parts)


def markdown_report(result):
    m, o = result["machine"], result["options"]
    blas = m["blas"]["threadpoolctl"] or m["blas"]["numpy_blas"]
    if isinstance(blas, list):
        blas = "; ".join(f"{p.get('internal_api')}{' ' + p['version'] if p.get('version') else ''}"
                         f" ({p.get('library')}, {p.get('num_threads')} threads"
                         + (f", {p['architecture']}" if p.get("architecture") else "") + ")"
                         for p in blas)
    env = ", ".join(f"{k}={v}" for k, v in m["env"].items()) or "none set"
    names, rows = algorithm_rows(result)
    lines = [
        "# tconv conv_transpose benchmark", "",
        (f"- run: {result['created']}, {result['wall_s']:.0f} s, dtype {o['dtype']}, "
         f"threads {o['threads']}, up to {o['repeats']} interleaved rounds per layer "
         f"(at least {o['min_repeats']}; budget {o['layer_budget']:g} s; "
         f"{1e3 * o['cooldown']:g} ms sleep before each call), medians; "
         f"1-min load average {_load(result['load_average']['start'])} at the start, "
         f"{_load(result['load_average']['end'])} at the end"),
        (f"- machine: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), "
         f"{m['platform']}, Python {m['python']}"),
        ("- versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items())
         + (f" (tconv at {m['tconv_git']})" if m["tconv_git"] else "")),
        f"- BLAS: {blas}",
        "- threads: " + ", ".join(f"{k}: {v}" for k, v in m["thread_settings"].items()),
        f"- thread/BLAS environment variables: {env}",
        (f"- output check: |y - ref| <= {o['tolerance']:g} * (max(conv_transpose(|x|,|w|), 1)"
         " + |ref|), ref in float64 (PyTorch)"), "",
        ("Speed ratios are X's time / tconv auto's time (> 1: tconv is faster). "
         "% matmul is tconv's GFLOP/s over that of the same-FLOP NumPy matmul "
         "`(N*P_in, C_in/g) @ (C_in/g, C_out/g*k^d)`. peak MB: tracemalloc peak of one "
         "tconv call (NumPy allocations, output included)."), "",
        markdown_table(MAIN_COLUMNS, main_rows(result)), "",
        *("- " + line for line in summary_lines(result)), "",
        "## tconv algorithms", "",
        ("Median ms (peak traced MB of one call); skip: estimated or first call over "
         f"--max-seconds {o['max_seconds']:g}, or the sparse matrix over --max-matrix-mb."), "",
        markdown_table(("layer", *names), rows), ""]
    notes = [f"{r['name']}: {note}" for r in result["layers"] for note in r["notes"]]
    notes += [f"{name}: {note}" for name, note in o["framework_notes"].items()]
    notes += [f"{r['name']}: {r['error']}" for r in result["layers"] if r["error"]]
    if notes:
        lines += ["## Notes", "", *("- " + n.replace("\n", " ") for n in notes), ""]
    return "\n".join(lines)


def write_json(result, path):
    Path(path).write_text(json.dumps(result, indent=1, default=_jsonable) + "\n")


def _jsonable(value):
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
