"""Shared fixtures: array backends and hypothesis profiles.

The ``ci`` profile (chosen when ``CI`` is set, as on the CI machine, or with
``HYPOTHESIS_PROFILE=ci``) runs the big property tests at full size; the
default ``dev`` profile keeps a local run quick.
"""

from __future__ import annotations

import os

# Keras reads its backend once, at import: every test module gets the torch one.
os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=150, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=2000, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI")
                                                               else "dev"))


def pytest_configure(config):
    # When a property test fails, hypothesis imports libcst to print an
    # @example patch; libcst's import warns (mypy_extensions.TypedDict is
    # deprecated), and the "error" filter turns that into an INTERNALERROR that
    # ends the whole run and hides the real failure.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")


class Backend:
    """One array library under test: make arrays, read them back, name them."""

    def __init__(self, name, xp, to_numpy):
        self.name, self.xp, self._to_numpy = name, xp, to_numpy

    def asarray(self, array, dtype=None):
        array = np.asarray(array, dtype=dtype)
        return self.xp.asarray(array)

    def to_numpy(self, array):
        return self._to_numpy(array)

    def __repr__(self):
        return self.name


def _numpy_backend():
    return Backend("numpy", np, np.asarray)


def _torch_backend():
    torch = pytest.importorskip("torch")

    class TorchNS:
        @staticmethod
        def asarray(array):
            return torch.from_numpy(np.ascontiguousarray(array))

    return Backend("torch", TorchNS, lambda t: t.detach().cpu().numpy())


def _strict_backend():
    xps = pytest.importorskip("array_api_strict")
    return Backend("array_api_strict", xps, lambda a: np.asarray(a))


BACKENDS = {"numpy": _numpy_backend, "torch": _torch_backend,
            "array_api_strict": _strict_backend}


@pytest.fixture(params=list(BACKENDS))
def backend(request):
    """Each array library tconv promises to accept (torch and strict are test extras)."""
    return BACKENDS[request.param]()


@pytest.fixture(scope="module")
def torch_one_thread():
    """Run a module's torch ops on one thread, then restore the thread count.

    The property tests run thousands of tiny convolutions, which gain nothing
    from intra-op threads; on a busy or small machine (CI has 2 cores) the
    threads' spin-waiting made them several times slower.
    """
    try:
        import torch
    except ImportError:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@pytest.fixture(autouse=True)
def _forget_remembered_calls():
    """Each test starts with no remembered conv calls (tconv._lean), so a test
    that watches what ``"auto"`` picks sees every pick."""
    from tconv import _lean

    _lean.PLANS.clear()
