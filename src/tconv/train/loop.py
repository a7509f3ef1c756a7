"""Training loops for the demos: autoencoder, VAE and GAN, reproducible and small.

A run is a pure function of its arguments: the seed fixes the initial
weights (``torch.manual_seed``), the batch order (a NumPy ``Generator``) and
the noise, and PyTorch is asked for deterministic algorithms
(``torch.use_deterministic_algorithms``), so the same call on the same
machine and thread count gives the same losses and weights bit for bit. The
caller's global torch random state and determinism setting are restored
afterwards.

Each epoch shows a progress bar (tqdm, on stderr) with the running mean of
the losses. With ``out`` the run writes a checkpoint (``torch.save`` of a
dict of state dicts, loadable with ``torch.load(..., weights_only=True)``)
and a PNG grid of samples or reconstructions.
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .. import _args
from .. import images as image_files
from . import engine
from .models import VAE, Autoencoder, Discriminator, Generator, check_method

DEFAULT_EPOCHS = {"autoencoder": 20, "vae": 20, "gan": 30}
"""Epochs of a default run per model kind (sized for a few CPU minutes on the digits)."""

GRID_COLUMNS = 8


@dataclass
class TrainResult:
    """What a training run returns.

    Attributes
    ----------
    kind : str
        ``"autoencoder"``, ``"vae"`` or ``"gan"``.
    method : str
        The up-sampling method of the decoder or generator.
    model : torch.nn.Module
        The trained model (for a GAN, the generator), in eval mode.
    losses : dict of str to list of float
        Every step's losses by name: ``"loss"`` (autoencoder, mean binary
        cross-entropy per pixel), ``"reconstruction"`` and ``"kl"`` (VAE, per
        image), ``"discriminator"`` and ``"generator"`` (GAN).
    epochs : list of dict
        The mean of each loss over each epoch.
    seconds : float
        Wall time of the training.
    files : list of str
        Files written (checkpoint, grid); empty without ``out``.
    discriminator : torch.nn.Module or None
        The GAN's discriminator.
    """

    kind: str
    method: str
    model: nn.Module
    losses: dict[str, list[float]]
    epochs: list[dict[str, float]]
    seconds: float
    files: list[str] = field(default_factory=list)
    discriminator: nn.Module | None = None


# --------------------------------------------------------------------------
# Shared pieces

def check_images(op: str, images) -> np.ndarray:
    """``images`` as a float32 ``(N, 1, S, S)`` array in [0, 1], S >= 8 divisible by 4."""
    array = np.asarray(images, dtype=np.float32)
    shape = array.shape
    if array.ndim != 4 or shape[1] != 1 or shape[2] != shape[3] or shape[2] < 8 or shape[2] % 4:
        message = (f"{op}: images has shape {shape}; expected (N, 1, S, S) grey squares "
                   "with S >= 8 divisible by 4 (16 or 32)")
        raise ValueError(message)
    _args.nonempty(op, "images", shape)
    if not np.isfinite(array).all() or array.min() < 0 or array.max() > 1:
        message = f"{op}: images must hold finite values in [0, 1]"
        raise ValueError(message)
    return array


def _check_budget(op: str, epochs, batch_size, steps, seed) -> None:
    _args.positive_int(op, "epochs", epochs)
    _args.positive_int(op, "batch_size", batch_size)
    if steps is not None:
        _args.positive_int(op, "steps", steps)
    if not _args.is_int(seed) or seed < 0:
        message = f"{op}: seed={seed!r} must be an int >= 0"
        raise TypeError(message) if not _args.is_int(seed) else ValueError(message)


def _schedule(n: int, batch_size: int, epochs: int, steps: int | None, rng, rank: int = 0,
              world: int = 1):
    """Yield (epoch, epochs, batch index lists): shuffled full batches, ``steps`` at most.

    Every process draws the same epoch order from ``rng``; a
    :class:`~torch.utils.data.DistributedSampler` over that order gives
    process ``rank`` its ``rank::world`` share, cut into batches of
    ``batch / world``. Global batch ``i`` is therefore ``order[i B:(i + 1) B]``
    for any ``world``, the batch of one process.
    """
    from torch.utils.data import DistributedSampler

    batch = min(batch_size, n)
    per_epoch = n // batch
    share = batch // world
    total = steps if steps is not None else epochs * per_epoch
    count = math.ceil(total / per_epoch)
    for epoch in range(count):
        order = rng.permutation(n)
        mine = order[list(DistributedSampler(order, num_replicas=world, rank=rank,
                                             shuffle=False, drop_last=True))]
        take = min(per_epoch, total - epoch * per_epoch)
        yield epoch, count, [mine[i * share:(i + 1) * share] for i in range(take)]


def _progress(batches, label: str, show: bool):
    from tqdm.auto import tqdm

    return tqdm(batches, desc=label, leave=True, disable=not show, file=sys.stderr,
                unit="step", dynamic_ncols=True)


def _run(kind, method, data, step, *, epochs, batch_size, steps, seed, progress, rank=0,
         world=1):
    """The epoch loop shared by every kind: ``step(batch) -> dict of float losses``.

    With several processes each runs its share of every batch and the losses
    logged are their mean over the processes; only rank 0 shows progress.
    """
    rng = np.random.default_rng(seed)
    losses: dict[str, list[float]] = {}
    per_epoch: list[dict[str, float]] = []
    started = time.perf_counter()
    for epoch, count, batches in _schedule(len(data), batch_size, epochs, steps, rng, rank,
                                           world):
        bar = _progress(batches, f"{kind} {method} {epoch + 1}/{count}",
                        progress and rank == 0)
        sums: dict[str, float] = {}
        for index, batch in enumerate(bar, start=1):
            values = engine.mean_over_processes(step(torch.from_numpy(data[batch])), world)
            for name, value in values.items():
                losses.setdefault(name, []).append(value)
                sums[name] = sums.get(name, 0.0) + value
            bar.set_postfix({name: f"{total / index:.4g}" for name, total in sums.items()},
                            refresh=False)
        bar.close()
        per_epoch.append({name: total / len(batches) for name, total in sums.items()})
    return losses, per_epoch, time.perf_counter() - started


def save_grid(path, images, columns: int = GRID_COLUMNS, scale: int = 2) -> tuple[int, int]:
    """Write ``(N, 1, H, W)`` images in ``[0, 1]`` as one grey PNG grid.

    Tiles are laid out ``columns`` per row, each enlarged ``scale`` times by
    pixel repetition, with a 1-pixel mid-grey gap. Values are clipped to
    ``[0, 1]`` and stored as 8-bit grey (``L``).

    Parameters
    ----------
    path : str or os.PathLike
        The PNG file to write.
    images : array_like
        ``(N, 1, H, W)`` values.
    columns : int
        Tiles per row.
    scale : int
        Pixel repetition factor.

    Returns
    -------
    tuple of int
        ``(width, height)`` of the grid in pixels.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from tconv.train.loop import save_grid
    >>> save_grid(os.path.join(tempfile.mkdtemp(), "grid.png"), np.zeros((10, 1, 4, 4)))
    (71, 17)
    """
    grid = grid_array(images, columns, scale)
    image_files.write_image(path, np.clip(grid, 0.0, 1.0)[None] * 255.0, "L")
    return grid.shape[1], grid.shape[0]


def grid_array(images, columns: int = GRID_COLUMNS, scale: int = 2) -> np.ndarray:
    """``(N, 1, H, W)`` images -> one ``(rows, cols)`` float array, 0.5 between tiles."""
    array = np.asarray(images, dtype=np.float64)[:, 0]
    array = array.repeat(scale, axis=1).repeat(scale, axis=2)
    n, height, width = array.shape
    columns = min(columns, n)
    rows = math.ceil(n / columns)
    grid = np.full((rows * (height + 1) - 1, columns * (width + 1) - 1), 0.5)
    for index, tile in enumerate(array):
        row, column = divmod(index, columns)
        grid[row * (height + 1):row * (height + 1) + height,
             column * (width + 1):column * (width + 1) + width] = tile
    return grid


def originals_beside_rebuilt(originals, rebuilt) -> np.ndarray:
    """Rows of originals, each followed by the row of their reconstructions."""
    columns = min(GRID_COLUMNS, len(originals))
    rows = len(originals) // columns
    shape = (rows, 1, columns) + originals.shape[1:]
    stacked = np.concatenate([originals[:rows * columns].reshape(shape),
                              rebuilt[:rows * columns].reshape(shape)], axis=1)
    return stacked.reshape((-1,) + originals.shape[1:])


def _write(out, name: str, checkpoint: dict, grid_images) -> list[str]:
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    checkpoint_path = directory / f"{name}.pt"
    torch.save(checkpoint, checkpoint_path)
    grid_path = directory / f"{name}.png"
    save_grid(grid_path, grid_images)
    return [os.fspath(checkpoint_path), os.fspath(grid_path)]


# --------------------------------------------------------------------------
# Evaluation helpers (no gradients, eval mode)

@torch.no_grad()
def reconstruct(model: nn.Module, images) -> np.ndarray:
    """An autoencoder's or VAE's reconstructions of ``images``, in ``[0, 1]``.

    The VAE decodes its mean code ``mu`` (no sampling), so the result is
    deterministic.

    Examples
    --------
    >>> import numpy as np
    >>> from tconv.train.models import Autoencoder
    >>> from tconv.train.loop import reconstruct
    >>> reconstruct(Autoencoder("resize-nearest", 16), np.zeros((2, 1, 16, 16))).shape
    (2, 1, 16, 16)
    """
    model.eval()
    x = torch.from_numpy(np.asarray(images, dtype=np.float32))
    if isinstance(model, VAE):
        logits = model.decode(model.mu(model.encode(x)))
    else:
        logits = model(x)
    return torch.sigmoid(logits).numpy()


@torch.no_grad()
def generate(model: nn.Module, n: int, seed: int = 0) -> np.ndarray:
    """``n`` samples in ``[0, 1]`` from a VAE or a GAN generator, from noise seeded by ``seed``.

    Examples
    --------
    >>> from tconv.train.models import Generator
    >>> from tconv.train.loop import generate
    >>> generate(Generator("tconv-k4s2", 16), 3).shape
    (3, 1, 16, 16)
    """
    model.eval()
    z = torch.randn(n, model.latent, generator=torch.Generator().manual_seed(seed))
    if isinstance(model, VAE):
        return torch.sigmoid(model.decode(z)).numpy()
    return ((model(z) + 1.0) / 2.0).numpy()


# --------------------------------------------------------------------------
# The runs

def _distributed(models: dict, world: int) -> dict:
    """Wrap each model in DistributedDataParallel when there are several processes."""
    if world == 1:
        return models
    return {name: nn.parallel.DistributedDataParallel(model) for name, model in models.items()}


def _own_noise(seed: int, rank: int) -> None:
    """Give process ``rank`` > 0 its own noise stream (rank 0 keeps the one-process stream)."""
    if rank > 0:
        torch.manual_seed(seed + 1_000_003 * rank)


def _check_processes(op: str, nproc, batch_size: int, n: int) -> int:
    if engine.under_torchrun():
        return int(os.environ["WORLD_SIZE"])
    return engine.check_nproc(op, nproc, min(batch_size, n))


def _autoencoder_rank(rank: int, world: int, data, method: str, vae: bool, size: int,
                      epochs: int, batch_size: int, steps, seed: int, progress: bool,
                      learning_rate: float):
    """Train on this process: (model, losses, per-epoch losses, seconds)."""
    model = VAE(method, size) if vae else Autoencoder(method, size)
    optimiser = torch.optim.Adam(model.parameters(), lr=learning_rate)
    net = _distributed({"model": model}, world)["model"]
    _own_noise(seed, rank)

    def step(x):
        optimiser.zero_grad()
        if vae:
            logits, mu, logvar = net(x)
            reconstruction, kl = VAE.loss(logits, x, mu, logvar)
            loss = reconstruction + kl
            values = {"reconstruction": reconstruction.item(), "kl": kl.item()}
        else:
            loss = nn.functional.binary_cross_entropy_with_logits(net(x), x)
            values = {"loss": loss.item()}
        loss.backward()
        optimiser.step()
        return values

    model.train()
    losses, per_epoch, seconds = _run("vae" if vae else "autoencoder", method, data, step,
                                      epochs=epochs, batch_size=batch_size, steps=steps,
                                      seed=seed, progress=progress, rank=rank, world=world)
    model.eval()
    return {"model": model}, losses, per_epoch, seconds


def _gan_rank(rank: int, world: int, data, method: str, size: int, epochs: int,
              batch_size: int, steps, seed: int, progress: bool, learning_rate: float):
    """Train a GAN on this process: (models, losses, per-epoch losses, seconds)."""
    generator = Generator(method, size)
    discriminator = Discriminator(size)
    betas = (0.5, 0.999)
    g_optimiser = torch.optim.Adam(generator.parameters(), lr=learning_rate, betas=betas)
    d_optimiser = torch.optim.Adam(discriminator.parameters(), lr=learning_rate, betas=betas)
    nets = _distributed({"generator": generator, "discriminator": discriminator}, world)
    g_net, d_net = nets["generator"], nets["discriminator"]
    _own_noise(seed, rank)
    bce = nn.functional.binary_cross_entropy_with_logits

    def step(real):
        n = real.shape[0]
        ones, zeros = torch.ones(n, 1), torch.zeros(n, 1)
        fake = g_net(torch.randn(n, generator.latent))
        d_optimiser.zero_grad()
        d_loss = bce(d_net(real), ones) + bce(d_net(fake.detach()), zeros)
        d_loss.backward()
        d_optimiser.step()
        g_optimiser.zero_grad()
        g_loss = bce(d_net(fake), ones)
        g_loss.backward()
        g_optimiser.step()
        return {"discriminator": d_loss.item(), "generator": g_loss.item()}

    generator.train()
    discriminator.train()
    losses, per_epoch, seconds = _run("gan", method, data, step, epochs=epochs,
                                      batch_size=batch_size, steps=steps, seed=seed,
                                      progress=progress, rank=rank, world=world)
    generator.eval()
    discriminator.eval()
    return {"generator": generator, "discriminator": discriminator}, losses, per_epoch, seconds


def _rank_states(rank: int, world: int, kind: str, seed: int, options: dict) -> dict:
    """One process of a multi-process run: train under the seed, return plain data."""
    with engine.seeded(seed):
        train = _gan_rank if kind == "gan" else _autoencoder_rank
        models, losses, per_epoch, seconds = train(rank, world, seed=seed, **options)
    return {"models": {name: model.state_dict() for name, model in models.items()},
            "losses": losses, "epochs": per_epoch, "seconds": seconds}


def _train(kind: str, seed: int, nproc: int, threads, make, options: dict):
    """Train in this process (``nproc`` 1) or on ``nproc`` processes: models, losses, ...

    ``make()`` builds the models that receive rank 0's weights after a
    multi-process run.
    """
    if nproc == 1 and not engine.under_torchrun():
        before = torch.get_num_threads()
        if threads:
            torch.set_num_threads(threads)
        try:
            train = _gan_rank if kind == "gan" else _autoencoder_rank
            return train(0, 1, seed=seed, **options)
        finally:
            torch.set_num_threads(before)
    outcome = engine.run_processes(_rank_states, nproc, (kind, seed, options),
                                   threads=threads or engine.default_threads(nproc))
    if outcome is None:  # another torchrun rank
        return None
    return _received(outcome, make)


def _received(outcome: dict, make):
    """Rank 0's plain data (:func:`_rank_states`) back as trained models, losses, ..."""
    fresh = make()
    for name, model in fresh.items():
        model.load_state_dict(outcome["models"][name])
        model.eval()
    return fresh, outcome["losses"], outcome["epochs"], outcome["seconds"]


