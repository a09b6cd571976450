"""Number primitives: the arithmetic of the whole tower, with Pharo's coercion rules.

Integers, Floats and Fractions are Python values, so one generic primitive per operator serves
every numeric class: the operands are coerced by generality (Integer < ScaledDecimal < Fraction
< Float, except that ScaledDecimal op Fraction stays ScaledDecimal, as in Pharo), the result is
normalized (a Fraction with denominator 1 becomes an Integer). Non-numeric operands raise
PrimitiveFailed and the kernel method's fallback code decides (usually an error).

Size limits (`EngineLimits.max_integer_bits`) are checked before creating huge integers, so
`1 bitShift: 10**9` or `10 raisedTo: 10**8` fail as Smalltalk errors instead of exhausting memory.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from stui_trio.smalltalk.runtime.control import PrimitiveFailed
from stui_trio.smalltalk.runtime.objects import RawFraction, ScaledDecimal, STString

NUM = (int, float, Fraction, ScaledDecimal, RawFraction)


def norm(x: Any) -> Any:
    if type(x) is Fraction and x.denominator == 1:
        return x.numerator
    return x


def coerce(a: Any, b: Any) -> tuple[Any, Any, int | None]:
    """Answer the operands as Python numbers, and the scale when the result is ScaledDecimal."""
    ta, tb = type(a), type(b)
    if ta is RawFraction or tb is RawFraction:
        # an unreduced fraction computes with its (reduced) value
        return coerce(Fraction(a) if ta is RawFraction else a,
                      Fraction(b) if tb is RawFraction else b)
    if ta not in NUM or tb not in NUM or ta is bool or tb is bool:
        raise PrimitiveFailed
    if ta is ScaledDecimal or tb is ScaledDecimal:
        if ta is float or tb is float:
            return (float(a.f) if ta is ScaledDecimal else a,
                    float(b.f) if tb is ScaledDecimal else b, None)
        scale = max(a.scale if ta is ScaledDecimal else 0, b.scale if tb is ScaledDecimal else 0)
        return (a.f if ta is ScaledDecimal else a, b.f if tb is ScaledDecimal else b, scale)
    return a, b, None


def float_print(f: float) -> str:
    if f != f:
        return "Float nan"
    if f in (math.inf, -math.inf):
        return "Float infinity" if f > 0 else "Float infinity negated"
    a = abs(f)
    if a != 0.0 and (a >= 1e6 or a < 1e-4):
        mant, exp = f"{f:.17e}".split("e")
        r = repr(f)
        # shortest round-trip digits, in Pharo's mantissa-e-exponent form
        digits = r.split("e")[0] if "e" in r else None
        if digits is None:
            m = float(mant)
            e = int(exp)
            for prec in range(1, 18):
                cand = f"{f:.{prec - 1}e}"
                if float(cand) == f:
                    m_s, e_s = cand.split("e")
                    return f"{m_s if '.' in m_s else m_s + '.0'}e{int(e_s)}"
            return f"{m}e{e}"
    r = repr(f)
    if "e" in r:
        mant, exp = r.split("e")
        if "." not in mant:
            mant += ".0"
        return f"{mant}e{int(exp)}"
    if "." not in r:
        r += ".0"
    return r


def print_base(n: int, base: int) -> str:
    if n == 0:
        return "0"
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    neg = n < 0
    n = -n if neg else n
    if base == 10:
        s = str(n)
    else:
        out = []
        while n:
            n, r = divmod(n, base)
            out.append(digits[r])
        s = "".join(reversed(out))
    return "-" + s if neg else s


def register(image: Any, prims: dict, limits: Any) -> None:
    err = image.error
    max_bits = limits.max_integer_bits

    def big(what: str) -> Any:
        return err("Error", f"{what}: result would exceed {max_bits} bits")

    def zero_divide(dividend: Any) -> Any:
        exc = image.new_exception("ZeroDivide")
        image.send(exc, "dividend:", dividend)
        return image.send(exc, "signal")

    def arith(op):
        def prim(a: Any, b: Any) -> Any:
            x, y, scale = coerce(a, b)
            r = op(x, y)
            if scale is not None:
                return ScaledDecimal(r, scale)
            return norm(r)
        return prim

    def mul(a: Any, b: Any) -> Any:
        if type(a) is int and type(b) is int and a.bit_length() + b.bit_length() > max_bits:
            return big("multiplication")
        x, y, scale = coerce(a, b)
        r = x * y
        if type(a) is ScaledDecimal and type(b) is ScaledDecimal:
            scale = a.scale + b.scale  # Pharo keeps every digit of a product
        return ScaledDecimal(r, scale) if scale is not None else norm(r)

    def div(a: Any, b: Any) -> Any:
        x, y, scale = coerce(a, b)
        if y == 0:
            return zero_divide(a)
        r = x / y if type(x) is float or type(y) is float else Fraction(x) / Fraction(y)
        return ScaledDecimal(r, scale) if scale is not None else norm(r)

    def zero_guard(fn):
        def prim(a: Any, b: Any) -> Any:
            x, y, scale = coerce(a, b)
            if y == 0:
                return zero_divide(a)
            r = fn(x, y)
            return ScaledDecimal(r, scale) if scale is not None else norm(r)
        return prim

    def quo(x: Any, y: Any) -> Any:
        q = math.trunc(Fraction(x) / Fraction(y)) if type(x) is not float and \
            type(y) is not float else math.trunc(x / y)
        return q

    def rem(x: Any, y: Any) -> Any:
        return x - quo(x, y) * y

    def compare(op):
        def prim(a: Any, b: Any) -> Any:
            x, y, _ = coerce(a, b)
            return op(x, y)
        return prim

    def eq(a: Any, b: Any) -> bool:
        if type(b) not in NUM or type(b) is bool:
            return False
        x, y, _ = coerce(a, b)
        return x == y

    def int_only(fn):
        def prim(*args: Any) -> Any:
            for a in args:
                if type(a) is not int:
                    raise PrimitiveFailed
            return fn(*args)
        return prim

    def bit_shift(a: int, n: int) -> int:
        if n > 0:
            if a.bit_length() + n > max_bits:
                return big("bitShift:")
            return a << n
        return a >> -n

    def raised_to(a: Any, n: Any) -> Any:
        if type(a) is RawFraction:
            a = Fraction(a)
        if type(n) is int and type(a) in (int, Fraction):
            if n < 0:
                if a == 0:
                    return div(1, 0)
                return norm(Fraction(1) / Fraction(a) ** -n)
            bits = (abs(a.numerator if type(a) is Fraction else a)).bit_length() * n
            if bits > max_bits:
                return big("raisedTo:")
            return norm(Fraction(a) ** n) if type(a) is Fraction else a ** n
        x, y, _ = coerce(a, n)
        try:
            r = float(x) ** float(y)
        except ZeroDivisionError:
            return div(1, 0)
        if isinstance(r, complex):
            return err("ArithmeticError", "raisedTo: of a negative number")
        return r

    def factorial(n: int) -> int:
        if n < 0:
            return err("Error", "Not valid for negative integers")
        if n > limits.max_factorial:
            return big("factorial")
        return math.factorial(n)

    def sqrt(a: Any) -> Any:
        if (a.f if type(a) is ScaledDecimal else a) < 0:
            return err("DomainError", "sqrt undefined for number less than zero.")
        if type(a) is int:
            r = math.isqrt(a)
            if r * r == a:
                return r
            if a.bit_length() > 1000:
                return float(math.isqrt(a << 104)) / 2.0**52
        return math.sqrt(to_float(a))

    def is_prime(n: int) -> bool:
        if n < 2:
            return False
        if n < 4:
            return True
        if n % 2 == 0:
            return False
        for p in (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
            if n % p == 0:
                return n == p
        d, s = n - 1, 0
        while d % 2 == 0:
            d //= 2
            s += 1
        for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
            x = pow(a, d, n)
            if x in (1, n - 1):
                continue
            for _ in range(s - 1):
                x = x * x % n
                if x == n - 1:
                    break
            else:
                return False
        return True

    def to_float(a: Any) -> float:
        if type(a) is ScaledDecimal:
            return float(a.f)
        if type(a) is int and a.bit_length() > 1023:
            return math.inf if a > 0 else -math.inf
        return float(a)

    def float_op(fn):
        def prim(a: Any) -> Any:
            x = to_float(a)
            try:
                return fn(x)
            except (ValueError, OverflowError):
                return float("nan")
        return prim

    def truncated(a: Any) -> int:
        if type(a) is float and (a != a or a in (math.inf, -math.inf)):
            raise PrimitiveFailed
        return math.trunc(a.f if type(a) is ScaledDecimal else a)

    def rounded(a: Any) -> int:
        x = a.f if type(a) is ScaledDecimal else a
        if type(x) is float and (x != x or x in (math.inf, -math.inf)):
            raise PrimitiveFailed
        # Pharo rounds half away from zero
        return math.floor(x + Fraction(1, 2)) if x >= 0 else -math.floor(-x + Fraction(1, 2))

    def fraction_new(n: int, d: int) -> Any:
        """`Fraction numerator:denominator:`: reduced terms give the usual value; others are
        kept as given (a RawFraction), as Pharo keeps them."""
        if not d:
            return div(n, 0)
        f = Fraction(n, d)
        if f.numerator == n and f.denominator == d:
            return norm(f)
        return RawFraction(n, d)

    def number_print(a: Any) -> STString:
        t = type(a)
        if t is int:
            return STString(str(a))
        if t is float:
            return STString(float_print(a))
        if t is Fraction:
            return STString(f"({a.numerator}/{a.denominator})")
        if t is RawFraction:
            return STString(f"({a.given_numerator}/{a.given_denominator})")
        if t is ScaledDecimal:
            return STString(scaled_print(a))
        raise PrimitiveFailed

    def scaled_print(a: ScaledDecimal) -> str:
        f, s = a.f, a.scale
        sign = "-" if f < 0 else ""
        f = abs(f)
        q = math.floor(f * 10**s + Fraction(1, 2))  # rounded half up, as Pharo prints
        ip, fp = divmod(q, 10**s)
        frac = str(fp).rjust(s, "0") if s else ""
        return f"{sign}{ip}{'.' + frac if s else ''}s{s}"

    def print_string_base(a: int, base: int) -> STString:
        if type(base) is not int or not 2 <= base <= 36:
            raise PrimitiveFailed
        return STString(print_base(a, base))

    def hash_num(a: Any) -> int:
        return hash(a.f if type(a) is ScaledDecimal else a) & (2**60 - 1)

    def as_scaled(a: Any, scale: int) -> ScaledDecimal:
        if type(a) is float:
            return ScaledDecimal(Fraction(a).limit_denominator(10**max(scale, 15)), scale)
        return ScaledDecimal(a.f if type(a) is ScaledDecimal else Fraction(a), scale)

    prims.update({
        "num.add": arith(lambda x, y: x + y), "num.sub": arith(lambda x, y: x - y),
        "num.mul": mul, "num.div": div,
        "num.intdiv": zero_guard(lambda x, y: math.floor(Fraction(x) / Fraction(y))
                                 if type(x) is not float and type(y) is not float
                                 else math.floor(x / y)),
        "num.mod": zero_guard(lambda x, y: x - y * (math.floor(Fraction(x) / Fraction(y))
                                                    if type(x) is not float and
                                                    type(y) is not float
                                                    else math.floor(x / y))),
        "num.quo": zero_guard(quo), "num.rem": zero_guard(rem),
        "num.lt": compare(lambda x, y: x < y), "num.gt": compare(lambda x, y: x > y),
        "num.le": compare(lambda x, y: x <= y), "num.ge": compare(lambda x, y: x >= y),
        "num.eq": eq, "num.ne": lambda a, b: not eq(a, b),
        "num.print": number_print, "num.hash": hash_num,
        "num.asFloat": to_float, "num.truncated": truncated, "num.rounded": rounded,
        "num.floor": lambda a: math.floor(a.f if type(a) is ScaledDecimal else a),
        "num.ceiling": lambda a: math.ceil(a.f if type(a) is ScaledDecimal else a),
        "num.raisedTo": raised_to, "num.sqrt": sqrt,
        "num.ln": float_op(math.log), "num.log10": float_op(math.log10),
        "num.exp": float_op(math.exp), "num.sin": float_op(math.sin),
        "num.cos": float_op(math.cos), "num.tan": float_op(math.tan),
        "num.arcTan": float_op(math.atan), "num.arcSin": float_op(math.asin),
        "num.arcCos": float_op(math.acos),
        "num.asScaled": as_scaled,
        "num.numerator": lambda a: a.numerator if type(a) in (int, Fraction) else
        a.given_numerator if type(a) is RawFraction else
        norm(a.f).numerator if type(a) is ScaledDecimal else _fail(),
        "num.denominator": lambda a: a.denominator if type(a) in (int, Fraction) else
        a.given_denominator if type(a) is RawFraction else
        norm(a.f).denominator if type(a) is ScaledDecimal else _fail(),
        "num.asExactFraction": lambda a: norm(Fraction(a)),
        "fraction.new": lambda cls, n, d: int_only(fraction_new)(n, d),
        "int.gcd": int_only(math.gcd), "int.lcm": int_only(lambda a, b: abs(a * b) //
                                                           math.gcd(a, b) if a and b else 0),
        "int.bitAnd": int_only(lambda a, b: a & b), "int.bitOr": int_only(lambda a, b: a | b),
        "int.bitXor": int_only(lambda a, b: a ^ b), "int.bitShift": int_only(bit_shift),
        "int.bitInvert": int_only(lambda a: ~a), "int.highBit": int_only(lambda a: a.bit_length()),
        "int.factorial": int_only(factorial), "int.isPrime": int_only(is_prime),
        "int.printBase": int_only(print_string_base),
        "int.sqrtFloor": int_only(lambda a: math.isqrt(a) if a >= 0 else _fail()),
        "float.isNaN": lambda a: a != a,
        "float.isInfinite": lambda a: a in (math.inf, -math.inf),
        "float.fractionPart": lambda a: math.modf(a)[0],
        "float.infinity": lambda cls: math.inf, "float.nan": lambda cls: math.nan,
        "float.pi": lambda cls: math.pi, "float.e": lambda cls: math.e,
        "scaled.scale": lambda a: a.scale,
    })


def _fail() -> Any:
    raise PrimitiveFailed
