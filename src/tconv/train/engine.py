"""One training loop for the super-resolution and segmentation demos: seeds, budgets,
checkpoints, ``--resume`` and several processes.

:func:`fit` trains a model described by a :class:`Job` (a task name and
keyword arguments that every process can rebuild the same model and data
from) with Adam on batches drawn by a
:class:`torch.utils.data.DistributedSampler`:

* **one process** (``nproc=1``): the sampler with one replica, the loop in
  this process;
* **several processes** (``nproc=N``): ``torch.multiprocessing.spawn`` starts
  N processes on this machine that join a gloo process group on
  ``127.0.0.1`` and a free port; the model is wrapped in
  :class:`~torch.nn.parallel.DistributedDataParallel`, each process takes
  ``batch_size / N`` samples of every global batch (the sampler's
  ``rank::N`` share of the same shuffled order), and the gradients are
  averaged. A step on N x B/N samples therefore equals a step on the B
  samples in one process, up to the order of floating-point sums;
* **torchrun**: when ``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR`` and
  ``MASTER_PORT`` are set (``torchrun --nproc-per-node N --nnodes M ...``),
  this process is one rank of that group.

Only rank 0 shows the progress bar and writes checkpoints. A checkpoint holds
the model, the optimiser, the step and the losses so far; ``resume`` continues
it and gives the same weights as an uninterrupted run. The budget is
``steps`` (reproducible) or ``budget_seconds`` (wall time; rank 0 decides and
tells the others).
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from .. import _args
from .._files import atomic_output

MAX_PROCESSES = 64
"""The most processes ``nproc`` may ask for on one machine."""


@dataclass
class Job:
    """What to train: ``task`` names a builder in :data:`BUILDERS`, ``options`` its arguments.

    The builder returns ``(model, inputs, targets, loss)``: a fresh model (made
    under the seed), the training set as two tensors of equal length and a
    loss ``loss(outputs, targets) -> scalar`` that is a mean over samples.
    """

    task: str
    options: dict = field(default_factory=dict)


BUILDERS: dict = {}
"""Task name -> builder; filled by :mod:`tconv.train.superres` and :mod:`tconv.train.segment`."""


def _builder(task: str):
    if task not in BUILDERS:
        from . import segment, superres  # noqa: F401  (they register themselves)
    return BUILDERS[task]


@dataclass
class FitResult:
    """What :func:`fit` returns (rank 0).

    Attributes
    ----------
    state : dict
        The trained model's ``state_dict``.
    losses : list of float
        Every step's loss (mean over the global batch and the processes).
    steps : int
        Steps done in all (including those before a resume).
    seconds : float
        Wall time of this call's training.
    checkpoint : str or None
        The checkpoint written, if any.
    """

    state: dict
    losses: list[float]
    steps: int
    seconds: float
    checkpoint: str | None = None


def check_nproc(op: str, nproc, batch_size: int) -> int:
    """``nproc`` if 1 <= nproc <= min(max(CPUs, 2), MAX_PROCESSES) and it divides ``batch_size``.

    Two processes are always allowed (even on one CPU, where they take turns).
    """
    n = _args.positive_int(op, "nproc", nproc)
    limit = min(max(os.cpu_count() or 1, 2), MAX_PROCESSES)
    if n > limit:
        message = (f"{op}: nproc={n} is more than this machine allows; valid is 1..{limit} "
                   f"(its CPU count, at least 2; use torchrun across machines for more)")
        raise ValueError(message)
    if batch_size % n:
        message = (f"{op}: batch_size={batch_size} does not split into nproc={n} equal "
                   "shares; give a batch size divisible by nproc")
        raise ValueError(message)
    return n


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def default_threads(nproc: int = 1) -> int:
    """Threads per process for the small demo models: 1.

    Their convolutions are too small to split well: on a 2-core machine busy
    with other work, a step of the super-resolution model took 30x longer
    with 2 threads than with 1 (threads waiting for each other). Use
    ``nproc`` (one thread each) to use several cores.
    """
    return 1


@contextlib.contextmanager
def seeded(seed: int):
    """Seed torch, ask for deterministic algorithms, restore both afterwards."""
    was_deterministic = torch.are_deterministic_algorithms_enabled()
    was_warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        torch.use_deterministic_algorithms(True)
        try:
            yield
        finally:
            torch.use_deterministic_algorithms(was_deterministic, warn_only=was_warn_only)


def _save(path, payload) -> None:
    with atomic_output(path, force=True, flag="checkpoint") as temporary:
        torch.save(payload, temporary)


def _loop(rank: int, world: int, job: Job, settings: dict) -> FitResult | None:
    """Train on this rank; rank 0 returns the result, the others None."""
    from torch.utils.data import DistributedSampler

    seed, batch_size = settings["seed"], settings["batch_size"]
    share = batch_size // world
    with seeded(seed):
        model, inputs, targets, loss_fn = _builder(job.task)(**job.options)
        optimiser = torch.optim.Adam(model.parameters(), lr=settings["learning_rate"])
        losses: list[float] = []
        start = 0
        if settings.get("resume"):
            saved = torch.load(settings["resume"], weights_only=True)
            model.load_state_dict(saved["model"])
            optimiser.load_state_dict(saved["optimiser"])
            losses, start = list(saved["losses"]), int(saved["step"])
        net = model
        if world > 1:
            net = nn.parallel.DistributedDataParallel(model)
        sampler = DistributedSampler(range(len(inputs)), num_replicas=world, rank=rank,
                                     shuffle=True, seed=seed, drop_last=True)
        per_epoch = len(sampler) // share
        if per_epoch < 1:
            message = (f"fit: batch_size={batch_size} is larger than the {len(inputs)} "
                       "training samples")
            raise ValueError(message)
        total = settings["steps"]
        budget = settings.get("budget_seconds")
        show = settings.get("progress", True) and rank == 0
        from tqdm.auto import tqdm

        bar = tqdm(total=total, initial=start, desc=settings.get("label", job.task),
                   disable=not show, file=sys.stderr, unit="step", dynamic_ncols=True)
        began = time.perf_counter()
        order: list[int] = []
        epoch_now = -1
        step = start
        net.train()
        while step < total:
            epoch, within = divmod(step, per_epoch)
            if epoch != epoch_now:
                sampler.set_epoch(epoch)
                order, epoch_now = list(sampler), epoch
            batch = order[within * share:(within + 1) * share]
            optimiser.zero_grad()
            loss = loss_fn(net(inputs[batch]), targets[batch])
            loss.backward()
            optimiser.step()
            value = loss.detach().clone()
            stop = torch.tensor(0.0)
            if budget is not None and time.perf_counter() - began >= budget:
                stop += 1.0
            if world > 1:
                import torch.distributed as dist

                dist.all_reduce(value)
                value /= world
                dist.broadcast(stop, 0)  # rank 0's clock decides for everyone
            losses.append(float(value))
            step += 1
            bar.update(1)
            bar.set_postfix(loss=f"{losses[-1]:.4g}", refresh=False)
            every = settings.get("checkpoint_every")
            if rank == 0 and settings.get("checkpoint") and every and step % every == 0 and (
                    step < total):
                _save(settings["checkpoint"], _payload(model, optimiser, losses, step, job,
                                                       settings))
            if stop.item() > 0:
                break
        bar.close()
        seconds = time.perf_counter() - began
        model.eval()
        if rank != 0:
            return None
        written = None
        if settings.get("checkpoint"):
            _save(settings["checkpoint"], _payload(model, optimiser, losses, step, job,
                                                   settings))
            written = os.fspath(settings["checkpoint"])
        state = {key: value.detach().clone() for key, value in model.state_dict().items()}
        return FitResult(state, losses, step, seconds, written)


def _payload(model, optimiser, losses, step, job, settings) -> dict:
    return {"task": job.task, "options": job.options, "model": model.state_dict(),
            "optimiser": optimiser.state_dict(), "losses": list(losses), "step": step,
            "seed": settings["seed"], "batch_size": settings["batch_size"],
            "learning_rate": settings["learning_rate"]}


def _fit_rank(rank: int, world: int, job: Job, settings: dict) -> dict | None:
    outcome = _loop(rank, world, job, settings)
    return None if outcome is None else outcome.__dict__


def _spawned(rank: int, world: int, function, args: tuple, threads: int, port: int,
             result: str) -> None:
    import torch.distributed as dist

    torch.set_num_threads(threads)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                            world_size=world)
    try:
        outcome = function(rank, world, *args)
        if rank == 0:
            torch.save(outcome, result)
    finally:
        dist.destroy_process_group()


def run_processes(function, nproc: int, args: tuple = (), *, threads: int = 1):
    """``function(rank, world, *args)`` on ``nproc`` processes in one gloo group; rank 0's value.

    The processes are spawned on this machine (``torch.multiprocessing``) and
    join a gloo process group on ``127.0.0.1`` and a free port, each with
    ``threads`` torch threads. Under ``torchrun`` (:func:`under_torchrun`)
    this process joins torchrun's group instead and ``nproc`` is ignored;
    ranks other than 0 then get None. ``function`` must be importable (a
    module-level function) and rank 0's value something ``torch.load(...,
    weights_only=True)`` accepts (dicts, lists, tensors, numbers, strings).
    :func:`fit` and the digits loops (:mod:`tconv.train.loop`) run through it.
    """
    if under_torchrun():
        import torch.distributed as dist

        torch.set_num_threads(threads)
        dist.init_process_group("gloo")
        try:
            rank, world = dist.get_rank(), dist.get_world_size()
            outcome = function(rank, world, *args)
            return outcome if rank == 0 else None
        finally:
            dist.destroy_process_group()
    import torch.multiprocessing as mp

    with tempfile.TemporaryDirectory() as folder:
        result = os.path.join(folder, "result.pt")
        mp.spawn(_spawned, args=(nproc, function, args, threads, free_port(), result),
                 nprocs=nproc, join=True)
        return torch.load(result, weights_only=True)


def mean_over_processes(values: dict, world: int) -> dict:
    """The mean of every value of ``values`` over the ``world`` processes (all-reduce).

    With ``world == 1`` the dict itself, untouched.

    Examples
    --------
    >>> from tconv.train.engine import mean_over_processes
    >>> mean_over_processes({"loss": 0.5}, 1)
    {'loss': 0.5}
    """
    if world == 1:
        return values
    import torch.distributed as dist

    stacked = torch.tensor(list(values.values()), dtype=torch.float64)
    dist.all_reduce(stacked)
    return dict(zip(values, (stacked / world).tolist()))


def under_torchrun() -> bool:
    """Whether this process was started by ``torchrun`` (its environment variables are set)."""
    return all(name in os.environ for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR",
                                                  "MASTER_PORT"))


def fit(job: Job, *, steps: int, batch_size: int = 16, seed: int = 0,
        learning_rate: float = 1e-3, budget_seconds: float | None = None, nproc: int = 1,
        threads: int | None = None, checkpoint=None, checkpoint_every: int | None = None,
        resume=None, progress: bool = True, label: str | None = None) -> FitResult | None:
    """Train ``job`` for ``steps`` steps (or until ``budget_seconds``) on ``nproc`` processes.

    Parameters
    ----------
    job : Job
        What to train.
    steps : int
        Steps in all (a resumed run counts the steps before it).
    batch_size : int
        Samples per step over all processes; divisible by ``nproc``.
    seed : int
        Fixes the initial weights and the batch order.
    learning_rate : float
        Adam's step size.
    budget_seconds : float, optional
        Stop earlier, after this much training time.
    nproc : int
        Processes (DistributedDataParallel on gloo when > 1).
    threads : int, optional
        Torch threads per process; default :func:`default_threads`.
    checkpoint : str or os.PathLike, optional
        File for the checkpoint (written at the end and every
        ``checkpoint_every`` steps).
    resume : str or os.PathLike, optional
        A checkpoint of the same job to continue.
    progress : bool
        Show a progress bar (rank 0).
    label : str, optional
        The progress bar's label.

    Returns
    -------
    FitResult or None
        None on ranks other than 0 under torchrun.

    Raises
    ------
    ValueError
        A bad budget, ``nproc`` or resume checkpoint.

    Examples
    --------
    >>> from tconv.train.engine import Job, fit
    >>> job = Job("superres", {"method": "subpixel", "scale": 2, "patch_count": 16,
    ...                        "patch_size": 8, "features": 8, "photos": ["camera"]})
    >>> result = fit(job, steps=2, batch_size=4, progress=False)
    >>> result.steps, len(result.losses)
    (2, 2)
    """
    op = "fit"
    steps = _args.positive_int(op, "steps", steps)
    batch_size = _args.positive_int(op, "batch_size", batch_size)
    if not _args.is_int(seed) or seed < 0:
        message = f"{op}: seed={seed!r} must be an int >= 0"
        raise ValueError(message)
    if budget_seconds is not None and not budget_seconds > 0:
        message = f"{op}: budget_seconds={budget_seconds!r} must be > 0"
        raise ValueError(message)
    torchrun = under_torchrun()
    if torchrun:
        nproc = int(os.environ["WORLD_SIZE"])
        if batch_size % nproc:
            message = (f"{op}: batch_size={batch_size} does not split into the "
                       f"{nproc} torchrun processes")
            raise ValueError(message)
    else:
        nproc = check_nproc(op, nproc, batch_size)
    if resume is not None:
        resume = _check_resume(job, resume, seed, batch_size)
    settings = {"steps": steps, "batch_size": batch_size, "seed": seed,
                "learning_rate": learning_rate, "budget_seconds": budget_seconds,
                "threads": threads or default_threads(nproc), "checkpoint": checkpoint,
                "checkpoint_every": checkpoint_every, "resume": resume,
                "progress": progress, "label": label or job.task}
    if nproc == 1 and not torchrun:
        threads_before = torch.get_num_threads()
        torch.set_num_threads(settings["threads"])
        try:
            return _loop(0, 1, job, settings)
        finally:
            torch.set_num_threads(threads_before)
    outcome = run_processes(_fit_rank, nproc, (job, settings), threads=settings["threads"])
    return None if outcome is None else FitResult(**outcome)


def _check_resume(job: Job, resume, seed: int, batch_size: int):
    path = Path(resume)
    if not path.is_file():
        message = f"fit: resume={os.fspath(resume)!r} does not exist or is not a file"
        raise FileNotFoundError(message)
    try:
        saved = torch.load(path, weights_only=True)
    except Exception as error:  # a damaged or foreign file
        message = f"fit: resume={os.fspath(resume)!r} is not a tconv checkpoint ({error})"
        raise ValueError(message) from error
    if not isinstance(saved, dict) or "optimiser" not in saved:
        message = (f"fit: resume={os.fspath(resume)!r} is not a checkpoint written by "
                   "tconv train (no optimiser state)")
        raise ValueError(message)
    mine = {"task": job.task, "options": job.options, "seed": seed, "batch_size": batch_size}
    theirs = {key: saved.get(key) for key in mine}
    if theirs != mine:
        differ = ", ".join(f"{key} {theirs[key]!r} (now {mine[key]!r})" for key in mine
                           if theirs[key] != mine[key])
        message = (f"fit: resume={os.fspath(resume)!r} was trained with other settings: "
                   f"{differ}; resume with the same task, method, seed and batch size")
        raise ValueError(message)
    return os.fspath(path)