def train_autoencoder(images, method: str = "tconv-k4s2", *, vae: bool = False,
                      epochs: int | None = None, batch_size: int = 64,
                      steps: int | None = None, seed: int = 0, out=None,
                      progress: bool = True, learning_rate: float = 2e-3, nproc: int = 1,
                      threads: int | None = None) -> TrainResult | None:
    """Train an :class:`~tconv.train.models.Autoencoder` (or, with ``vae``, a VAE).

    Adam on shuffled full batches. The autoencoder minimises the mean binary
    cross-entropy per pixel between ``sigmoid(logits)`` and the image; the
    VAE minimises reconstruction + KL per image (see
    :class:`~tconv.train.models.VAE`).

    Parameters
    ----------
    images : array_like
        ``(N, 1, S, S)`` training images in ``[0, 1]``, S 16 or 32.
    method : str
        The decoder's up-sampling method (:data:`~tconv.train.models.METHODS`).
    vae : bool
        Train a variational autoencoder.
    epochs : int, optional
        Passes over ``images``; default :data:`DEFAULT_EPOCHS`.
    batch_size : int
        Images per step (at most N), over all processes.
    steps : int, optional
        Stop after this many steps in all (a tiny budget for tests and CI);
        overrides ``epochs``.
    seed : int
        Fixes weights, batch order and noise.
    out : str or os.PathLike, optional
        Directory for ``autoencoder-<method>.pt`` (or ``vae-...``) and a PNG
        grid: originals and reconstructions in alternate rows (autoencoder),
        or 32 samples (VAE).
    progress : bool
        Show a progress bar per epoch.
    learning_rate : float
        Adam's step size.
    nproc : int
        Processes: above 1, DistributedDataParallel on gloo (see
        :mod:`tconv.train.engine`), each process taking ``batch_size /
        nproc`` images of every batch. The autoencoder then gives the
        one-process weights up to floating-point order; a VAE's sampling
        noise differs per process.
    threads : int, optional
        Torch threads per process (default: unchanged with one process, 1
        each with several).

    Returns
    -------
    TrainResult or None
        None on torchrun ranks other than 0.

    Raises
    ------
    ValueError
        Unknown ``method``, images of the wrong shape or range, non-positive
        ``epochs``/``batch_size``/``steps``, an ``nproc`` that is too large
        or does not divide the batch.

    Examples
    --------
    >>> import numpy as np
    >>> from tconv.train.loop import train_autoencoder
    >>> images = np.random.default_rng(0).random((8, 1, 16, 16), dtype=np.float32)
    >>> result = train_autoencoder(images, "resize-nearest", steps=3, batch_size=4,
    ...                            progress=False)
    >>> result.kind, len(result.losses["loss"])
    ('autoencoder', 3)
    """
    op = "train_autoencoder"
    check_method(op, method)
    data = check_images(op, images)
    kind = "vae" if vae else "autoencoder"
    epochs = DEFAULT_EPOCHS[kind] if epochs is None else epochs
    _check_budget(op, epochs, batch_size, steps, seed)
    nproc = _check_processes(op, nproc, batch_size, len(data))
    size = data.shape[-1]
    options = {"data": data, "method": method, "vae": vae, "size": size, "epochs": epochs,
               "batch_size": batch_size, "steps": steps, "progress": progress,
               "learning_rate": learning_rate}
    with engine.seeded(seed):
        def make():
            return {"model": VAE(method, size) if vae else Autoencoder(method, size)}

        trained = _train(kind, seed, nproc, threads, make, options)
        if trained is None:
            return None
        models, losses, per_epoch, seconds = trained
        model = models["model"]
        result = TrainResult(kind, method, model, losses, per_epoch, seconds)
        if out is not None:
            if vae:
                shown = generate(model, 4 * GRID_COLUMNS, seed)
            else:
                head = data[:2 * GRID_COLUMNS]
                shown = originals_beside_rebuilt(head, reconstruct(model, head))
            checkpoint = {"kind": kind, "method": method, "size": size, "seed": seed,
                          "model": model.state_dict(), "epochs": per_epoch}
            result.files = _write(out, f"{kind}-{method}", checkpoint, shown)
    return result


