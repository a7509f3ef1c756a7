"""``tconv train autoencoder|gan|superres|segment|apply|compare``: the training demos.

Registered in :data:`tconv.cli.main.COMMANDS` by :func:`register`. PyTorch and the training
code are imported only when a training command runs, so ``tconv --help``
stays fast. Errors follow ``tconv.cli``: argparse errors and the library's
``ValueError``/``TypeError``/``FileNotFoundError`` messages are printed as
``tconv train COMMAND: error: ...`` with exit status 2.
"""

from __future__ import annotations

import argparse
import os
import shlex
import textwrap
import time

# Spelled here as well as in tconv.train.models.METHODS (which imports torch):
# argparse needs the choices before anything heavy is imported. A test checks
# that the two agree.
METHODS = ("tconv-k3s2", "tconv-k4s2", "resize-nearest", "resize-bilinear", "subpixel",
           "subpixel-icnr")
DEFAULT_METHOD = "tconv-k4s2"
DEFAULT_OUT = "train-out"

_EPILOG = """\
up-sampling methods (--method), each doubling the size:
  tconv-k3s2       transposed conv, kernel 3, stride 2, padding 1, output_padding 1
  tconv-k4s2       transposed conv, kernel 4, stride 2, padding 1 (DCGAN)
  resize-nearest   nearest x2, then a 3x3 convolution
  resize-bilinear  bilinear x2, then a 3x3 convolution
  subpixel         3x3 convolution to 4x the channels, then pixel shuffle
  subpixel-icnr    the same with ICNR initialisation

data: scikit-learn's 8x8 digits resized to --size, or real MNIST with --data
(a directory with train-images-idx3-ubyte[.gz] and optionally
train-labels-idx1-ubyte[.gz], or a Keras-style mnist.npz with x_train).
"""

_GAN_EPILOG = _EPILOG + """
several processes (--nproc N): each process takes batch-size/N real images
(and as many samples) per step and the gradients are averaged. The generator
and the discriminator use batch norm, and PyTorch's SyncBatchNorm works only
on GPUs, so here the batch-norm statistics are per process (batch-size/N
images each): a run on N processes is reproducible, but it is not the
one-process run. (For the autoencoder it is, up to floating-point order.)
"""

_DIGITS_THREADS = "PyTorch's own count with one process, 1 each with --nproc above 1"

QUICK_STEPS = 3
"""Steps per model of the digits commands' --quick (CI)."""


