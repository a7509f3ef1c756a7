"""Several processes: DistributedDataParallel on gloo equals one process on the whole batch.

Two processes are spawned on 127.0.0.1 and a free port; each takes B/2 samples of
every global batch (DistributedSampler's rank::2 share) and DDP averages the
gradients, so after the same steps the parameters must equal those of one process
that took the B samples, up to the order of floating-point sums. The oracle is the
one-process run of plain PyTorch (the same loop with one replica).
"""

from __future__ import annotations

import pytest
import torch

from tconv.train import engine, superres

pytestmark = pytest.mark.usefixtures("torch_one_thread")


def _assert_same_parameters(one, two):
    assert one.keys() == two.keys()
    for key in one:
        torch.testing.assert_close(two[key], one[key], rtol=1e-5, atol=1e-6, msg=key)


def test_two_processes_on_half_batches_equal_one_process():
    # One spawn (the slow part): two steps of the super-resolution model. The first
    # step's loss checks that the two halves are the one process's batch; the
    # parameters after the second check the averaged gradients and the second batch.
    job, steps = superres.job("tconv-k9", 2, quick=True), 2
    single = engine.fit(job, steps=steps, batch_size=8, seed=5, progress=False, nproc=1)
    double = engine.fit(job, steps=steps, batch_size=8, seed=5, progress=False, nproc=2)
    assert single.steps == double.steps == steps
    _assert_same_parameters(single.state, double.state)
    # The logged loss is the mean over both processes: the one-process loss.
    assert double.losses == pytest.approx(single.losses, rel=1e-5, abs=1e-7)
    # And training moved the weights (the check is not vacuous).
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(5)
        start = engine._builder(job.task)(**job.options)[0].state_dict()
    assert any(not torch.allclose(start[key], single.state[key]) for key in start)


def test_nproc_is_checked():
    job = superres.job("subpixel", 2, quick=True)
    with pytest.raises(ValueError, match=r"fit: nproc=\d+ is more than this machine allows"):
        engine.fit(job, steps=1, batch_size=4096, nproc=engine.MAX_PROCESSES + 1,
                   progress=False)
    with pytest.raises(ValueError, match="batch_size=5 does not split into nproc=2"):
        engine.check_nproc("fit", 2, 5)
    with pytest.raises(TypeError, match="nproc"):
        engine.fit(job, steps=1, nproc=1.5, progress=False)
