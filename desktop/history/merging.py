"""How an export's rows meet the history: which are new, which are here as they are, which differ."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from desktop.history.observation import Observation


@dataclass
class ImportOutcome:
    """What an import did: rows added, rows already here as they are, rows updated, rows that differ."""

    added: int = 0
    same: int = 0
    updated: list[str] = field(default_factory=list)
    differing: list[tuple[str, bool]] = field(default_factory=list)  # (id, the history's is newer)


# What makes an imported observation the one already here: every field but the derived sync state.
_COMPARED = tuple(f.name for f in fields(Observation) if f.name not in ("sync_state", "sync_error"))


def same_content(here: Observation, imported: Observation) -> bool:
    """Tell whether an imported observation is the one already here (its sync state aside)."""
    return all(getattr(here, name) == getattr(imported, name) for name in _COMPARED)
