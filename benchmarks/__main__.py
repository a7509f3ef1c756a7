"""``python -m benchmarks``: check and time tconv on real decoder layers.

See ``python -m benchmarks --help`` and benchmarks/README.md.
"""

import os
import sys

# Idle worker threads of one library (OpenMP in PyTorch, OpenBLAS in NumPy) spin or yield
# for a while after each call (OpenBLAS: 2^28 cycles), taking the cores of the library timed
# next: on a 2-core box that made a 0.2 ms PyTorch call take 50 ms. So, unless --spin is
# given or the variables are set, OpenMP threads sleep at once and OpenBLAS threads spin for
# 2^20 cycles (a fraction of a millisecond: still across the back-to-back BLAS calls of one
# tconv call, but over by the time the runner's cool-down pause ends). Both are read when
# the libraries load: set them before anything imports NumPy or PyTorch.
QUIET_THREADS = {"OMP_WAIT_POLICY": "PASSIVE", "OPENBLAS_THREAD_TIMEOUT": "20"}
if "--spin" not in sys.argv[1:]:
    for name, value in QUIET_THREADS.items():
        os.environ.setdefault(name, value)

# A user's NumPy runs its OpenBLAS unpinned: where the environment pins the kernel
# (OPENBLAS_CORETYPE, e.g. Haswell on an AVX-512 CPU) or its cache size, time what users
# get. For this process only; the report records the kernel threadpoolctl then shows, and
# the dropped values.
UNPINNED = {name: os.environ.pop(name) for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
            if name in os.environ}
if UNPINNED:
    os.environ["TCONV_BENCH_UNPINNED"] = ",".join(f"{k}={v}" for k, v in UNPINNED.items())

from .cli import main

sys.exit(main())
