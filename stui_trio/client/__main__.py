"""``python -m stui_trio.client``: the interactive console (see :mod:`.console`)."""

import sys

from stui_trio.client.console import main

sys.exit(main())
