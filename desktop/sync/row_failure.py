"""Why one observation failed to sync, as stored in its row: a kind and its facts, as JSON.

The outbox's ``failure`` column (shown as the observation's ``sync_error``) holds
``{"kind": "run-deleted", "facts": {...}}``; the window words it in the user's language, the command
line and the CSV export in English. Rows written before this held the English sentence itself: schema
step 10 (``failure_sentences.py``) turns those into kind and facts when the history opens; a sentence of
no kind it knows is read as text and shown as written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from desktop.mlflow_http.problems import ServerProblem
from desktop.sync.problems import SyncProblem, english

Problem = SyncProblem | ServerProblem


@dataclass(frozen=True)
class RowFailure:
    """A row's failure: its kind and facts, or (``problem`` None) a sentence stored as it is."""

    problem: Problem | None
    facts: Mapping[str, object] = field(default_factory=dict)
    text: str = ""  # the stored sentence of a row written before kinds were stored, or of no known kind

    def english(self) -> str:
        """Return the command line's (and the CSV export's) sentence."""
        return self.text if self.problem is None else english(self.problem, self.facts)

    def stored(self) -> str:
        """Return what the row's failure column holds."""
        if self.problem is None:
            return self.text
        facts = {k: v if isinstance(v, int | float | bool) else str(v) for k, v in self.facts.items()}
        return json.dumps({"kind": self.problem.value, "facts": facts}, ensure_ascii=False, sort_keys=True)


def _kind(value: object) -> Problem | None:
    for kinds in (SyncProblem, ServerProblem):
        try:
            return kinds(value)
        except ValueError:
            continue
    return None


def read_failure(stored: str) -> RowFailure:
    """Return the failure a row holds: its kind and facts, or its text if it names no known kind."""
    try:
        data = json.loads(stored)
    except ValueError:
        return RowFailure(None, text=stored)
    problem = _kind(data.get("kind")) if isinstance(data, dict) else None
    facts = data.get("facts") if isinstance(data, dict) else None
    if problem is None or not isinstance(facts, dict):
        return RowFailure(None, text=stored)
    return RowFailure(problem, facts)


def failure_english(stored: str) -> str:
    """Return a row's stored failure as the command line's English sentence ("" for none)."""
    return read_failure(stored).english() if stored else ""