def _count(text: str) -> int:
    """A positive int flag value."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        message = f"{text!r} is not a positive int (>= 1)"
        raise argparse.ArgumentTypeError(message)
    return value


def _seeds(text: str) -> list[int]:
    words = [word.strip() for word in text.split(",")]
    if not words or not all(word.isdigit() for word in words):
        message = f"{text!r} is not a list of seeds; use ints >= 0 separated by commas"
        raise argparse.ArgumentTypeError(message)
    return [int(word) for word in words]


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        message = f"{text!r} is not a positive number of seconds"
        raise argparse.ArgumentTypeError(message)
    return value


def _seed(text: str) -> int:
    if not text.isdigit():
        message = f"{text!r} is not a seed; use an int >= 0"
        raise argparse.ArgumentTypeError(message)
    return int(text)


def _add_common(parser, *, method: bool, only: str = "") -> None:
    """The digits flags; ``only`` prefixes the help of those that apply to one task."""
    if method:
        parser.add_argument("--method", choices=METHODS, default=DEFAULT_METHOD,
                            help=f"up-sampling of the decoder/generator (default "
                                 f"{DEFAULT_METHOD})")
    parser.add_argument("--epochs", type=_count, metavar="N",
                        help=f"{only}passes over the training images (default: 20 for the "
                             "autoencoders, 30 for the GAN)")
    parser.add_argument("--size", type=int, choices=(16, 32), default=16,
                        help=f"{only}image side in pixels (default 16)")
    parser.add_argument("--data", metavar="PATH",
                        help=f"{only}MNIST: a directory of IDX files or an .npz file "
                             "(default: scikit-learn's digits)")
    parser.add_argument("--seed", type=_seed, default=0,
                        help=f"{only}random seed (default 0)")
    if only:
        parser.add_argument("--out", metavar="DIR",
                            help="output directory (default: a fresh folder "
                                 "tconv-compare-TASK in the working directory)")
    else:
        parser.add_argument("--out", metavar="DIR", default=DEFAULT_OUT,
                            help=f"output directory (default {DEFAULT_OUT})")
    parser.add_argument("--batch-size", type=_count, default=64, metavar="N",
                        help=f"{only}images per step (default 64)")
    parser.add_argument("--steps", type=_count, metavar="N",
                        help="stop each training after N steps (a tiny budget for tests "
                             "and CI); overrides --epochs")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def register(commands) -> None:
    """Add ``tconv train`` and its three sub-commands to ``commands``."""
    train = commands.add_parser(
        "train", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="train small models to see what each up-sampling method does",
        description=textwrap.fill(
            "Train small models (autoencoders, VAEs and GANs on handwritten digits, "
            "super-resolution on bundled photographs, segmentation of generated "
            "scenes) whose up-sampling is a chosen method, or compare every method "
            "with the same budget and seeds. "
            "Needs the 'train' extra: pip install \"tconv[train]\".", 78))
    kinds = train.add_subparsers(title="commands", metavar="COMMAND", dest="train_command",
                                 required=True)
    autoencoder = kinds.add_parser(
        "autoencoder", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_EPILOG,
        help="train an autoencoder (--vae: a variational one)",
        description=textwrap.fill(
            "Train a convolutional autoencoder (or with --vae a variational autoencoder) "
            "and write its checkpoint and a PNG grid (originals and reconstructions, or "
            "VAE samples) to --out.", 78))
    autoencoder.add_argument("--vae", action="store_true",
                             help="a variational autoencoder (reconstruction + KL loss)")
    _add_common(autoencoder, method=True)
    _add_digits_quick(autoencoder)
    _add_parallel(autoencoder, threads=_DIGITS_THREADS)
    autoencoder.set_defaults(run=_run_autoencoder, command_parser=autoencoder)
    gan = kinds.add_parser(
        "gan", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_GAN_EPILOG,
        help="train a DCGAN-style GAN",
        description=textwrap.fill(
            "Train a DCGAN-style generator and discriminator and write the checkpoint "
            "and a PNG grid of samples to --out.", 78))
    _add_common(gan, method=True)
    _add_digits_quick(gan)
    _add_parallel(gan, batch_norm=True, threads=_DIGITS_THREADS)
    gan.set_defaults(run=_run_gan, command_parser=gan)
    compare = kinds.add_parser(
        "compare", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_EPILOG,
        help="train every method with the same budget and seeds; write report.md and PNGs",
        description=textwrap.fill(
            "--task digits (default): for each up-sampling method train an autoencoder, "
            "a VAE and a GAN with the same budget and seed (--seeds: each of several "
            "seeds, with a mean and spread table); measure held-out reconstruction error "
            "and a checkerboard score. --task superres / segment: train every "
            "super-resolution tail (x2 and x3) or segmentation decoder over seeds "
            "0,1,2. Writes report.md and PNGs to --out, by default a fresh folder "
            "tconv-compare-TASK in the working directory.", 78))
    compare.add_argument("--task", choices=("digits", "superres", "segment"), default="digits",
                         help="what to compare: the digits autoencoder/VAE/GAN (default), "
                              "super-resolution tails or segmentation decoders")
    compare.add_argument("--method", action="append",
                         help="a method to compare (repeat for several; default all of the "
                              "task's)")
    compare.add_argument("--seeds", type=_seeds, metavar="LIST",
                         help="comma-separated seeds: a mean ± spread table over them "
                              "(default: superres and segment 0,1,2; digits one run with "
                              "--seed; --quick: the first seed only)")
    compare.add_argument("--jobs", type=_count, default=1, metavar="J",
                         help="digits with --seeds: run J seeds at once, each in its own "
                              "process with --threads threads (default 1 there); the same "
                              "numbers as one seed after another with those threads")
    compare.add_argument("--scale", type=int, action="append",
                         help="superres: a scale to compare (repeat; default 2 and 3)")
    compare.add_argument("--skips", action="store_true",
                         help="segment: U-Net-style skip connections")
    compare.add_argument("--quick", action="store_true",
                         help="a tiny budget for CI: one seed, a few steps per model "
                              f"(digits: {QUICK_STEPS}; superres and segment: tiny models "
                              "too)")
    _add_parallel(compare, threads="1; digits on one process: PyTorch's own count")
    _add_common(compare, method=False, only="digits: ")
    compare.set_defaults(run=_run_compare, command_parser=compare, out=None)
    _add_applications(kinds)


def _add_digits_quick(parser) -> None:
    parser.add_argument("--quick", action="store_true",
                        help=f"a tiny budget for CI: {QUICK_STEPS} steps (unless --steps)")


def _check_data(args) -> None:
    """A missing --data path is an error before torch is imported."""
    if args.data is not None and not os.path.exists(args.data):
        message = (f"--data={args.data!r} does not exist; give a directory of MNIST IDX "
                   "files or an .npz file")
        raise ValueError(message)


def _training_images(args):
    from ..train import data

    if args.data is None:
        return data.load_digits(args.size)[0]
    images, _ = data.load_mnist(args.data)
    return data.resize(images, args.size)


def _budget(args) -> dict:
    steps = args.steps or (QUICK_STEPS if args.quick else None)
    return {"epochs": args.epochs, "batch_size": args.batch_size, "steps": steps,
            "seed": args.seed, "out": args.out, "progress": not args.quiet,
            "nproc": args.nproc, "threads": args.threads}


def _summary(result) -> None:
    if result is None:  # another torchrun rank
        return
    last = ", ".join(f"{name} {value:.4g}" for name, value in result.epochs[-1].items())
    steps = len(next(iter(result.losses.values())))
    print(f"{result.kind} {result.method}: {steps} steps in {result.seconds:.1f} s; "
          f"last epoch: {last}")
    for path in result.files:
        print(f"wrote {path}")


def _guarded(run):
    """Report missing files and unwritable outputs as ``tconv train ...: error:`` lines."""
    def guarded(args, parser) -> int:
        _check_data(args)
        try:
            return run(args, parser)
        except FileNotFoundError as error:
            raise ValueError(str(error)) from error
        except OSError as error:
            message = f"cannot read the data or write to --out={args.out!r} ({error})"
            raise ValueError(message) from error

    return guarded


@_guarded
def _run_autoencoder(args, parser) -> int:
    from ..train import loop

    images = _training_images(args)
    _summary(loop.train_autoencoder(images, args.method, vae=args.vae, **_budget(args)))
    return 0


@_guarded
def _run_gan(args, parser) -> int:
    from ..train import loop

    images = _training_images(args)
    _summary(loop.train_gan(images, args.method, **_budget(args)))
    return 0


def _command_line(args) -> str:
    words = ["tconv", "train", "compare"]
    for method in args.method or ():
        words += ["--method", method]
    flags = {"--epochs": args.epochs, "--size": args.size if args.size != 16 else None,
             "--data": args.data, "--seed": args.seed or None,
             "--batch-size": args.batch_size if args.batch_size != 64 else None,
             "--steps": args.steps, "--nproc": args.nproc if args.nproc != 1 else None,
             "--out": args.out}
    for flag, value in flags.items():
        if value is not None:
            words += [flag, str(value)]
    if args.quick:
        words.append("--quick")
    return shlex.join(words)


@_guarded
def _run_compare(args, parser) -> int:
    if args.task != "digits":
        return _run_applications_compare(args)
    _check_methods(args, METHODS)
    if args.quick and args.seeds:
        args.seeds = args.seeds[:1]
    args.out = args.out or _fresh_folder("digits")
    from ..train.compare import compare
    from ..train.models import METHODS as TRAIN_METHODS

    started = time.perf_counter()
    budget = _budget(args)
    del budget["out"]
    if args.seeds:
        from ..train.compare import compare_seeds

        del budget["seed"]
        extra = f" --seeds {','.join(map(str, args.seeds))}"
        if args.jobs != 1:
            extra += f" --jobs {args.jobs}"
        if args.threads:
            extra += f" --threads {args.threads}"
        line = _command_line(args).replace(" --out ", f"{extra} --out ", 1)
        done = compare_seeds(args.out, args.seeds, methods=args.method or TRAIN_METHODS,
                             size=args.size, data=args.data, command=line, jobs=args.jobs,
                             **budget)
        print(f"compared over seeds {args.seeds} in {done['seconds']:.0f} s")
        for path in done["files"]:
            print(f"wrote {path}")
        return 0
    result = compare(args.out, methods=args.method or TRAIN_METHODS,
                                size=args.size, data=args.data, command=_command_line(args),
                                **budget)
    print(f"compared {len(result.rows)} methods in {time.perf_counter() - started:.0f} s")
    print(f"{'method':16} {'AE MSE':>8} {'VAE MSE':>8} {'cb AE':>8} {'cb VAE':>8} "
          f"{'cb GAN':>8}")
    for row in result.rows:
        print(f"{row['method']:16} {row['ae_mse']:8.4f} {row['vae_mse']:8.4f} "
              f"{row['ae_score']:8.4f} {row['vae_score']:8.4f} {row['gan_score']:8.4f}")
    print(f"{'held-out digits':16} {'':8} {'':8} {result.data_score:8.4f}")
    for path in result.files:
        print(f"wrote {path}")
    return 0


# --------------------------------------------------------------------------
# Super-resolution, segmentation, compare for them, apply

SUPERRES_METHODS = ("tconv-k9", "subpixel", "subpixel-icnr", "resize-nearest",
                    "resize-bilinear")
SEGMENT_METHODS = ("tconv-k2s2", "tconv-k3s2", "tconv-k4s2", "resize-nearest",
                   "resize-bilinear", "subpixel-icnr", "unpool")


def _add_parallel(parser, *, batch_norm: bool = False, threads: str = "1") -> None:
    note = "; batch-norm statistics per process, see below" if batch_norm else ""
    parser.add_argument("--nproc", type=_count, default=1, metavar="N",
                        help="train with N processes (DistributedDataParallel, gloo) on "
                             f"this machine, each on batch-size/N samples (default 1{note})")
    parser.add_argument("--threads", type=_count, metavar="N",
                        help=f"torch threads per process (default {threads}); these "
                             "models are small, more threads mostly wait for each other")


def _add_fit(parser, methods, default_method) -> None:
    parser.add_argument("--method", choices=methods, default=default_method,
                        help=f"up-sampling method (default {default_method})")
    parser.add_argument("--steps", type=_count, metavar="N",
                        help="training steps (default: superres 800, segment 400; --quick 3)")
    parser.add_argument("--budget-seconds", type=_seconds, metavar="S",
                        help="stop after S seconds of training, even before --steps")
    parser.add_argument("--batch-size", type=_count, metavar="N",
                        help="samples per step over all processes (default: superres 16, "
                             "segment 8)")
    parser.add_argument("--learning-rate", type=_seconds, metavar="LR",
                        help="Adam's step size")
    parser.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    parser.add_argument("--out", metavar="DIR", default=DEFAULT_OUT,
                        help=f"output directory for the checkpoint (default {DEFAULT_OUT})")
    parser.add_argument("--checkpoint-every", type=_count, metavar="N",
                        help="also write the checkpoint every N steps")
    parser.add_argument("--resume", metavar="CHECKPOINT",
                        help="continue a checkpoint written by the same command")
    parser.add_argument("--quick", action="store_true",
                        help="a tiny model, data and budget (CI)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_parallel(parser)


def _add_applications(kinds) -> None:
    superres = kinds.add_parser(
        "superres", help="train a small super-resolution model on bundled photographs",
        description=textwrap.fill(
            "Train a small FSRCNN-style super-resolution model (luma channel) on "
            "photographs bundled with scikit-image and scikit-learn, with the chosen "
            "up-sampling tail; write its checkpoint to --out and print PSNR and SSIM on "
            "the held-out photographs next to bicubic.", 78))
    _add_fit(superres, SUPERRES_METHODS, "subpixel-icnr")
    superres.add_argument("--scale", type=int, default=2,
                          help="super-resolution factor: 2, 3 or 4 (default 2)")
    superres.set_defaults(run=_run_superres, command_parser=superres, data=None)
    segment = kinds.add_parser(
        "segment", help="train a small segmentation network on generated scenes",
        description=textwrap.fill(
            "Train a small SegNet-style network (--skips: U-Net-style) on generated "
            "scenes with exact masks, with the chosen decoder up-sampling; write its "
            "checkpoint to --out and print mean IoU, pixel accuracy and boundary IoU on "
            "held-out scenes.", 78))
    _add_fit(segment, SEGMENT_METHODS, "tconv-k4s2")
    segment.add_argument("--skips", action="store_true",
                         help="concatenate encoder features after each up-sampling")
    segment.set_defaults(run=_run_segment, command_parser=segment, data=None)
    apply = kinds.add_parser(
        "apply", help="use a superres or segment checkpoint on an image",
        description=textwrap.fill(
            "Load a checkpoint written by 'tconv train superres' or 'tconv train "
            "segment' and apply it: super-resolve --input (RGB: the model on the luma, "
            "bicubic on the colour), or segment --input (a grey image whose sides divide "
            "by 4; without --input, a generated scene) into a colour mask.", 78))
    apply.add_argument("checkpoint", help="a .pt file written by tconv train")
    apply.add_argument("--input", "-i", metavar="IMAGE", help="the image to process")
    apply.add_argument("--output", "-o", metavar="PNG", required=True,
                       help="the PNG to write")
    apply.add_argument("--force", action="store_true", help="replace an existing --output")
    apply.set_defaults(run=_run_apply, command_parser=apply, data=None, out=None)


def _fit_settings(args, task: str) -> dict:
    from ..train import engine
    from ..train.report import DEFAULTS, QUICK

    base = (QUICK if args.quick else DEFAULTS)[task]
    steps = args.steps or base["steps"]
    batch = args.batch_size or (base["batch_size"] * args.nproc if args.quick else
                                base["batch_size"])
    return {"steps": steps, "batch_size": batch, "seed": args.seed,
            "learning_rate": args.learning_rate or base["learning_rate"],
            "budget_seconds": args.budget_seconds, "nproc": args.nproc,
            "threads": args.threads or engine.default_threads(args.nproc),
            "checkpoint_every": args.checkpoint_every, "resume": args.resume,
            "progress": not args.quiet}


def _checkpoint_path(args, name: str):
    from pathlib import Path

    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.pt"


@_guarded
def _run_superres(args, parser) -> int:
    from ..train import engine, superres
    from ..train.photos import check_scale

    scale = check_scale("tconv train superres", args.scale)
    job = superres.job(args.method, scale, quick=args.quick)
    settings = _fit_settings(args, "superres")
    path = _checkpoint_path(args, f"superres-{args.method}-x{scale}")
    fitted = engine.fit(job, checkpoint=path, label=f"superres x{scale} {args.method}",
                        **settings)
    if fitted is None:  # another torchrun rank
        return 0
    model = superres.load_model(fitted.state, job.options)
    measured, bicubic = superres.evaluate(model, scale), superres.evaluate(None, scale)
    print(f"superres x{scale} {args.method}: {fitted.steps} steps in {fitted.seconds:.1f} s, "
          f"last loss {fitted.losses[-1]:.3g}")
    print(f"held-out PSNR-Y {measured['psnr']:.2f} dB (bicubic {bicubic['psnr']:.2f}, gain "
          f"{measured['psnr'] - bicubic['psnr']:+.2f}), SSIM-Y {measured['ssim']:.4f} "
          f"(bicubic {bicubic['ssim']:.4f})")
    print(f"wrote {fitted.checkpoint}")
    return 0


@_guarded
def _run_segment(args, parser) -> int:
    from ..train import engine, segment

    job = segment.job(args.method, quick=args.quick, skips=args.skips)
    settings = _fit_settings(args, "segment")
    path = _checkpoint_path(args, f"segment-{args.method}")
    fitted = engine.fit(job, checkpoint=path, label=f"segment {args.method}", **settings)
    if fitted is None:
        return 0
    model = segment.load_model(fitted.state, job.options)
    images, masks = segment.held_out(32 if args.quick else 128, job.options.get("size", 32))
    measured = segment.evaluate(model, images, masks)
    print(f"segment {args.method}: {fitted.steps} steps in {fitted.seconds:.1f} s, last loss "
          f"{fitted.losses[-1]:.3g}")
    print(f"held-out mean IoU {measured['miou']:.4f}, pixel accuracy "
          f"{measured['accuracy']:.4f}, boundary IoU {measured['boundary_iou']:.4f}")
    print(f"wrote {fitted.checkpoint}")
    return 0


def _fresh_folder(task: str) -> str:
    """``tconv-compare-<task>`` in the working directory, or -2, -3, ... if it exists."""
    name, number = f"tconv-compare-{task}", 1
    while os.path.exists(name if number == 1 else f"{name}-{number}"):
        number += 1
    return name if number == 1 else f"{name}-{number}"


def _compare_line(args) -> str:
    words = ["tconv", "train", "compare", "--task", args.task]
    for method in args.method or ():
        words += ["--method", method]
    for scale in args.scale or ():
        words += ["--scale", str(scale)]
    flags = {"--seeds": ",".join(map(str, args.seeds)) if args.seeds else None,
             "--steps": args.steps, "--nproc": args.nproc if args.nproc != 1 else None}
    for flag, value in flags.items():
        if value is not None:
            words += [flag, str(value)]
    if args.quick:
        words.append("--quick")
    if args.skips:
        words.append("--skips")
    return shlex.join(words)


def _check_methods(args, valid) -> None:
    for method in args.method or ():
        if method not in valid:
            message = (f"--method={method!r} is not a {args.task} method; valid is one of "
                       f"{', '.join(valid)}")
            raise ValueError(message)


def _run_applications_compare(args) -> int:
    from ..train import report

    args.out = args.out or _fresh_folder(args.task)
    common = {"methods": args.method or None, "steps": args.steps, "quick": args.quick,
              "nproc": args.nproc, "threads": args.threads, "progress": not args.quiet,
              "command": _compare_line(args)}
    if args.seeds:
        common["seeds"] = args.seeds
    if args.task == "superres":
        _check_methods(args, SUPERRES_METHODS)
        from ..train.photos import check_scale

        scales = [check_scale("--scale", scale) for scale in args.scale] if args.scale else None
        result = report.compare_superres(args.out, scales=scales, **common)
        for scale in result.settings["scales"]:
            print("\n".join(report.sr_table(result.rows, scale)))
    else:
        _check_methods(args, SEGMENT_METHODS)
        result = report.compare_segment(args.out, skips=args.skips, **common)
        print("\n".join(report.seg_table(result.rows)))
    print(f"compared in {result.seconds:.0f} s")
    for path in result.files:
        print(f"wrote {path}")
    return 0


@_guarded
def _run_apply(args, parser) -> int:
    import numpy as np
    import torch

    from .._files import atomic_output
    from ..train import segment, superres
    from ..train.photos import load_rgb

    if not os.path.isfile(args.checkpoint):
        message = f"checkpoint={args.checkpoint!r} does not exist or is not a file"
        raise ValueError(message)
    try:
        saved = torch.load(args.checkpoint, weights_only=True)
    except Exception as error:
        message = f"checkpoint={args.checkpoint!r} is not a tconv train checkpoint ({error})"
        raise ValueError(message) from error
    task = saved.get("task") if isinstance(saved, dict) else None
    if task not in ("superres", "segment"):
        message = (f"checkpoint={args.checkpoint!r} is not a superres or segment checkpoint "
                   f"(task {task!r})")
        raise ValueError(message)
    if args.input is not None and not os.path.isfile(args.input):
        message = f"--input={args.input!r} does not exist or is not a file"
        raise ValueError(message)
    from PIL import Image

    if task == "superres":
        if args.input is None:
            message = "--input is required for a superres checkpoint: the image to enlarge"
            raise ValueError(message)
        model = superres.load_model(saved["model"], saved["options"])
        scale = model.scale
        rgb = load_rgb(args.input)
        ycbcr = np.asarray(Image.fromarray(np.rint(rgb * 255).astype(np.uint8)).convert(
            "YCbCr"), np.float64) / 255.0
        # Pillow's YCbCr is full range (JPEG); the model was trained on studio range.
        studio = 16 / 255 + ycbcr[..., 0] * 219 / 255
        luma = superres.upscale(model, studio, scale)
        luma = np.clip((luma - 16 / 255) * 255 / 219, 0, 1)
        planes = [luma] + [superres.upscale(None, ycbcr[..., k], scale) for k in (1, 2)]
        merged = np.rint(np.stack(planes, axis=-1) * 255).astype(np.uint8)
        image = Image.fromarray(merged, "YCbCr").convert("RGB")
        what = f"x{scale} super-resolution ({saved['options']['method']})"
    else:
        model = segment.load_model(saved["model"], saved["options"])
        if args.input is None:
            grey = segment.held_out(1, saved["options"].get("size", 32))[0][0, 0]
        else:
            grey = load_rgb(args.input).mean(axis=2)
        if grey.shape[0] % 4 or grey.shape[1] % 4:
            message = (f"--input={args.input!r} is {grey.shape[0]}x{grey.shape[1]}; the "
                       "segmenter needs sides divisible by 4")
            raise ValueError(message)
        classes = segment.predict(model, grey[None, None])[0]
        from ..train.report import PALETTE

        colour = np.rint(PALETTE[classes] * 255).astype(np.uint8)
        scene = np.repeat(np.rint(np.clip(grey, 0, 1) * 255).astype(np.uint8)[..., None], 3, 2)
        image = Image.fromarray(np.concatenate([scene, colour], axis=1))
        what = "the input (left) and its class map (right)"
    inputs = [args.checkpoint] + ([args.input] if args.input else [])
    with atomic_output(args.output, force=args.force, inputs=inputs,
                       flag="--output") as temporary:
        image.save(temporary, format="PNG")
    print(f"wrote {args.output}: {what}, {image.size[0]}x{image.size[1]}")
    return 0