def train_gan(images, method: str = "tconv-k4s2", *, epochs: int | None = None,
              batch_size: int = 64, steps: int | None = None, seed: int = 0, out=None,
              progress: bool = True, learning_rate: float = 5e-4, nproc: int = 1,
              threads: int | None = None) -> TrainResult | None:
    """Train a DCGAN-style :class:`~tconv.train.models.Generator` against a discriminator.

    The images are mapped to ``[-1, 1]``. Each step updates the
    discriminator once (binary cross-entropy: real images labelled 1,
    generated 0) and then the generator once with the non-saturating loss
    (its samples labelled 1). Adam with ``betas=(0.5, 0.999)`` for both, as
    in DCGAN.

    Parameters
    ----------
    images : array_like
        ``(N, 1, S, S)`` training images in ``[0, 1]``, S 16 or 32.
    method : str
        The generator's up-sampling method.
    epochs : int, optional
        Passes over ``images``; default :data:`DEFAULT_EPOCHS`.
    batch_size : int
        Real images (and as many samples) per step, over all processes.
    steps : int, optional
        Stop after this many steps in all; overrides ``epochs``.
    seed : int
        Fixes weights, batch order and noise.
    out : str or os.PathLike, optional
        Directory for ``gan-<method>.pt`` (generator and discriminator) and
        ``gan-<method>.png`` (32 samples).
    progress : bool
        Show a progress bar per epoch.
    learning_rate : float
        Adam's step size for both networks.
    nproc : int
        Processes: above 1, DistributedDataParallel on gloo, each process
        taking ``batch_size / nproc`` real images (and drawing as many
        samples from its own noise) per step. Both networks use batch norm,
        and PyTorch's ``SyncBatchNorm`` works only on GPUs, so on the CPU
        the batch statistics are **per process** (``batch_size / nproc``
        images each) and the running statistics are rank 0's: a run on
        several processes is reproducible but not the one-process run.
    threads : int, optional
        Torch threads per process (default: unchanged with one process, 1
        each with several).

    Returns
    -------
    TrainResult or None
        ``model`` is the generator; ``losses`` has ``"discriminator"`` and
        ``"generator"``. None on torchrun ranks other than 0.

    Raises
    ------
    ValueError
        As :func:`train_autoencoder`.

    Examples
    --------
    >>> import numpy as np
    >>> from tconv.train.loop import train_gan
    >>> images = np.random.default_rng(0).random((8, 1, 16, 16), dtype=np.float32)
    >>> result = train_gan(images, "subpixel", steps=2, batch_size=4, progress=False)
    >>> sorted(result.losses)
    ['discriminator', 'generator']
    """
    op = "train_gan"
    check_method(op, method)
    data = check_images(op, images) * np.float32(2.0) - np.float32(1.0)
    epochs = DEFAULT_EPOCHS["gan"] if epochs is None else epochs
    _check_budget(op, epochs, batch_size, steps, seed)
    nproc = _check_processes(op, nproc, batch_size, len(data))
    size = data.shape[-1]
    options = {"data": data, "method": method, "size": size, "epochs": epochs,
               "batch_size": batch_size, "steps": steps, "progress": progress,
               "learning_rate": learning_rate}
    with engine.seeded(seed):
        def make():
            return {"generator": Generator(method, size), "discriminator": Discriminator(size)}

        trained = _train("gan", seed, nproc, threads, make, options)
        if trained is None:
            return None
        models, losses, per_epoch, seconds = trained
        generator, discriminator = models["generator"], models["discriminator"]
        result = TrainResult("gan", method, generator, losses, per_epoch, seconds,
                             discriminator=discriminator)
        if out is not None:
            checkpoint = {"kind": "gan", "method": method, "size": size, "seed": seed,
                          "model": generator.state_dict(),
                          "discriminator": discriminator.state_dict(), "epochs": per_epoch}
            result.files = _write(out, f"gan-{method}", checkpoint,
                                  generate(generator, 4 * GRID_COLUMNS, seed))
    return result
