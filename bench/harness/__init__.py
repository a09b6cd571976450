"""The benchmark machinery (see :mod:`bench` for the layout)."""
