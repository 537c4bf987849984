"""Specification of the field table's merge and its Darwin Core Archive, without a server."""

from __future__ import annotations

import io
import math
import zipfile

import pandas as pd

from training.dataset import dwca
from training.field import schema as fs
from training.field import table as field_table
from training.field.runs import FieldFetch
from training.schema import CLASSES


def row(observation_id: str, run_id: str, synced_at: int, **values: object) -> dict:
    base = {
        fs.ID: observation_id,
        fs.RUN_ID: run_id,
        fs.SYNCED_AT: synced_at,
        fs.OBSERVED_AT: "2026-06-01T08:00:00+00:00",
        fs.PREDICTED: "setosa",
        fs.LATITUDE: math.nan,
        fs.LONGITUDE: math.nan,
        "sepal_length": 5.1,
        "sepal_width": 3.5,
        "petal_length": 1.4,
        "petal_width": 0.2,
    }
    return base | values


def test_a_fetched_run_replaces_its_older_copy_and_deleted_runs_drop_out() -> None:
    previous = field_table.from_rows([row("a", "run-a", 1), row("b", "run-b", 1), row("c", "run-c", 1)])
    fetched = FieldFetch((row("a", "run-a", 5, confirmed_species="versicolor"),), frozenset({"run-c"}))
    table = field_table.merge(previous, fetched).set_index(fs.ID)
    assert sorted(table.index) == ["a", "b"]
    assert table.loc["a", fs.CONFIRMED] == "versicolor"


def test_two_active_runs_of_one_observation_become_one_row() -> None:
    fetched = FieldFetch((row("a", "run-2", 3), row("a", "run-1", 3), row("a", "run-0", 1)), frozenset())
    table = field_table.merge(None, fetched)
    assert list(table[fs.RUN_ID]) == ["run-1"]  # sent last, then the smaller run id


def test_every_species_has_an_accepted_scientific_name() -> None:
    assert tuple(dwca.SCIENTIFIC_NAMES) == CLASSES


def test_a_prediction_is_published_as_unverified_and_a_confirmation_as_verified() -> None:
    table = field_table.from_rows(
        [row("a", "r1", 1), row("b", "r2", 1, confirmed_species="virginica", observer="Ada", latitude=47.1)]
    )
    archive = zipfile.ZipFile(io.BytesIO(dwca.archive_bytes(table)))
    occurrences = pd.read_csv(archive.open(dwca.OCCURRENCE_FILE), sep="\t", keep_default_na=False)
    by_id = occurrences.set_index("occurrenceID")
    assert by_id.loc["a", "scientificName"] == "Iris setosa"
    assert by_id.loc["a", "identificationVerificationStatus"] == dwca.UNVERIFIED
    assert by_id.loc["b", "scientificName"] == "Iris virginica"
    assert by_id.loc["b", "identifiedBy"] == "Ada"
    assert by_id.loc["b", "decimalLatitude"] == ""  # half a coordinate is no location
    facts = pd.read_csv(archive.open(dwca.MEASUREMENT_FILE), sep="\t")
    assert len(facts) == 8 and set(facts["measurementUnit"]) == {"cm"}
