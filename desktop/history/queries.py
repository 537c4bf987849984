"""What part of the history the window shows, as SQL: filters, full-text search and pages by keyset.

Every page is one index range, however long the history: the first page and the next one cost the same
for 30 observations or a million. Pages follow the save order (newest saved first), a species or a sync
state; a search runs through the trigram full-text index kept in step by the store's triggers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Any

# The species a row shows: the one the botanist confirmed, else the model's (indexed by migration 4).
SPECIES_SQL = "IFNULL(o.confirmed_species, o.predicted_species)"
SEARCH_TABLE = "observations_search"
# The trigram index finds any part of a word of three letters or more. Shorter words are not searched
# for: matching them row by row would make a keystroke in a million observations take a second.
SHORTEST_SEARCHED_WORD = 3


class SortKey(enum.StrEnum):
    """What the history is ordered by; ties are broken by save order."""

    SAVED = "saved"  # the Time column: save order, which is the order the flowers were measured in
    TIME = "time"  # the time measured itself: how a period of time is listed (``since``)
    SPECIES = "species"
    SYNC = "sync"


_SORT_SQL = {
    SortKey.SAVED: None,
    SortKey.TIME: "o.created_at",
    SortKey.SPECIES: SPECIES_SQL,
    SortKey.SYNC: "o.sync_state",
}
_INDEX = {
    SortKey.TIME: "observations_by_created",
    SortKey.SPECIES: "observations_by_species",
    SortKey.SYNC: "observations_by_sync_state",
}


@dataclass(frozen=True)
class HistoryQuery:
    """Which observations the history pane lists, and in what order."""

    text: str = ""  # words (3 letters or more) that must all appear in species, note, place or observer
    species: str | None = None
    sync_state: str | None = None
    since: str | None = None  # ISO-8601 UTC: only observations measured at or after this moment
    sort: SortKey = SortKey.SAVED
    descending: bool = True

    def words(self) -> list[str]:
        """Return the search words the full-text index can find (three letters or more)."""
        return [w for w in self.text.split() if len(w) >= SHORTEST_SEARCHED_WORD]

    def lists_everything(self) -> bool:
        """Tell whether every saved (not deleted) observation is listed: no word searched, no filter."""
        return not self.words() and self.species is None and self.sync_state is None and self.since is None


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: the last row's sort value and save position."""

    key: Any
    rowid: int


def match_expression(words: list[str]) -> str:
    """Return an FTS5 query that needs every word, each taken literally."""
    return " AND ".join('"' + w.replace('"', '""') + '"' for w in words)


def _filters(query: HistoryQuery) -> tuple[list[str], list[Any]]:
    """Return the WHERE terms (and their parameters) every query for ``query`` shares."""
    where, params = ["o.deleted = 0"], []
    if query.species is not None:
        where.append(f"{SPECIES_SQL} = ?")
        params.append(query.species)
    if query.sync_state is not None:
        where.append("o.sync_state = ?")
        params.append(query.sync_state)
    if query.since is not None:
        where.append("o.created_at >= ?")
        params.append(query.since)
    return where, params


def _within_one_group(query: HistoryQuery) -> HistoryQuery:
    """Return the order ``query`` is read in: save order for a single group, time order for a period."""
    if (query.sort == SortKey.SPECIES and query.species is not None) or (
        query.sort == SortKey.SYNC and query.sync_state is not None
    ):
        query = replace(query, sort=SortKey.SAVED)
    if query.sort == SortKey.SAVED and query.since is not None:
        # A period is one range of the time index; within it, newest measured first.
        query = replace(query, sort=SortKey.TIME)
    return query


def _source(query: HistoryQuery) -> tuple[str, list[str], list[Any], str]:
    """Return (FROM clause, extra WHERE terms, their parameters, the save-order column) for ``query``."""
    words = query.words()
    if words and query.sort == SortKey.SAVED:
        # The full-text index hands its matches over in save order: a page stops after `size` of them.
        source = f"{SEARCH_TABLE} JOIN observations o ON o.rowid = {SEARCH_TABLE}.rowid"
        return source, [f"{SEARCH_TABLE} MATCH ?"], [match_expression(words)], f"{SEARCH_TABLE}.rowid"
    if query.sort != SortKey.SAVED:
        index = _INDEX[query.sort]
    elif query.sync_state is not None:
        index = _INDEX[SortKey.SYNC]
    elif query.species is not None:
        index = _INDEX[SortKey.SPECIES]
    else:
        index = None
    source = "observations o " + (f"INDEXED BY {index}" if index else "NOT INDEXED")
    if not words:
        return source, [], [], "o.rowid"
    match = f"o.rowid IN (SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH ?)"
    return source, [match], [match_expression(words)], "o.rowid"


def page_statements(
    query: HistoryQuery, columns: str, after: Cursor | None, size: int
) -> list[tuple[str, list[Any]]]:
    """Return the SELECTs whose rows, in order and concatenated, make the page after ``after``.

    ``columns`` is the store's column list (prefixed by ``o.``); the sort value and save position are
    appended as the last two columns. A page sorted by species or sync state after a cursor takes two
    index ranges: the rest of the cursor's group, then the groups after it.
    """
    query = _within_one_group(query)
    source, search, search_params, saved = _source(query)
    where, params = _filters(query)
    sort_sql = _SORT_SQL[query.sort]
    order = "DESC" if query.descending else "ASC"
    beyond = "<" if query.descending else ">"
    select = f"SELECT {columns}, {sort_sql or 'NULL'} AS sort_key, {saved} AS saved_position FROM {source}"
    base_where = [*search, *where]
    base_params = [*search_params, *params]
    by_saved = f" ORDER BY {saved} {order} LIMIT ?"
    by_key = f" ORDER BY {sort_sql} {order}, {saved} {order} LIMIT ?" if sort_sql else by_saved

    def statement(extra: list[str], extra_params: list[Any], ordering: str) -> tuple[str, list[Any]]:
        terms = base_where + extra
        return select + " WHERE " + " AND ".join(terms) + ordering, [*base_params, *extra_params, size]

    if after is None:
        return [statement([], [], by_key)]
    if sort_sql is None:
        return [statement([f"{saved} {beyond} ?"], [after.rowid], by_saved)]
    return [
        # Within one group the index is already in save order (SQLite cannot see that for an expression).
        statement([f"{sort_sql} = ?", f"{saved} {beyond} ?"], [after.key, after.rowid], by_saved),
        statement([f"{sort_sql} {beyond} ?"], [after.key], by_key),
    ]


def count_statement(query: HistoryQuery) -> tuple[str, list[Any]]:
    """Return the SELECT that counts the observations ``query`` lists."""
    query = _within_one_group(query)
    where, params = _filters(query)
    # An index narrow enough to count from without reading the rows themselves.
    if query.since is not None:
        index = _INDEX[SortKey.TIME]
    else:
        index = _INDEX[SortKey.SPECIES] if query.species is not None else _INDEX[SortKey.SYNC]
    words = query.words()
    if words:
        where.insert(0, f"o.rowid IN (SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH ?)")
        params.insert(0, match_expression(words))
    return f"SELECT COUNT(*) FROM observations o INDEXED BY {index} WHERE " + " AND ".join(where), params
