"""Specification of ``iris-dataset``: all laptops' observations in one table, a DwC-A, a logged snapshot."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from dwca.read import DwCAReader
from mlflow import MlflowClient

from tests.training.field.conftest import FieldServer
from tests.training.field.laptops import confirm, iris_observations, save, sync
from training.dataset import collect as field_dataset
from training.field import runs as field_runs
from training.field import schema as fs
from training.field import table as field_table
from training.schema import FEATURE_NAMES

pytestmark = pytest.mark.server
DWC = "http://rs.tdwg.org/dwc/terms/"


def run_dataset(field: FieldServer, out: Path, *extra: str) -> tuple[int, str]:
    captured = io.StringIO()
    argv = ["--tracking-uri", field.url, "--experiment", field.experiment, "--out", str(out), *extra]
    return field_dataset.main(argv, out=captured), captured.getvalue()


@pytest.fixture(scope="module")
def snapshot(field_server: FieldServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("snapshot")
    code, stdout = run_dataset(field_server, out)
    assert code == 0, stdout
    return out


def test_one_table_holds_both_laptops_observations_each_once(
    field_server: FieldServer, snapshot: Path
) -> None:
    table = pd.read_parquet(snapshot / "observations.parquet")
    assert sorted(table[fs.ID]) == sorted(field_server.observations)
    assert set(table[fs.DEVICE]) == {"laptop-ada", "laptop-ben"}
    assert table[fs.ID].is_unique
    for row in table.itertuples():
        obs = field_server.observations[row.observation_id]
        assert [getattr(row, n) for n in FEATURE_NAMES] == [obs.measurements[n] for n in FEATURE_NAMES]
        assert (row.latitude, row.longitude) == (obs.latitude, obs.longitude)
        assert row.predicted_species == obs.predicted_species and row.observer == obs.observer
        assert row.model_release == "iris-classifier v3"
    csv = pd.read_csv(snapshot / "observations.csv", keep_default_na=False)
    assert list(csv.columns) == list(fs.COLUMNS) and sorted(csv[fs.ID]) == sorted(table[fs.ID])


def test_confirmed_species_are_in_the_table(field_server: FieldServer, snapshot: Path) -> None:
    table = field_table.read(snapshot).set_index(fs.ID)
    for observation_id, species in field_server.corrections.items():
        assert table.loc[observation_id, fs.CONFIRMED] == species
        assert table.loc[observation_id, fs.PREDICTED] != species
    assert (table[fs.CONFIRMED] != "").sum() == len(field_server.corrections) + 1
    shadowed = table[table[fs.CHALLENGER] != ""]
    assert len(shadowed) == 4 and set(shadowed[fs.CHALLENGER_RELEASE]) == {
        "iris-classifier v4 (release 2 of http://lab.example)"
    }
    for observation_id, species in field_server.corrections.items():
        assert table.loc[observation_id, fs.CHALLENGER] == species


def test_the_darwin_core_archive_reads_back_with_names_coordinates_and_measurements(
    field_server: FieldServer, snapshot: Path
) -> None:
    table = field_table.read(snapshot).set_index(fs.ID)
    with DwCAReader(str(snapshot / "observations-dwca.zip")) as archive:
        assert archive.metadata is not None
        rows = [(row.data, [fact.data for fact in row.extensions]) for row in archive]
    assert len(rows) == len(field_server.observations)
    for data, facts in rows:
        source = table.loc[data[DWC + "occurrenceID"]]
        species = source[fs.CONFIRMED] or source[fs.PREDICTED]
        assert data[DWC + "scientificName"] == f"Iris {species}"
        assert data[DWC + "basisOfRecord"] == "HumanObservation"
        assert float(data[DWC + "decimalLatitude"]) == pytest.approx(source[fs.LATITUDE])
        assert float(data[DWC + "decimalLongitude"]) == pytest.approx(source[fs.LONGITUDE])
        verified = data[DWC + "identificationVerificationStatus"]
        assert verified.startswith("verified" if source[fs.CONFIRMED] else "unverified")
        measured = {f[DWC + "measurementType"]: float(f[DWC + "measurementValue"]) for f in facts}
        assert measured == {n.replace("_", " "): source[n] for n in FEATURE_NAMES}


def test_the_snapshot_is_a_dataset_input_of_a_run_in_field_data(
    field_server: FieldServer, snapshot: Path
) -> None:
    state = field_dataset.SnapshotState.read(snapshot)
    run = MlflowClient(field_server.url).get_run(state.snapshot_run_id)
    [dataset_input] = run.inputs.dataset_inputs
    assert dataset_input.dataset.digest == state.digest
    assert run.data.metrics["observations"] == len(field_server.observations)
    experiment = MlflowClient(field_server.url).get_experiment(run.info.experiment_id)
    assert experiment.name == fs.SNAPSHOT_EXPERIMENT


def test_a_later_run_fetches_only_what_changed_and_leaves_out_deleted_runs(
    field_server: FieldServer, snapshot: Path
) -> None:
    ada, ben = field_server.laptops["laptop-ada"], field_server.laptops["laptop-ben"]
    [edited] = [oid for oid in field_server.observations if field_server.observations[oid].observer == "Ben"][
        :1
    ]
    newcomers = iris_observations(4, seed=9, observer="Ada", start_day=9)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("IRIS_FIELD_HOME", str(field_server.home))
        save(ada, newcomers)
        confirm(ben, {edited: "virginica"})
        sync(ada, field_server.url, field_server.experiment, "laptop-ada")
        sync(ben, field_server.url, field_server.experiment, "laptop-ben")
    client = MlflowClient(field_server.url)
    table = pd.read_parquet(snapshot / "observations.parquet").set_index(fs.ID)
    gone = table.index[-1]
    client.delete_run(table.loc[gone, fs.RUN_ID])

    # No clock margin: these laptops' clocks are the test's own, and everything happens within a second.
    outcome = field_dataset.collect(
        tracking_uri=field_server.url, experiment=field_server.experiment, out=snapshot, clock_margin_ms=0
    )

    assert outcome.incremental and outcome.fetched == 5 and outcome.deleted == 1
    updated = pd.read_parquet(snapshot / "observations.parquet").set_index(fs.ID)
    expected = (set(field_server.observations) | {o.id for o in newcomers}) - {gone}
    assert set(updated.index) == expected
    assert updated.loc[edited, fs.CONFIRMED] == "virginica"
    assert client.get_run(updated.loc[edited, fs.RUN_ID]).info.run_name.startswith("virginica (confirmed")


def test_small_pages_read_the_same_runs_as_one_big_page(field_server: FieldServer) -> None:
    client = MlflowClient(field_server.url)
    experiment = client.get_experiment_by_name(field_server.experiment).experiment_id
    paged = field_runs.fetch(client, experiment, page_size=7)
    whole = field_runs.fetch(client, experiment)
    assert len(paged.rows) >= 50 and sorted(r[fs.RUN_ID] for r in paged.rows) == sorted(
        r[fs.RUN_ID] for r in whole.rows
    )


def test_a_missing_experiment_is_one_sentence_and_exit_1(
    field_server: FieldServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--tracking-uri", field_server.url, "--experiment", "nobody-synced-here", "--out", str(tmp_path)]
    assert field_dataset.main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no experiment 'nobody-synced-here'" in err


def test_the_parquet_file_has_timestamps_booleans_numbers_and_nulls_and_the_csv_keeps_text(
    snapshot: Path,
) -> None:
    import pyarrow.parquet as pq

    schema = pq.read_schema(snapshot / "observations.parquet")
    assert str(schema.field(fs.OBSERVED_AT).type) == "timestamp[us, tz=UTC]"
    assert str(schema.field(fs.OUTLIER).type) == "bool"
    assert {str(schema.field(n).type) for n in (*FEATURE_NAMES, fs.LATITUDE, fs.CONFIDENCE)} == {"double"}
    assert str(schema.field(fs.SYNCED_AT).type) == "int64"
    columns = pq.read_table(snapshot / "observations.parquet")
    csv = pd.read_csv(snapshot / "observations.csv", dtype=str, keep_default_na=False)
    assert len(csv) == len(columns)  # written together: one snapshot, two forms
    for name in (fs.CONFIRMED, fs.challenger_probability_column("setosa"), fs.NOTE):
        assert columns.column(name).null_count == (csv[name] == "").sum(), name
    assert 0 < columns.column(fs.CONFIRMED).null_count < len(columns)
    assert "" not in columns.column(fs.CONFIRMED).to_pylist()
    assert csv[fs.OBSERVED_AT].str.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$").all()
    assert set(csv[fs.OUTLIER]) <= {"true", "false", ""}


def test_the_archive_carries_licence_creator_contact_and_coverage_gbif_asks_for(
    field_server: FieldServer, snapshot: Path, tmp_path: Path
) -> None:
    with DwCAReader(str(snapshot / "observations-dwca.zip")) as archive:
        rights = archive.metadata.find(".//intellectualRights")
        assert "creativecommons.org/licenses/by/4.0/legalcode" in rights.find(".//ulink").get("url")
        assert "(CC-BY) 4.0" in "".join(rights.itertext())
    code, stdout = run_dataset(
        field_server, tmp_path, "--license", "CC0-1.0", "--contact", "Ada Lovelace <ada@lab.example>"
    )
    assert code == 0, stdout
    table = field_table.read(tmp_path)
    with DwCAReader(str(tmp_path / "observations-dwca.zip")) as archive:
        eml = archive.metadata
        assert "publicdomain/zero/1.0" in eml.find(".//intellectualRights//ulink").get("url")
        for party in ("creator", "contact"):
            assert eml.find(f".//dataset/{party}/individualName/surName").text == "Lovelace"
            assert eml.find(f".//dataset/{party}/electronicMailAddress").text == "ada@lab.example"
        box = eml.find(".//geographicCoverage/boundingCoordinates")
        assert float(box.find("westBoundingCoordinate").text) == pytest.approx(table[fs.LONGITUDE].min())
        assert float(box.find("northBoundingCoordinate").text) == pytest.approx(table[fs.LATITUDE].max())
        assert eml.find(".//temporalCoverage//beginDate/calendarDate").text == min(table[fs.OBSERVED_AT])[:10]
        assert eml.find(".//temporalCoverage//endDate/calendarDate").text == max(table[fs.OBSERVED_AT])[:10]
        taxa = {t.text for t in eml.findall(".//taxonomicClassification/taxonRankValue")}
        assert taxa == {"Iris setosa", "Iris versicolor", "Iris virginica"}


def test_a_contact_without_an_email_address_is_refused_before_anything_is_fetched(
    field_server: FieldServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        run_dataset(field_server, tmp_path, "--contact", "Ada Lovelace")
    assert stopped.value.code == 2 and 'expected "NAME <EMAIL>"' in capsys.readouterr().err
    assert not (tmp_path / "observations.parquet").exists()
