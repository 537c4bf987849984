"""Render sections as the plain-text table the command prints and docs/performance.md quotes."""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.report import Figure, Section

HEADERS = ("measure", "unit", "median", "p99", "n", "ratio", "target")


def number(value: float | None) -> str:
    """Format a figure with about three significant digits, thousands separated."""
    if value is None:
        return "-"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _ratio(f: Figure) -> str:
    if f.ratio is None:
        return ""
    if f.ratio_label.endswith(" faster") and f.ratio < 1:
        # "0.8x faster" misleads: say how much slower instead.
        return f"{f.ratio_label.removesuffix(' faster')} {number(1 / f.ratio)}× slower"
    subject, _, verdict = f.ratio_label.rpartition(" ")
    if verdict == "faster":
        return f"{subject} {number(f.ratio)}× faster"
    return f"{number(f.ratio)}× {f.ratio_label}".strip()


def _target(f: Figure) -> str:
    if not f.target:
        return ""
    verdict = {True: "met", False: "MISSED", None: ""}[f.met]
    return f"{f.target}: {verdict}" if verdict else f.target


def _cells(f: Figure) -> tuple[str, ...]:
    return (f.name, f.unit, number(f.median), number(f.p99), str(f.n), _ratio(f), _target(f))


def render(sections: Sequence[Section], machine: dict[str, object], header: str) -> str:
    """Return the whole report: a header, then per section its rows, extra notes and notes."""
    rows = [_cells(f) for s in sections for f in s.figures if not f.skipped]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(HEADERS)]
    numeric = {2, 3, 4}

    def line(cells: Sequence[str]) -> str:
        parts = []
        for i, cell in enumerate(cells):
            parts.append(
                cell.rjust(widths[i]) if i in numeric and cells is not HEADERS else cell.ljust(widths[i])
            )
        return "  ".join(parts).rstrip()

    libs = machine.get("libraries", {})
    lib_text = ", ".join(f"{k} {v}" for k, v in libs.items()) if isinstance(libs, dict) else ""
    out = [
        header,
        f"machine: {machine.get('cpu')}, {machine.get('cores')} cores, {machine.get('ram_gib')} GiB RAM, "
        f"{machine.get('os')}",
        f"python: {machine.get('python')}; {lib_text}",
        f"OPENBLAS_CORETYPE={machine.get('openblas_coretype')}; commit {machine.get('commit')}; "
        f"load average {machine.get('load_average_at_start')} at start, "
        f"{machine.get('load_average_at_end')} at end",
        "",
    ]
    for s in sections:
        out.append(f"{s.title}  ({s.seconds:.0f} s)" if not s.error else f"{s.title}  FAILED: {s.error}")
        out.append(line(HEADERS))
        out.append(line(tuple("-" * w for w in widths)))
        for f in s.figures:
            # A skipped row's reason runs across the number columns instead of widening them.
            out.append(
                f"{f.name.ljust(widths[0])}  {f.unit.ljust(widths[1])}  {f.skipped}"
                if f.skipped
                else line(_cells(f))
            )
            if f.note:
                out.append(" " * 4 + f.note)
        for note in s.notes:
            out.append(f"  * {note}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
