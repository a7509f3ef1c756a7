"""Handwritten digits for the training demos: scikit-learn's bundled set or MNIST.

Every loader returns ``(images, labels)``: ``images`` a float32 array of shape
``(N, 1, H, W)`` with values in ``[0, 1]`` (ink is 1, paper 0), ``labels`` an
int64 array of shape ``(N,)`` or ``None`` when the files hold no labels.

* :func:`load_digits` reads the 1797 8x8 digits that scikit-learn ships
  (values 0..16, divided by 16) and enlarges them to 16x16 or 32x32 with
  tconv's own :func:`tconv.interpolate` (``mode="bilinear"``,
  ``align_corners=False``, so exactly what ``torch.nn.functional.interpolate``
  gives). Bilinear weights are convex, so the values stay in ``[0, 1]``.
* :func:`load_mnist` reads real MNIST from the standard IDX files (gzip'd or
  not) or from a Keras-style ``mnist.npz``; :func:`read_idx` is the IDX
  parser underneath. :func:`resize` brings 28x28 images to a training size.

NumPy only (scikit-learn for :func:`load_digits`); no torch here.
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .. import interpolate

SIZES = (16, 32)
"""Image sizes the demo models are built for (side length in pixels)."""

# IDX type codes (the third byte of the magic number) -> big-endian dtype.
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

# File names of the MNIST distribution (both spellings seen in the wild:
# "train-images-idx3-ubyte" from the original site, "train-images.idx3-ubyte"
# from some mirrors), each optionally gzip'd.
_IDX_NAMES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
NPZ_KEYS = {"train": ("x_train", "y_train"), "test": ("x_test", "y_test")}
"""Keys read from an ``.npz`` file per split: Keras' ``mnist.npz`` layout."""


def _check_size(op: str, size) -> int:
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
        message = f"{op}: size={size!r} must be an int: one of {SIZES}"
        raise TypeError(message)
    if size not in SIZES:
        message = f"{op}: size={size!r} is not a supported image size; valid is one of {SIZES}"
        raise ValueError(message)
    return int(size)


def resize(images, size: int) -> np.ndarray:
    """Resize ``(N, 1, H, W)`` images to ``size`` x ``size`` with bilinear interpolation.

    Uses :func:`tconv.interpolate` with ``mode="bilinear"`` and
    ``align_corners=False`` (PyTorch's default; no anti-aliasing when
    shrinking). Images already of that size are returned unchanged.

    Parameters
    ----------
    images : array_like
        ``(N, 1, H, W)`` values.
    size : int
        One of :data:`SIZES`.

    Returns
    -------
    numpy.ndarray
        ``(N, 1, size, size)`` float32.

    Raises
    ------
    ValueError
        ``size`` not in :data:`SIZES`, or ``images`` not 4-D.

    Examples
    --------
    >>> import numpy as np
    >>> from tconv.train.data import resize
    >>> resize(np.ones((2, 1, 8, 8)), 16).shape
    (2, 1, 16, 16)
    """
    size = _check_size("resize", size)
    images = np.asarray(images)
    if images.ndim != 4:
        message = (f"resize: images has shape {images.shape}; expected (N, 1, H, W), "
                   "4 dims")
        raise ValueError(message)
    if images.shape[2:] == (size, size):
        return images.astype(np.float32)
    resized = interpolate(images.astype(np.float64), size=(size, size), mode="bilinear",
                          align_corners=False)
    return np.asarray(resized, dtype=np.float32)


