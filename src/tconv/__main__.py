"""``python -m tconv``: the same as the ``tconv`` command."""

import sys

from .cli import main

if __name__ == "__main__":  # importing this module (doctest collection) runs nothing
    sys.exit(main())
