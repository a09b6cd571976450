"""Table cells for the benchmark's reports: one formatting of each kind of number.

The Markdown report (`markdown.py`) and the console tables (`report.py`) print the same numbers;
these helpers keep them written the same way ("-" where a value is missing); `md_table` lays
out a Markdown table.
"""

from __future__ import annotations


def ms(us: float | None) -> str:
    """Microseconds shown as milliseconds with two decimals."""
    return "-" if us is None else f"{us / 1000:.2f}"


def num(value: float | None) -> str:
    """A count or rate, rounded, with thousands separators."""
    return "-" if value is None else f"{value:,.0f}"


def ratio(value: float | None, suffix: str = "") -> str:
    """A ratio with two decimals (the Markdown report adds an "x")."""
    return "-" if value is None else f"{value:.2f}{suffix}"


def md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table (first column left-aligned, the rest right), then a blank line."""
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return [*out, ""]
