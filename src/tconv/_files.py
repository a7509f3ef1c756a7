"""Safe output files: nothing replaced by surprise, nothing left half-written.

Every command (and every library function) that writes a file goes through
:func:`atomic_output`: the data is written to a temporary file in the target's
own folder and renamed over the target only when the writer returned without
an error, so a failed write (a full disk, a format that cannot hold the image,
an interrupt) leaves the old file, or no file, behind, never a truncated one.
Before any work, :func:`check_output` refuses a target that is one of the
command's inputs, an existing file unless ``force`` is given, and a folder that
does not exist.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["OutputError", "atomic_output", "check_output"]

PathLike = str | os.PathLike


class OutputError(ValueError):
    """An output path that must not be written (exists, is an input, no folder)."""


def check_output(path: PathLike, *, force: bool = False, inputs: Iterable[PathLike] = (),
                 flag: str = "output") -> Path:
    """Check that ``path`` may be written; return it as a :class:`~pathlib.Path`.

    Parameters
    ----------
    path : str or path-like
        The file about to be written.
    force : bool
        Allow replacing an existing file (never one of ``inputs``).
    inputs : iterable of path-like
        The files the command reads; writing over one of them is always refused.
    flag : str
        How the caller names the path in messages (``"--output"``, ``"OUT"``).

    Raises
    ------
    OutputError
        A ``ValueError`` naming ``flag`` and the path: the folder does not
        exist, the path is a folder, it is one of the inputs, or it exists and
        ``force`` is false.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> check_output(folder / "new.png", flag="--output").name
    'new.png'
    >>> (folder / "old.png").write_bytes(b"x")
    1
    >>> check_output(folder / "old.png", flag="--output")
    Traceback (most recent call last):
    ...
    tconv._files.OutputError: --output ... exists; pass --force to replace it
    """
    target = Path(os.fspath(path))
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        message = f"{flag} {os.fspath(path)!r}: the folder {os.fspath(folder)!r} does not exist"
        raise OutputError(message)
    if target.is_dir():
        message = f"{flag} {os.fspath(path)!r} is a folder; give a file name"
        raise OutputError(message)
    for given in inputs:
        source = Path(os.fspath(given))
        if source.exists() and target.exists() and os.path.samefile(source, target):
            message = (f"{flag} {os.fspath(path)!r} is also an input of this command; "
                       "it is never written over: choose another file name")
            raise OutputError(message)
    if target.exists() and not force:
        message = f"{flag} {os.fspath(path)!r} exists; pass --force to replace it"
        raise OutputError(message)
    return target


@contextlib.contextmanager
def atomic_output(path: PathLike, *, force: bool = False, inputs: Iterable[PathLike] = (),
                  flag: str = "output") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` on success.

    The temporary file keeps ``path``'s suffix, so writers that pick the format
    from the name (Pillow, matplotlib) behave as with ``path`` itself. The
    checks of :func:`check_output` run first. If the ``with`` body raises, the
    temporary file is removed and ``path`` is untouched.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
    >>> with atomic_output(target) as temporary:
    ...     _ = temporary.write_text("hello")
    >>> target.read_text()
    'hello'
    """
    target = check_output(path, force=force, inputs=inputs, flag=flag)
    descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix,
                                        dir=target.parent)
    os.close(descriptor)
    temporary = Path(name)
    # mkstemp makes the file private (0600); give it the mode a plain open() would.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)
    try:
        yield temporary
        if not temporary.exists() or temporary.stat().st_size == 0:
            message = f"{flag} {os.fspath(path)!r}: nothing was written"
            raise OutputError(message)
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
