"""``python -m bench``: run the benchmark harness (see :mod:`bench.harness.cli`)."""

import sys

from bench.harness.cli import main

sys.exit(main())