def load_digits(size: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1797 handwritten digits, enlarged to ``size`` x ``size``.

    The 8x8 images (values 0..16) are divided by 16 and resized with
    :func:`resize` (bilinear, ``align_corners=False``, via
    :func:`tconv.interpolate`): an exact factor 2 (16) or 4 (32).

    Parameters
    ----------
    size : int
        16 or 32 (:data:`SIZES`).

    Returns
    -------
    images : numpy.ndarray
        ``(1797, 1, size, size)`` float32 in ``[0, 1]``.
    labels : numpy.ndarray
        ``(1797,)`` int64, the digit 0..9.

    Raises
    ------
    ValueError
        ``size`` not in :data:`SIZES`.
    ImportError
        scikit-learn is missing (install the ``train`` extra).

    Examples
    --------
    >>> from tconv.train.data import load_digits
    >>> images, labels = load_digits(16)
    >>> images.shape, images.dtype, labels[:5].tolist()
    ((1797, 1, 16, 16), dtype('float32'), [0, 1, 2, 3, 4])
    >>> bool(images.min() >= 0.0 and images.max() <= 1.0)
    True
    """
    size = _check_size("load_digits", size)
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError as error:
        message = ("load_digits needs scikit-learn; install the 'train' extra: "
                   "pip install \"tconv[train]\"")
        raise ImportError(message) from error
    bunch = sklearn_digits()
    images = bunch.images[:, None].astype(np.float64) / 16.0
    return resize(images, size), bunch.target.astype(np.int64)


# --------------------------------------------------------------------------
# MNIST

MAX_BYTES = 2**30
"""Largest array (in bytes) :func:`read_idx` and :func:`load_mnist` read: 1 GiB,
about 20 times MNIST's training images. Pass ``max_bytes`` to go past it."""

CLASSES = 10
"""Labels must be integers in ``0 .. CLASSES - 1`` (the digits)."""

# Deflate never inflates one byte to more than about 1032 (RFC 1951's longest
# match, 258 bytes, coded in two bits or less); a gzip file promising more than
# this times its own size cannot hold it, and is refused before inflating.
_MAX_DEFLATE_RATIO = 1032
_CHUNK = 2**20


def _limit(op: str, max_bytes) -> int:
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, np.integer)):
        message = f"{op}: max_bytes={max_bytes!r} must be an int (bytes)"
        raise TypeError(message)
    if max_bytes < 1:
        message = f"{op}: max_bytes={max_bytes!r} must be >= 1"
        raise ValueError(message)
    return int(max_bytes)


