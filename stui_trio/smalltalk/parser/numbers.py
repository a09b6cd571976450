"""Number literals, read exactly as Pharo's `NumberParser` reads them.

The scanner calls `scan_number` when it meets a digit, or a '-' directly followed by a digit.
The grammar (Pharo's, including its corners) is:

    number   ::= ['-'] digits10 [ 'r' ['-'] digits(radix) ] ( fraction | integer-tail )
    fraction ::= '.' digits(radix) ( exponent | scale | nothing )      -> Float or ScaledDecimal
    integer-tail ::= exponent | scale | nothing                        -> Integer or ScaledDecimal
    exponent ::= ('e' | 'd' | 'q') ['-'] digits10                      (a power of the radix)
    scale    ::= 's' [digits10]

What that gives, value by value:

- digits of a radix are 0-9 then A-Z *or a-z* (Pharo's `Character>>digitValue` takes both cases),
  so `16r1F = 16r1f = 31` and `36rZZ = 1295`; a radix below 2 is an error, so is `16r` with no
  digit; `-16rFF` and `16r-FF` are both -255;
- `1e10` is the Integer 10000000000, `2r1e4` is 16 (the exponent counts in the radix); an
  integer with a negative exponent is an Integer when the result is whole (`100e-2 = 1`) and
  otherwise a **Float**, computed like Pharo (`1e-2 = 0.01`): Pharo's `NumberParser` makes it a
  Float on purpose, because a Fraction is not a literal;
- `1.5`, `1.0e-5`, `2r1.1` are Floats, correctly rounded (Pharo rounds through exact fractions
  too); `-0.0` is negative zero; past the Float range the value is +/-infinity;
- `1.5s2`, `3s2`, `1.50s` are ScaledDecimals (value as an exact Fraction, and the scale: given, or
  the number of fraction digits); an `s` followed by a letter is not a scale (`3sqrt` is 3 then
  the unary message `sqrt`);
- an exponent letter or '.' not followed by a digit is not part of the number (`1e` is 1 then
  `e`; `3.` is 3 then a period); exponents above 10000 are rejected, as Pharo does by default,
  which also keeps a hostile `1e999999999` from costing anything; for the same reason a run of
  digits longer than MAX_DIGITS (100000) is rejected, a limit Pharo does not have.
"""

from __future__ import annotations

import re
from fractions import Fraction

from stui_trio.smalltalk.ast import ScaledDecimalLiteral

MAX_EXPONENT = 10_000
# Pharo has no such limit; here converting a digit string costs more than linear time, so a
# single literal is capped (like CPython's own int() digit limit), far above any real code.
MAX_DIGITS = 100_000

# Python's int() refuses very long digit strings; longer ones are converted piecewise.
_CHUNK = 4000

_DECIMAL_RUN = re.compile(r"[0-9]+")
_ALNUM_RUN = re.compile(r"[0-9A-Za-z]+")


def _digit_value(char: str) -> int:
    if "0" <= char <= "9":
        return ord(char) - 48
    if "A" <= char <= "Z":
        return ord(char) - 55
    if "a" <= char <= "z":
        return ord(char) - 87
    return -1


class NumberError(Exception):
    """A malformed number: `message`, what was `expected`, at `offset`, ending at `stop`."""

    def __init__(self, message: str, expected: str, offset: int, stop: int, incomplete: bool):
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.offset = offset
        self.stop = stop
        self.incomplete = incomplete


def _to_int(digits: str, base: int) -> int:
    """The value of a digit string; long ones split in halves (sub-quadratic, no digit limit)."""
    if len(digits) <= _CHUNK:
        if base <= 36:
            return int(digits, base)
        value = 0
        for char in digits:
            value = value * base + _digit_value(char)
        return value
    half = len(digits) // 2
    high = _to_int(digits[:half], base)
    return high * base ** (len(digits) - half) + _to_int(digits[half:], base)


def _read_digits(source: str, pos: int, base: int) -> tuple[str, int]:
    """Return the run of digits valid in `base` starting at `pos`, and where it ends."""
    if base == 10:
        match = _DECIMAL_RUN.match(source, pos)
        digits, end = (match.group(), match.end()) if match else ("", pos)
    else:
        match = _ALNUM_RUN.match(source, pos)
        run = match.group() if match else ""
        count = 0
        for char in run:
            if _digit_value(char) >= base:
                break
            count += 1
        digits, end = run[:count], pos + count
    if len(digits) > MAX_DIGITS:
        raise NumberError(
            f"number has more than {MAX_DIGITS} digits",
            f"a number of at most {MAX_DIGITS} digits",
            pos + MAX_DIGITS,
            end,
            False,
        )
    return digits, end


def _safe_float(numerator: int, denominator: int = 1) -> float:
    """numerator/denominator as a correctly rounded Float; +/-infinity past the Float range."""
    try:
        return numerator / denominator
    except OverflowError:
        return float("inf") if (numerator < 0) == (denominator < 0) else float("-inf")


