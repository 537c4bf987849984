"""`history --csv` made column by column writes, byte for byte, what one observation at a time writes."""

import csv
import io
import sqlite3
from pathlib import Path

import pytest

from desktop.history_query import HistoryQuery
from desktop.model_delivery.release import ModelStamp, ShadowPrediction
from desktop.store import ObservationStore
from desktop.tables.export_cells import column_wise, select_list
from desktop.tables.observation_csv import columns_for, write_history, write_history_pages
from tests.desktop.test_store import make_observation

SHADOW = ShadowPrediction(
    ModelStamp("https://lab.example/mlflow", "iris-classifier", "4", "cd" * 32, 7),
    "virginica",
    {"setosa": 0.1, "versicolor": 0.2, "virginica": 0.7000000000000001},
)
OTHER_MODEL = {"stem_length": 12.25, "sepal_length": 5.0}  # another card's features


def awkward_history(path: Path) -> ObservationStore:
    store = ObservationStore.open(path)
    store.add_many(
        [
            make_observation(0, note='a "quoted", note\nover two lines', location="Rhön", observer="Ada"),
            make_observation(1, confirmed_species="versicolor", latitude=50.25, longitude=-0.0),
            make_observation(2, unusual=("sepal_length", "petal_width"), outlier=True, outlier_score=7.5e-05),
            make_observation(3, challenger=SHADOW, model_registry="https://lab", model_sequence=12),
            make_observation(
                4,
                measurements=OTHER_MODEL,
                probabilities={"setosa": 1.0, "germanica": 1e-17},
                model_sha256="cd" * 32,
            ),
            make_observation(5, measurements={"sepal_length": 1e16, "sepal_width": 0.1 + 0.2}, note="Hain"),
            *(make_observation(10 + i, note=f"plot {i}", confidence=1 / (i + 3)) for i in range(7)),
        ]
    )
    deleted = make_observation(30, note="gone")
    store.add(deleted)
    store.delete(deleted.id)
    db = sqlite3.connect(path)  # a challenger answer the app cannot read: written as none either way
    db.execute("UPDATE observations SET challenger = '{broken' WHERE note = 'plot 6'")
    db.commit()
    db.close()
    return store


@pytest.mark.parametrize("search", ["", "plot", "Hain", "nothing"])
@pytest.mark.parametrize("page_size", [3, 5000])
def test_pages_write_what_observations_write(tmp_path: Path, search: str, page_size: int) -> None:
    with awkward_history(tmp_path / "history.sqlite3") as store:
        columns = columns_for(*store.measured_names())
        assert column_wise(columns)
        query = HistoryQuery(text=search)
        by_rows, by_columns = io.StringIO(), io.StringIO()
        counted = write_history(store.iterate(query, page_size=page_size), by_rows, columns)
        pages = store.iterate_pages(query, select_list(columns), page_size=page_size)
        assert write_history_pages(pages, by_columns, columns) == counted
    assert by_columns.getvalue() == by_rows.getvalue()
    if not search:
        assert counted == 13 and "stem_length" in columns and "p_germanica" in columns


def test_names_the_json_path_cannot_quote_take_the_row_by_row_way() -> None:
    assert not column_wise(columns_for(['petal "length"'], ["setosa"]))
    assert not column_wise(columns_for(["petal length"], ["Iris 'setosa'"]))
    assert column_wise(columns_for(["petal length (cm)", "sepal.width"], ["Iris-setosa"]))


def test_a_failed_rows_kind_and_facts_are_exported_as_the_command_lines_sentence(tmp_path: Path) -> None:
    from desktop.mlflow_http.problems import ServerProblem
    from desktop.sync.row_failure import RowFailure
    from tests.sync_rows import show_sync_state

    path = tmp_path / "history.sqlite3"
    with awkward_history(path) as store:
        first, second = (o.id for o in store.list()[:2])
        refused = RowFailure(ServerProblem.REFUSED, {"status": 400, "code": "", "detail": "too long"})
        show_sync_state(path, first, "failed", refused.stored())
        show_sync_state(
            path, second, "failed", "its run was deleted on the MLflow server; it is not sent again"
        )
        columns = columns_for(*store.measured_names())
        by_rows, by_columns = io.StringIO(), io.StringIO()
        write_history(store.iterate(HistoryQuery()), by_rows, columns, store.synced_run_cell)
        write_history_pages(store.iterate_pages(HistoryQuery(), select_list(columns)), by_columns, columns)
    assert by_columns.getvalue() == by_rows.getvalue()
    rows = csv.DictReader(io.StringIO(by_rows.getvalue()))
    errors = [row["sync_error"] for row in rows if row["sync_error"]]
    assert "the server refused the request (400: too long)" in errors
    assert "its run was deleted on the MLflow server; it is not sent again" in errors  # an earlier version's
    assert not any('"kind"' in error for error in errors)  # the sentence, not the stored kind and facts