def _read_at_most(stream, count: int) -> bytes:
    """Up to ``count`` bytes of ``stream``, in chunks (never more is inflated)."""
    parts, left = [], count
    while left > 0:
        part = stream.read(min(left, _CHUNK))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _read_idx_stream(stream, where: str, file_size: int, is_gzip: bool,
                     max_bytes: int) -> np.ndarray:
    """Parse an IDX stream, checking the header's promise before reading the body."""
    magic = _read_at_most(stream, 4)
    if len(magic) < 4 or magic[:2] != b"\x00\x00":
        message = (f"{where} is not an IDX file: magic number {magic.hex() or 'empty'}; "
                   "an IDX file starts with 0x00 0x00, a type code and a dimension count")
        raise ValueError(message)
    code, rank = magic[2], magic[3]
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{key:02X}" for key in IDX_DTYPES)
        message = f"{where}: type code 0x{code:02X} is not an IDX type; valid is one of {known}"
        raise ValueError(message)
    if rank == 0:
        message = f"{where}: the header declares 0 dimensions; an IDX array has at least 1"
        raise ValueError(message)
    header = 4 + 4 * rank
    sizes = _read_at_most(stream, 4 * rank)
    if len(sizes) < 4 * rank:
        message = (f"{where} is truncated: {4 + len(sizes)} bytes, shorter than its "
                   f"{header}-byte header ({rank} dimensions)")
        raise ValueError(message)
    shape = tuple(int.from_bytes(sizes[4 * i:4 * i + 4], "big") for i in range(rank))
    dtype = IDX_DTYPES[code]
    expected = math.prod(shape) * dtype.itemsize  # a Python int: no wrap-around
    promise = (f"the header promises shape {shape} of {dtype.itemsize}-byte values "
               f"({expected} bytes)")
    if expected > max_bytes:
        message = (f"{where}: {promise}, more than the {max_bytes} bytes read at most "
                   "(max_bytes=...; a damaged or hostile header?)")
        raise ValueError(message)
    if is_gzip and header + expected > _MAX_DEFLATE_RATIO * file_size + 1024:
        message = (f"{where}: {promise}, but a gzip file of {file_size} bytes inflates to "
                   f"at most about {_MAX_DEFLATE_RATIO * file_size} bytes: truncated or "
                   "damaged")
        raise ValueError(message)
    if not is_gzip and file_size - header != expected:
        body = file_size - header
        kind = "truncated" if body < expected else "longer than its header says"
        message = f"{where} is {kind}: {promise} but {body} bytes follow"
        raise ValueError(message)
    data = _read_at_most(stream, expected + 1)  # one more byte tells "longer"
    if len(data) != expected:
        kind = "truncated" if len(data) < expected else "longer than its header says"
        body = f"{len(data)}" if len(data) <= expected else f"more than {expected}"
        message = f"{where} is {kind}: {promise} but {body} bytes follow"
        raise ValueError(message)
    array = np.frombuffer(data, dtype=dtype).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def read_idx(path, *, max_bytes: int = MAX_BYTES) -> np.ndarray:
    """Read one IDX file (the MNIST format), gzip'd or not.

    The format: a 4-byte magic number ``0x00 0x00 T D`` (``T`` the element
    type code, ``D`` the number of dimensions), then ``D`` big-endian uint32
    sizes, then the elements in C order, big-endian. Type codes: 0x08 uint8,
    0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
    (:data:`IDX_DTYPES`). A gzip'd file is recognised by its first two bytes,
    whatever its name.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    max_bytes : int
        The largest array read (:data:`MAX_BYTES`, 1 GiB, by default). The
        header's promise is checked against it, and against the file's size,
        before any of the body is read or inflated; a gzip stream is inflated
        in chunks, never past the promised size.

    Returns
    -------
    numpy.ndarray
        The array, in native byte order, of the dtype the header names.

    Raises
    ------
    ValueError
        A bad magic number, an unknown type code, no dimensions, a body
        shorter or longer than the header promises (a truncated file), a
        promise larger than ``max_bytes`` or than a gzip file of that size
        can hold, or a damaged gzip stream; the message names the file.
    FileNotFoundError
        ``path`` does not exist.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from tconv.train.data import read_idx
    >>> path = os.path.join(tempfile.mkdtemp(), "tiny-idx2-ubyte")
    >>> header = bytes([0, 0, 0x08, 2]) + (2).to_bytes(4, "big") + (3).to_bytes(4, "big")
    >>> with open(path, "wb") as file:
    ...     _ = file.write(header + bytes(range(6)))
    >>> read_idx(path)
    array([[0, 1, 2],
           [3, 4, 5]], dtype=uint8)
    """
    max_bytes = _limit("read_idx", max_bytes)
    path = Path(path)
    if not path.is_file():
        message = f"read_idx: path={os.fspath(path)!r} does not exist or is not a file"
        raise FileNotFoundError(message)
    where = f"read_idx: {os.fspath(path)!r}"
    with open(path, "rb") as raw:
        is_gzip = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        file_size = os.fstat(raw.fileno()).st_size
        try:
            with (gzip.GzipFile(fileobj=raw, mode="rb") if is_gzip else raw) as stream:
                return _read_idx_stream(stream, where, file_size, is_gzip, max_bytes)
        except (OSError, EOFError, zlib.error) as error:  # a damaged or cut gzip stream
            message = (f"read_idx: path={os.fspath(path)!r} is not a readable gzip file "
                       f"({error})")
            raise ValueError(message) from None


