"""``tconv explore``: an interactive transposed-convolution explorer in the browser.

A Starlette app (:func:`create_app`) serves a static page and a small JSON
route whose numbers all come from tconv (:func:`tconv.explain`,
:func:`tconv.conv_matrix`, :func:`tconv.checkerboard`, :func:`tconv.translate`,
the output-shape functions). Needs the ``explore`` extra:
``pip install "tconv[explore]"``.
"""

from __future__ import annotations

__all__ = ["create_app", "serve"]


def __getattr__(name: str):
    # Lazy, so that ``tconv.cli.explore`` (the command) imports without the extra.
    if name == "create_app":
        from .app import create_app
        return create_app
    if name == "serve":
        from .server import serve
        return serve
    raise AttributeError(f"module 'tconv.explore' has no attribute {name!r}")
