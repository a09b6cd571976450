"""STON numbers: the exact reading rules and Pharo's printing of floats.

Reading (strict where Pharo never writes the form, reference-compatible where it does):

- ``42``, ``-7``: int of any size. Leading zeros (``007``), a lone ``-`` and ``1.`` are
  rejected: the spec forbids them and no STON writer emits them.
- ``1.5``, ``-0.0``, ``1.0e-5``: a float when a ``.`` is present, correctly rounded.
- ``1e5`` / ``1e-2`` (exponent, no ``.``): an exact int / Fraction, as Pharo's reader does
  (note 9). The exponent is capped at +-`MAX_EXACT_EXPONENT` so a hostile ``1e999999999``
  cannot eat the memory; floats need no cap (they overflow to inf like Pharo's asFloat).
- ``1/3``: Fraction, reduced; a result with denominator 1 is an int (Smalltalk normalises
  ``4/2`` to ``2``); ``1/0`` is an error.
- ``1/3s2``: `ScaledDecimal`.

Writing floats follows Pharo's ``Float>>printOn:`` (Burger-Dybvig shortest digits, which are
the digits of Python's ``repr``): fixed notation for 1e-4 <= |x| < 1e6, otherwise
``d.ddde<exp>``; the mantissa always holds a ``.`` (``1.0e16``, never ``1e+16``).
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

MAX_EXACT_EXPONENT = 10_000

# Pharo prints integers of any size; CPython refuses str<->int beyond 4300 digits by default,
# so larger values go through these helpers (divide and conquer, no global setting touched).
_CHUNK = 4000
_CHUNK_LIMIT = 10**_CHUNK


def parse_int(digits: str) -> int:
    if len(digits) <= _CHUNK:
        return int(digits)
    negative = digits.startswith("-")
    body = digits[1:] if negative else digits
    half = len(body) // 2
    high, low = body[:-half], body[-half:]
    value = parse_int(high) * 10 ** len(low) + parse_int(low)
    return -value if negative else value


def int_text(value: int) -> str:
    if -_CHUNK_LIMIT < value < _CHUNK_LIMIT:
        return str(value)
    if value < 0:
        return "-" + int_text(-value)
    digits = int(value.bit_length() * 0.30103) + 1
    half = digits // 2
    high, low = divmod(value, 10**half)
    return int_text(high) + int_text(low).rjust(half, "0")


_REPR = re.compile(r"(\d)(?:\.(\d+))?(?:e([-+]\d+))?")


def float_text(value: float) -> str:
    """Pharo's print string of a finite float (``1.5``, ``1.0e100``, ``-0.0``, ``1.0e-5``)."""
    if value == 0.0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign = "-" if value < 0 else ""
    # repr gives the shortest round-tripping digits; re-lay them out the Pharo way.
    mantissa, _, exp_text = repr(abs(value)).partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    digits = (int_part + frac_part).lstrip("0")
    exponent = (int(exp_text) if exp_text else 0) + len(int_part) - 1
    if int_part == "0":  # 0.00123 -> digits "123", exponent from the leading zeros
        exponent = -(len(frac_part) - len(frac_part.lstrip("0"))) - 1
    digits = digits.rstrip("0") or "0"
    if -4 <= exponent <= 5:
        if exponent < 0:
            return f"{sign}0.{'0' * (-exponent - 1)}{digits}"
        whole = digits[: exponent + 1].ljust(exponent + 1, "0")
        return f"{sign}{whole}.{digits[exponent + 1 :] or '0'}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}e{exponent}"


def fraction_text(value: Fraction) -> str:
    if value.denominator == 1:
        return int_text(value.numerator)
    return f"{int_text(value.numerator)}/{int_text(value.denominator)}"


def scaled_text(value: Fraction, scale: int) -> str:
    return f"{int_text(value.numerator)}/{int_text(value.denominator)}s{scale}"
