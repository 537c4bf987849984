"""The history's columns are named by the contract, and no contract field is left without a place."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from pathlib import Path

from contract.observation import FIELDS
from desktop.history import codec
from desktop.history.observation import Observation
from desktop.history.store import ObservationStore
from tests.desktop.history.test_store import make_observation


def test_every_contract_field_is_stored_or_said_where_it_goes() -> None:
    in_json = [f for held in codec.IN_JSON.values() for f in held]
    placed = [*codec.STORED_FIELDS.values(), *in_json, *codec.NOT_STORED]
    assert sorted(f.name for f in placed) == sorted(f.name for f in FIELDS), (
        "a contract field the history neither stores nor lists in codec.NOT_STORED is dropped in silence"
    )


def test_a_column_holding_a_contract_field_is_named_by_the_contract() -> None:
    for column, field in codec.STORED_FIELDS.items():
        assert column in (field.name, field.csv_header)
        assert column in codec.STORE_COLUMNS
    assert set(codec.IN_JSON) <= set(codec.STORE_COLUMNS)
    assert ", ".join(codec.STORE_COLUMNS) == codec.COLUMNS


def test_the_columns_are_those_of_the_file_in_the_order_queries_select_them(tmp_path: Path) -> None:
    with ObservationStore.open(tmp_path / "h.sqlite3") as store:
        db = store.connect()
        in_file = [row[1] for row in db.execute("PRAGMA table_info(observations)")]
        db.close()
    assert [c for c in in_file if c != "deleted_at"] == list(codec.STORE_COLUMNS)


def test_every_column_is_an_attribute_of_the_saved_observation() -> None:
    assert set(codec.STORE_COLUMNS) == {f.name for f in dataclass_fields(Observation)}


def test_a_row_decodes_to_the_observation_it_was_made_from() -> None:
    obs = make_observation(note="round trip", latitude=50.9, longitude=11.6)
    row = codec.observation_params(obs)
    assert len(row) == len(codec.STORE_COLUMNS)
    assert codec.observation_of(row) == obs
