"""``tconv train autoencoder|gan|compare``: the training demos on the command line.

Registered in :mod:`tconv.cli` by ``_add_train``. PyTorch and the training
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


def _seed(text: str) -> int:
    if not text.isdigit():
        message = f"{text!r} is not a seed; use an int >= 0"
        raise argparse.ArgumentTypeError(message)
    return int(text)


def _add_common(parser, *, method: bool) -> None:
    if method:
        parser.add_argument("--method", choices=METHODS, default=DEFAULT_METHOD,
                            help=f"up-sampling of the decoder/generator (default "
                                 f"{DEFAULT_METHOD})")
    parser.add_argument("--epochs", type=_count, metavar="N",
                        help="passes over the training images (default: 20 for the "
                             "autoencoders, 30 for the GAN)")
    parser.add_argument("--size", type=int, choices=(16, 32), default=16,
                        help="image side in pixels (default 16)")
    parser.add_argument("--data", metavar="PATH",
                        help="MNIST: a directory of IDX files or an .npz file (default: "
                             "scikit-learn's digits)")
    parser.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    parser.add_argument("--out", metavar="DIR", default=DEFAULT_OUT,
                        help=f"output directory (default {DEFAULT_OUT})")
    parser.add_argument("--batch-size", type=_count, default=64, metavar="N",
                        help="images per step (default 64)")
    parser.add_argument("--steps", type=_count, metavar="N",
                        help="stop each training after N steps (a tiny budget for tests "
                             "and CI); overrides --epochs")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def _add_train(commands) -> None:
    """Add ``tconv train`` and its three sub-commands to ``commands``."""
    train = commands.add_parser(
        "train", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="train small autoencoders/GANs to see what each up-sampling method does",
        description=textwrap.fill(
            "Train small models on handwritten digits whose decoders up-sample with a "
            "chosen method, or compare every method with the same budget and seed. "
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
    autoencoder.set_defaults(run=_run_autoencoder, command_parser=autoencoder)
    gan = kinds.add_parser(
        "gan", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_EPILOG,
        help="train a DCGAN-style GAN",
        description=textwrap.fill(
            "Train a DCGAN-style generator and discriminator and write the checkpoint "
            "and a PNG grid of samples to --out.", 78))
    _add_common(gan, method=True)
    gan.set_defaults(run=_run_gan, command_parser=gan)
    compare = kinds.add_parser(
        "compare", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_EPILOG,
        help="train every method with the same budget and seed; write report.md and PNGs",
        description=textwrap.fill(
            "For each up-sampling method train an autoencoder, a VAE and a GAN with the "
            "same budget and seed; measure held-out reconstruction error and a "
            "checkerboard score; write report.md, overview.png, scores.png and one grid "
            "per method to --out.", 78))
    compare.add_argument("--method", choices=METHODS, action="append",
                         help="a method to compare (repeat for several; default all)")
    _add_common(compare, method=False)
    compare.set_defaults(run=_run_compare, command_parser=compare)


def _check_data(args) -> None:
    """A missing --data path is an error before torch is imported."""
    if args.data is not None and not os.path.exists(args.data):
        message = (f"--data={args.data!r} does not exist; give a directory of MNIST IDX "
                   "files or an .npz file")
        raise ValueError(message)


def _training_images(args):
    from .train import data

    if args.data is None:
        return data.load_digits(args.size)[0]
    images, _ = data.load_mnist(args.data)
    return data.resize(images, args.size)


def _budget(args) -> dict:
    return {"epochs": args.epochs, "batch_size": args.batch_size, "steps": args.steps,
            "seed": args.seed, "out": args.out, "progress": not args.quiet}


def _summary(result) -> None:
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
    from .train import loop

    images = _training_images(args)
    _summary(loop.train_autoencoder(images, args.method, vae=args.vae, **_budget(args)))
    return 0


@_guarded
def _run_gan(args, parser) -> int:
    from .train import loop

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
             "--steps": args.steps, "--out": args.out}
    for flag, value in flags.items():
        if value is not None:
            words += [flag, str(value)]
    return shlex.join(words)


@_guarded
def _run_compare(args, parser) -> int:
    from .train.compare import compare
    from .train.models import METHODS as TRAIN_METHODS

    started = time.perf_counter()
    budget = _budget(args)
    del budget["out"]
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