def _find_idx(directory: Path, stem: str) -> Path | None:
    spellings = (stem, stem.replace("-idx", ".idx"))
    for name in spellings:
        for candidate in (directory / name, directory / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    return None


def _as_unit(op: str, name: str, images: np.ndarray) -> np.ndarray:
    """``(N, H, W)`` or ``(N, 1, H, W)`` stored images -> ``(N, 1, H, W)`` float32 in [0, 1]."""
    if images.ndim == 3:
        images = images[:, None]
    if images.ndim != 4 or images.shape[1] != 1 or 0 in images.shape:
        message = (f"{op}: {name} has shape {images.shape}; expected grey images "
                   "(N, H, W) or (N, 1, H, W), none empty")
        raise ValueError(message)
    if images.dtype == np.uint8:
        return images.astype(np.float32) / np.float32(255.0)
    if images.dtype.kind == "f":
        finite = np.isfinite(images)
        if not finite.all():
            count = int(images.size - np.count_nonzero(finite))
            message = (f"{op}: {name} holds {count} NaN or infinite values; float images "
                       "must be finite and lie in [0, 1]")
            raise ValueError(message)
        low, high = float(images.min()), float(images.max())
        if low < 0.0 or high > 1.0:
            message = (f"{op}: {name} holds floats in [{low}, {high}]; float images must "
                       "lie in [0, 1] (uint8 images are divided by 255)")
            raise ValueError(message)
        return images.astype(np.float32)
    message = f"{op}: {name} has dtype {images.dtype}; valid is uint8 (0..255) or floats in [0, 1]"
    raise ValueError(message)


def _as_labels(op: str, name: str, labels: np.ndarray, count: int) -> np.ndarray:
    """Labels -> ``(N,)`` int64, refusing floats, other shapes and values out of range."""
    if labels.dtype.kind not in "ui":
        message = (f"{op}: {name} has dtype {labels.dtype}; labels must be integers "
                   f"0..{CLASSES - 1} (floats are not cast)")
        raise ValueError(message)
    if labels.ndim != 1 and labels.shape != (count, 1):
        message = f"{op}: {name} has shape {labels.shape}; labels must be (N,)"
        raise ValueError(message)
    labels = labels.reshape(-1)
    if len(labels) != count:
        message = f"{op}: {len(labels)} labels for {count} images in {name}; the counts must match"
        raise ValueError(message)
    outside = (labels < 0) | (labels >= CLASSES)
    if outside.any():
        first = int(labels[np.argmax(outside)])
        message = (f"{op}: {name} holds {int(outside.sum())} labels outside 0..{CLASSES - 1} "
                   f"(first {first}); labels are the digits")
        raise ValueError(message)
    return labels.astype(np.int64)


def _npz_member(archive: zipfile.ZipFile, key: str, where: str, max_bytes: int) -> np.ndarray:
    """One ``key.npy`` of an open .npz, its header checked before its body is read."""
    info = archive.getinfo(f"{key}.npy")
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, is_fortran, dtype = np.lib.format.read_array_header_1_0(member)
        elif version == (2, 0):
            shape, is_fortran, dtype = np.lib.format.read_array_header_2_0(member)
        else:
            message = f"{where}: {key!r} is in .npy format version {version}; 1.0 or 2.0 is read"
            raise ValueError(message)
        if dtype.hasobject:
            message = (f"{where}: {key!r} holds Python objects (a pickle), which are never "
                       "loaded; save plain numeric arrays")
            raise ValueError(message)
        expected = math.prod(shape) * dtype.itemsize
        body = info.file_size - member.tell()
        if expected > max_bytes:
            message = (f"{where}: {key!r} promises shape {shape} ({expected} bytes), more "
                       f"than the {max_bytes} bytes read at most (max_bytes=...)")
            raise ValueError(message)
        if body != expected:
            kind = "truncated" if body < expected else "longer than its header says"
            message = (f"{where}: {key!r} is {kind}: its header promises shape {shape} "
                       f"({expected} bytes) but {body} bytes follow")
            raise ValueError(message)
        data = _read_at_most(member, expected)
    array = np.frombuffer(data, dtype=dtype)
    return array.reshape(shape, order="F" if is_fortran else "C")


def _read_npz(path: Path, split: str, max_bytes: int):
    """(images, labels or None) of a Keras-style .npz, every member checked."""
    shown = os.fspath(path)
    where = f"load_mnist: {shown!r}"
    images_key, labels_key = NPZ_KEYS[split]
    try:
        with zipfile.ZipFile(path) as archive:
            keys = sorted(name[:-4] for name in archive.namelist() if name.endswith(".npy"))
            if images_key not in keys:
                message = (f"{where} has no key {images_key!r} (keys: {keys}); expected "
                           f"Keras' mnist.npz layout, {images_key!r} and optionally "
                           f"{labels_key!r}")
                raise ValueError(message)
            images = _npz_member(archive, images_key, where, max_bytes)
            labels = (_npz_member(archive, labels_key, where, max_bytes)
                      if labels_key in keys else None)
    except ValueError as error:
        if str(error).startswith(where):  # ours, already naming the file
            raise
        message = f"{where} is not a readable .npz (zip) file: truncated or damaged ({error})"
        raise ValueError(message) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError, SyntaxError, TypeError, KeyError, struct.error) as error:
        # zipfile (an "encrypted" flag is a RuntimeError) and numpy's .npy header
        # parser report damage in many ways.
        message = f"{where} is not a readable .npz (zip) file: truncated or damaged ({error})"
        raise ValueError(message) from None
    return images, labels


