"""The command line of ``python -m benchmarks`` (argparse), and :func:`main`.

Import this module directly (as the tests do) to run the benchmark in a process
whose thread environment is already set; ``python -m benchmarks`` goes through
``__main__``, which first makes idle worker threads sleep.
"""

from __future__ import annotations

import argparse
import sys

import tconv

from . import report
from .runner import FRAMEWORKS, Options, run
from .suite import SUITE, select


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Check tconv.conv_transpose against PyTorch, onnxruntime and JAX on real "
                    "decoder layers, then time them interleaved and report medians.")
    parser.add_argument("--filter", metavar="SUBSTR[,SUBSTR...]",
                        help="run only layers whose name contains one of these substrings")
    parser.add_argument("--quick", action="store_true",
                        help="a tiny run: the quick-tagged layers, 3 rounds, 1 s budget a layer")
    parser.add_argument("--list", action="store_true", help="list the suite and exit")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed rounds per layer, at most (default 15; --quick 3); fewer "
                             "when a round is long (see --layer-budget)")
    parser.add_argument("--min-repeats", type=int, default=None,
                        help="timed rounds per layer, at least (default 3)")
    parser.add_argument("--layer-budget", type=float, default=None, metavar="SECONDS",
                        help="aim for this much timing per layer (default 8; --quick 1)")
    parser.add_argument("--cooldown-ms", type=float, default=2.0,
                        help="sleep before each timed call, so that the previous library's "
                             "worker threads are idle (default %(default)s)")
    parser.add_argument("--threads", type=int, default=2, help="threads for every library")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    algorithms = parser.add_mutually_exclusive_group()
    algorithms.add_argument("--algorithms", metavar="NAME[,NAME...]",
                            help="tconv algorithms besides auto (default: all of "
                                 f"{', '.join(tconv.CONV_TRANSPOSE_ALGORITHMS[1:])})")
    algorithms.add_argument("--auto-only", action="store_true",
                            help="benchmark only tconv's auto algorithm")
    parser.add_argument("--frameworks", default=",".join(FRAMEWORKS), metavar="NAME[,NAME...]",
                        help="comparison libraries (default: %(default)s; missing ones are "
                             "left out; torch is always used for the reference)")
    parser.add_argument("--max-seconds", type=float, default=None,
                        help="skip a non-auto tconv algorithm on a layer when its estimated or "
                             "first-call time is over this (default 1; --quick 0.25)")
    parser.add_argument("--max-matrix-mb", type=float, default=2048.0,
                        help="skip the 'matrix' algorithm when its sparse matrix would be "
                             "bigger (default %(default)s)")
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the tracemalloc peak-memory call")
    parser.add_argument("--spin", action="store_true",
                        help="keep every library's default of idle threads spinning (by default "
                             "they sleep at once: OMP_WAIT_POLICY=PASSIVE, "
                             "OPENBLAS_THREAD_TIMEOUT=20, onnxruntime allow_spinning=0, so that "
                             "one library's idle threads do not slow the next one timed)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", metavar="PATH", help="write the full result as JSON")
    parser.add_argument("--markdown", metavar="PATH", help="write a Markdown report")
    return parser.parse_args(argv)


def options_from(args) -> Options:
    if args.auto_only:
        algorithms = ("auto",)
    elif args.algorithms:
        algorithms = tuple(name.strip() for name in args.algorithms.split(",") if name.strip())
    else:
        algorithms = None
    return Options(
        repeats=args.repeats if args.repeats is not None else (3 if args.quick else 15),
        min_repeats=args.min_repeats if args.min_repeats is not None else (2 if args.quick
                                                                           else 3),
        layer_budget=args.layer_budget if args.layer_budget is not None else (
            1.0 if args.quick else 8.0),
        cooldown=args.cooldown_ms / 1e3, threads=args.threads, dtype=args.dtype,
        algorithms=algorithms,
        frameworks=tuple(name.strip() for name in args.frameworks.split(",") if name.strip()),
        max_seconds=args.max_seconds if args.max_seconds is not None else (
            0.25 if args.quick else 1.0),
        max_matrix_mb=args.max_matrix_mb,
        measure_memory=not args.no_memory, ort_spinning=args.spin, seed=args.seed)


def main(argv=None) -> int:
    args = parse_args(argv)
    layers = select(SUITE, args.filter, quick=args.quick)
    if args.list:
        for layer in layers:
            print(f"{layer.name:24} N={layer.batch:<3} {layer.describe():34} "
                  f"{layer.flops / 1e9:8.3f} GFLOP  {' '.join(layer.tags)}")
        return 0
    if not layers:
        print(f"no layer matches --filter {args.filter!r}{' with --quick' * args.quick}",
              file=sys.stderr)
        return 2
    options = options_from(args)
    try:
        options.tconv_algorithms()
    except ValueError as exc:
        print(f"--algorithms: {exc}", file=sys.stderr)
        return 2
    print(f"{len(layers)} layers, tconv algorithms {', '.join(options.tconv_algorithms())}, "
          f"{options.threads} threads, {options.dtype}", flush=True)
    result = run(layers, options, log=lambda line: print(line, flush=True))
    print()
    print(report.text_report(result))
    if args.json:
        report.write_json(result, args.json)
        print(f"wrote {args.json}")
    if args.markdown:
        with open(args.markdown, "w") as handle:
            handle.write(report.markdown_report(result))
        print(f"wrote {args.markdown}")
    summary = result["summary"]
    return 1 if summary["mismatched"] or summary["errors"] else 0

