"""``tconv explore``: the command-line entry (argparse part).

Imports neither starlette nor uvicorn until the command runs, so that
``tconv --help`` works without the ``explore`` extra.
"""

from __future__ import annotations

import argparse
import sys
import webbrowser

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765

_MISSING = ('the explorer needs the "explore" extra (starlette, uvicorn): '
            'pip install "tconv[explore]"')


def register(commands) -> None:
    """Add ``tconv explore [--host H] [--port P] [--no-browser]`` to ``commands``."""
    parser = commands.add_parser(
        "explore", help="interactive transposed-convolution explorer in the browser",
        description="Serve the interactive explorer (the page's numbers all come from "
                    "tconv) on this machine, print its URL and open it in the browser. "
                    "Stop it with Ctrl+C. Needs: pip install \"tconv[explore]\".",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to bind; anything but 127.0.0.1/localhost lets "
                             "other machines reach the page")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help="TCP port (0 picks a free one)")
    parser.add_argument("--no-browser", action="store_true",
                        help="only print the URL, do not open a browser")
    parser.set_defaults(run=run_explore, command_parser=parser)


def run_explore(args, parser) -> int:
    """Serve until Ctrl+C; the exit status (ImportError without the extra)."""
    if not 0 <= args.port <= 65535:
        raise ValueError(f"--port={args.port}: give a TCP port 0 .. 65535")
    try:
        import uvicorn  # noqa: F401

        from ..explore.server import BackgroundServer
    except ImportError:
        # tconv's main prints it as "tconv explore: error: ..." and exits 1.
        raise ImportError(_MISSING) from None
    server = BackgroundServer(args.host, args.port)
    try:
        server.start()
    except (OSError, RuntimeError) as error:
        print(f"tconv explore: error: cannot serve on {args.host}:{args.port} ({error})",
              file=sys.stderr)
        return 2
    print(f"tconv explore: serving on {server.url} (Ctrl+C stops it)", flush=True)
    if not args.no_browser:
        webbrowser.open(server.url)
    try:
        while not server.wait(timeout=0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
