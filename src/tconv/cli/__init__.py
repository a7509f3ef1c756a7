"""Command line: ``tconv COMMAND [flags]`` (also ``python -m tconv``).

One module per command; :mod:`tconv.cli.main` builds the parser and runs a
command, :mod:`tconv.cli.flags` holds the flag parsers the commands share.
"""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
