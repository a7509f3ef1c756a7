"""The explorer inside a Jupyter notebook: the same page, in the output cell.

:func:`show` starts the explorer once per kernel (a background thread on a
free localhost port) and returns an object that Jupyter displays as the page
in an inline frame. It works where the browser showing the notebook runs on
the same machine as the kernel (a local Jupyter); the frame needs no widget
extension.
"""

from __future__ import annotations

import html
import threading
from urllib.parse import urlencode

from ._compute import explore
from ._params import NAMES, parse

_LOCK = threading.Lock()
_SERVER = None


def _server():
    global _SERVER
    with _LOCK:
        if _SERVER is None:
            from .server import BackgroundServer

            server = BackgroundServer()
            server.start()
            _SERVER = server
        return _SERVER


class ExplorerView:
    """One explorer state; Jupyter shows it as the page in a frame.

    Attributes
    ----------
    url : str
        The page for this state (open it in any browser on this machine).
    height : int
        Height of the frame in pixels.
    """

    def __init__(self, url: str, height: int):
        self.url, self.height = url, height

    def __repr__(self) -> str:
        return f"ExplorerView({self.url!r})"

    def _repr_html_(self) -> str:
        src = html.escape(self.url, quote=True)
        return (f'<iframe src="{src}" width="100%" height="{self.height}" '
                'style="border: 1px solid #ccc" title="tconv explore"></iframe>')


def show(*, height: int = 900, **params) -> ExplorerView:
    """Show the explorer for one layer in a notebook (or get its URL).

    Parameters
    ----------
    height : int
        Height of the frame in pixels (default 900).
    **params
        The page's query names and values, as in its URL: ``op``, ``input``,
        ``kernel``, ``stride``, ``padding``, ``output_padding``, ``dilation``,
        ``groups``, ``x``, ``w``, ... Sizes and values may be given as ints
        or tuples (``input=(4, 4)``, ``x=(55, 52, 57, 50)``).

    Returns
    -------
    ExplorerView
        Displays as the page; ``.url`` is its address.

    Raises
    ------
    ValueError
        An unknown name, or a value the page would refuse (the same message
        as on the page).

    Examples
    --------
    >>> from tconv.explore.notebook import show
    >>> view = show(input=(2, 2), kernel=(2, 2), x=(55, 52, 57, 50), w=(1, 2, 2, 1))
    >>> view.url.split("?")[1]
    'input=2x2&kernel=2x2&x=55,52,57,50&w=1,2,2,1'
    """
    if not isinstance(height, int) or isinstance(height, bool) or height < 100:
        raise ValueError(f"height={height!r}: give an int of at least 100 (pixels)")
    unknown = sorted(set(params) - set(NAMES))
    if unknown:
        raise ValueError(f"show: unknown parameter {unknown[0]!r}; the page's names are "
                         f"{', '.join(NAMES)}")
    query = {}
    for name, value in params.items():
        if isinstance(value, (tuple, list)):
            value = ("," if name in ("x", "w") else "x").join(str(v) for v in value)
        query[name] = str(value)
    explore(parse(query))  # the page's own checks: a bad value fails here, in Python
    text = urlencode(query, safe=",:")
    return ExplorerView(_server().url + ("?" + text if text else ""), height)
