"""The history's own tables: the observations, their indexes and their search, as numbered schema steps."""

from __future__ import annotations

# The history's schema steps by number (desktop/history/migrations.py runs them with those of the other
# owners, in order). Never edit or renumber a step that has shipped: add one with the next free number.
HISTORY_STEPS: dict[int, str] = {
    # 1: the observations themselves. Measurements and probabilities are JSON objects keyed by the
    # model card's feature and class names, so a model with other features needs no schema change.
    1: """
    CREATE TABLE observations (
        id                TEXT PRIMARY KEY,
        created_at        TEXT NOT NULL,
        updated_at        TEXT NOT NULL,
        measurements      TEXT NOT NULL,
        probabilities     TEXT NOT NULL,
        predicted_species TEXT NOT NULL,
        confidence        REAL NOT NULL,
        unusual           TEXT NOT NULL DEFAULT '[]',
        model_name        TEXT NOT NULL,
        model_version     TEXT NOT NULL,
        model_sha256      TEXT NOT NULL,
        observer          TEXT NOT NULL DEFAULT '',
        note              TEXT NOT NULL DEFAULT '',
        location          TEXT NOT NULL DEFAULT '',
        latitude          REAL,
        longitude         REAL,
        confirmed_species TEXT,
        sync_state        TEXT NOT NULL DEFAULT 'pending',
        sync_error        TEXT NOT NULL DEFAULT '',
        deleted           INTEGER NOT NULL DEFAULT 0
    );
    """,
    # 2: the history pane lists newest first and the status bar counts by sync state.
    2: """
    CREATE INDEX observations_by_created ON observations (deleted, created_at);
    CREATE INDEX observations_by_sync_state ON observations (deleted, sync_state);
    """,
    # 4: the joint unusual-flower check (desktop/prediction/unusual.py): its distance, and whether it
    # flagged the flower.
    4: """
    ALTER TABLE observations ADD COLUMN outlier INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE observations ADD COLUMN outlier_score REAL;
    """,
    # 5: a million observations. A trigram full-text index finds any part of a word (as LIKE did) without
    # reading every row; it holds no copy of the text (content='') and triggers keep it in step. The species
    # a row shows is indexed so the history pane filters and sorts by it in one index range. The words and
    # the species expression must stay as desktop/history/queries.py writes them.
    5: """
    CREATE VIRTUAL TABLE observations_search USING fts5(words, content='', tokenize='trigram');
    INSERT INTO observations_search (rowid, words) SELECT rowid,
            o.predicted_species || ' ' || IFNULL(o.confirmed_species, '') || ' ' || o.note
            || ' ' || o.location || ' ' || o.observer
        FROM observations o;
    CREATE TRIGGER observations_search_insert AFTER INSERT ON observations BEGIN
        INSERT INTO observations_search (rowid, words) VALUES (new.rowid,
            new.predicted_species || ' ' || IFNULL(new.confirmed_species, '') || ' ' || new.note
            || ' ' || new.location || ' ' || new.observer);
    END;
    CREATE TRIGGER observations_search_update
    AFTER UPDATE OF predicted_species, confirmed_species, note, location, observer ON observations BEGIN
        INSERT INTO observations_search (observations_search, rowid, words) VALUES ('delete', old.rowid,
            old.predicted_species || ' ' || IFNULL(old.confirmed_species, '') || ' ' || old.note
            || ' ' || old.location || ' ' || old.observer);
        INSERT INTO observations_search (rowid, words) VALUES (new.rowid,
            new.predicted_species || ' ' || IFNULL(new.confirmed_species, '') || ' ' || new.note
            || ' ' || new.location || ' ' || new.observer);
    END;
    CREATE TRIGGER observations_search_delete AFTER DELETE ON observations BEGIN
        INSERT INTO observations_search (observations_search, rowid, words) VALUES ('delete', old.rowid,
            old.predicted_species || ' ' || IFNULL(old.confirmed_species, '') || ' ' || old.note
            || ' ' || old.location || ' ' || old.observer);
    END;
    CREATE INDEX observations_by_species
        ON observations (deleted, IFNULL(confirmed_species, predicted_species));
    """,
    # 6 (model delivery): the release that predicted (registry and sequence beside name, version and
    # sha256), and the challenger's shadow prediction as JSON (NULL when no challenger ran).
    6: """
    ALTER TABLE observations ADD COLUMN model_registry TEXT NOT NULL DEFAULT '';
    ALTER TABLE observations ADD COLUMN model_sequence INTEGER;
    ALTER TABLE observations ADD COLUMN challenger TEXT;
    """,
    # 8: when an observation was deleted, so the window can list the recently deleted and undo a delete.
    8: """
    ALTER TABLE observations ADD COLUMN deleted_at TEXT;
    """,
    # 9: the contract's fields without a column of their own (desktop/observation_extras.py), as one JSON
    # object by field name: a field added to contract/observation.py needs no migration.
    9: """
    ALTER TABLE observations ADD COLUMN extras TEXT NOT NULL DEFAULT '{}';
    """,
}

# Steps of the file that other packages own and register (for the words of a wiring mistake).
OTHER_OWNERS: dict[int, str] = {
    3: "the sync (desktop/sync/schema.py: its outbox and lease)",
    7: "the sync (desktop/sync/schema.py: each row's sync state, derived from its outbox row)",
    10: "the sync (desktop/sync/failure_sentences.py: stored failure sentences as kind and facts)",
}

# The full-text index of step 5 and the trigger that fills it row by row (a large save does it at once).
SEARCH_INSERT_TRIGGER = "observations_search_insert"
# The words step 5 indexes of row ``{row}`` (its trigger says the same of ``new``; a test compares).
SEARCH_WORDS = (
    "{row}.predicted_species || ' ' || IFNULL({row}.confirmed_species, '') || ' ' || {row}.note\n"
    "            || ' ' || {row}.location || ' ' || {row}.observer"
)
