"""``python -m stui_trio``: start the server (see ``stui_trio.cli``)."""

import sys

from stui_trio.cli import main

if __name__ == "__main__":
    sys.exit(main())