def load_mnist(path, split: str = "train", *,
               max_bytes: int = MAX_BYTES) -> tuple[np.ndarray, np.ndarray | None]:
    """Read MNIST (or any grey digit set in the same files) from ``path``.

    ``path`` is one of:

    * a directory holding the standard IDX files, ``train-images-idx3-ubyte``
      and ``train-labels-idx1-ubyte`` (``t10k-...`` for ``split="test"``),
      each plain or gzip'd (``.gz``), also spelled ``train-images.idx3-ubyte``;
      the labels file is optional;
    * an ``.npz`` file with the keys of Keras' ``mnist.npz``: ``x_train`` and
      ``y_train`` (``x_test``/``y_test`` for ``split="test"``); the labels
      key is optional;
    * one IDX images file (any name), read without labels.

    Images may be uint8 (divided by 255) or floats already in ``[0, 1]``,
    shaped ``(N, H, W)`` or ``(N, 1, H, W)``. They keep their size (28x28 for
    MNIST); :func:`resize` brings them to a training size.

    Parameters
    ----------
    path : str or os.PathLike
        Directory, ``.npz`` file or IDX file.
    split : str
        ``"train"`` or ``"test"``.
    max_bytes : int
        The largest array read from one file or key (:data:`MAX_BYTES`);
        see :func:`read_idx`.

    Returns
    -------
    images : numpy.ndarray
        ``(N, 1, H, W)`` float32 in ``[0, 1]``.
    labels : numpy.ndarray or None
        ``(N,)`` int64, or ``None`` when there is no labels file or key.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist, or a directory without the images file.
    ValueError
        Bad IDX files (see :func:`read_idx`); an ``.npz`` that is truncated
        or damaged, has no images key, holds pickled objects, or promises
        more than ``max_bytes``; images of the wrong shape, NaN or infinite,
        or outside the value range; labels that are not integers in
        ``0 .. CLASSES - 1`` or whose count differs from the images'. The
        message names the file.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from tconv.train.data import load_mnist
    >>> path = os.path.join(tempfile.mkdtemp(), "mnist.npz")
    >>> np.savez(path, x_train=np.full((3, 28, 28), 255, np.uint8), y_train=[7, 1, 4])
    >>> images, labels = load_mnist(path)
    >>> images.shape, float(images.max()), labels.tolist()
    ((3, 1, 28, 28), 1.0, [7, 1, 4])
    """
    if split not in _IDX_NAMES:
        message = f"load_mnist: split={split!r} is not a split; valid is 'train' or 'test'"
        raise ValueError(message)
    max_bytes = _limit("load_mnist", max_bytes)
    where = Path(path)
    shown = os.fspath(path)
    if where.is_dir():
        images_stem, labels_stem = _IDX_NAMES[split]
        images_path = _find_idx(where, images_stem)
        if images_path is None:
            message = (f"load_mnist: path={shown!r} holds no {images_stem} file (plain or "
                       ".gz); give the directory of the MNIST IDX files or an .npz file")
            raise FileNotFoundError(message)
        images = read_idx(images_path, max_bytes=max_bytes)
        labels_path = _find_idx(where, labels_stem)
        labels = None if labels_path is None else read_idx(labels_path, max_bytes=max_bytes)
        name = repr(os.fspath(images_path))
        labels_name = None if labels_path is None else repr(os.fspath(labels_path))
    elif where.is_file() and where.suffix == ".npz":
        images, labels = _read_npz(where, split, max_bytes)
        images_key, labels_key = NPZ_KEYS[split]
        name, labels_name = f"{shown!r} key {images_key!r}", f"{shown!r} key {labels_key!r}"
    elif where.is_file():
        images, labels = read_idx(where, max_bytes=max_bytes), None
        name, labels_name = repr(shown), None
    else:
        message = (f"load_mnist: path={shown!r} does not exist; give the directory of the "
                   "MNIST IDX files or an .npz file")
        raise FileNotFoundError(message)
    images = _as_unit("load_mnist", name, np.asarray(images))
    if labels is not None:
        labels = _as_labels("load_mnist", labels_name, np.asarray(labels), len(images))
    return images, labels
