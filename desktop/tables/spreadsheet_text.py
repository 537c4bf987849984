"""Text cells a spreadsheet must show as text, never run as a formula (OWASP's CSV-injection advice).

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a single
quote in front, which spreadsheets show as text; reading an export back removes exactly that quote, so
every text comes back unchanged (a text that itself starts with quotes before such a sign gets one more).
"""

from __future__ import annotations

_FORMULA_STARTS = frozenset("=+-@\t\r")
QUOTE = "'"


def _starts_formula(text: str) -> bool:
    rest = text.lstrip(QUOTE)
    return bool(rest) and rest[0] in _FORMULA_STARTS


def guarded(cell: str) -> str:
    """Return a text cell as written to a CSV file: quoted in front when a spreadsheet would run it."""
    if cell and (cell[0] in _FORMULA_STARTS or (cell[0] == QUOTE and _starts_formula(cell))):
        return QUOTE + cell
    return cell


def unguarded(cell: str) -> str:
    """Return the text a cell written by ``guarded`` holds."""
    if cell.startswith(QUOTE) and _starts_formula(cell):
        return cell[1:]
    return cell