def _float_power(base: float, exponent: int) -> float:
    """`base raisedToInteger: exponent` for exponent > 0, squaring in Float as Pharo does."""
    probe = 1 << (exponent.bit_length() - 1)
    result = 1.0
    while True:
        if exponent & probe:
            result *= base
        probe >>= 1
        if probe <= 0:
            return result
        result *= result


def _read_exponent(source: str, pos: int) -> tuple[int | None, int]:
    """Read `e12`, `d-3`, `q4` at `pos`: (exponent or None when absent, position after it)."""
    if pos >= len(source) or source[pos] not in "edq":
        return None, pos
    start = pos
    pos += 1
    negative = pos < len(source) and source[pos] == "-"
    if negative:
        pos += 1
    digits, end = _read_digits(source, pos, 10)
    if not digits:
        return None, start  # the letter begins a message (`1e` is 1 then #e)
    exponent = int(digits) if len(digits) < 20 else MAX_EXPONENT + 1
    if exponent > MAX_EXPONENT:
        raise NumberError(
            f"exponent is larger than {MAX_EXPONENT}",
            f"an exponent of at most {MAX_EXPONENT}",
            end,
            end,
            False,
        )
    return (-exponent if negative else exponent), end


def _read_scale(source: str, pos: int, default: int) -> tuple[int | None, int]:
    """Read `s2` or a bare `s` at `pos`: (scale or None when absent, position after it)."""
    if pos >= len(source) or source[pos] != "s":
        return None, pos
    digits, end = _read_digits(source, pos + 1, 10)
    if digits:
        return _to_int(digits, 10), end
    if end < len(source) and source[end].isalpha():
        return None, pos  # `3sqrt`: the s starts a message, not a scale
    return default, end


def scan_number(source: str, start: int) -> tuple[object, int]:
    """Read the number at `start` (a digit, or '-' then a digit); return (value, stop).

    The value is an int, a float or a ScaledDecimalLiteral. Raises NumberError for a radix
    below 2, a radix with no digit after it, or an exponent above MAX_EXPONENT.
    """
    pos = start
    negative = source[pos] == "-"
    if negative:
        pos += 1
    digits, pos = _read_digits(source, pos, 10)
    base = 10
    if pos < len(source) and source[pos] == "r":
        base = _to_int(digits, 10)
        if base < 2:
            raise NumberError(
                f"radix {base} is too small", "a radix of at least 2", pos, pos + 1, False
            )
        pos += 1
        if pos < len(source) and source[pos] == "-":
            negative = not negative
            pos += 1
        digits, end = _read_digits(source, pos, base)
        if not digits:
            top = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[min(base, 36) - 1]
            raise NumberError(
                f"expected a digit between 0 and {top} after the radix {base}r",
                f"a digit between 0 and {top}",
                pos,
                pos,
                pos >= len(source),
            )
        pos = end
    integer_part = _to_int(digits, base)
    if pos + 1 < len(source) and source[pos] == "." and _digit_value(source[pos + 1]) in range(
        base
    ):
        return _fraction_number(source, pos + 1, base, negative, digits, integer_part)
    if negative:
        integer_part = -integer_part
    exponent, end = _read_exponent(source, pos)
    if exponent is not None:
        if exponent >= 0:
            return integer_part * base**exponent, end
        denominator = base**-exponent
        if integer_part % denominator == 0:
            return integer_part // denominator, end
        # Pharo: `integerPart * (base asFloat raisedToInteger: exponent)`, the power taken
        # as the reciprocal of a Float power.
        power = 1.0 / _float_power(float(base), -exponent)
        return _safe_float(integer_part) * power, end
    scale, end = _read_scale(source, pos, 0)
    if scale is not None:
        return ScaledDecimalLiteral(Fraction(integer_part), scale), end
    return integer_part, pos


def _fraction_number(
    source: str, pos: int, base: int, negative: bool, int_digits: str, integer_part: int
) -> tuple[object, int]:
    """The number continues with a fraction part starting at `pos`: a Float or ScaledDecimal."""
    frac_digits, pos = _read_digits(source, pos, base)
    fraction_part = _to_int(frac_digits, base)
    significant = len(frac_digits.rstrip("0"))  # fraction digits up to the last non-zero one
    exponent, end = _read_exponent(source, pos)
    if exponent is None:
        scale, end = _read_scale(source, pos, len(frac_digits))
        if scale is not None:
            multiplier = base**significant
            trailing = len(frac_digits) - significant
            numerator = integer_part * multiplier + fraction_part // base**trailing
            value = Fraction(numerator, multiplier)
            return ScaledDecimalLiteral(-value if negative else value, scale), end
        exponent = 0
    if fraction_part == 0:
        trailing_int = len(int_digits) - len(int_digits.rstrip("0"))
        mantissa = integer_part // base**trailing_int
        exponent += trailing_int
    else:
        trailing = len(frac_digits) - significant
        mantissa = integer_part * base**significant + fraction_part // base**trailing
        exponent -= significant
    if exponent >= 0:
        value = _safe_float(mantissa * base**exponent)
    else:
        value = _safe_float(mantissa, base**-exponent)
    return (-value if negative else value), end
