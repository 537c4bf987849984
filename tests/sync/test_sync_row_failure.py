"""A row's failure is stored as its kind and facts; the command line and the CSV export say it in English."""

import json

import pytest

from desktop.mlflow_http.problems import ENGLISH as SERVER_ENGLISH
from desktop.mlflow_http.problems import ServerProblem
from desktop.sync.problems import ENGLISH, SyncProblem, english
from desktop.sync.row_failure import RowFailure, failure_english, read_failure

ROW_FAILURES = {
    SyncProblem.RUN_DELETED: {},
    SyncProblem.NOT_WRITABLE: {"detail": "the name 'x'… is longer than MLflow's 250 characters"},
    SyncProblem.OTHER_MEASUREMENTS: {"run": "4f1c0ffee"},
    ServerProblem.REFUSED: {"status": 400, "code": " INVALID_PARAMETER_VALUE", "detail": "bad (value): x"},
    ServerProblem.NO_MLFLOW_SERVER: {"uri": "https://lab.example/mlflow", "status": 404},
    ServerProblem.ARTIFACTS_OUT_OF_REACH: {"location": "s3://bucket/1/abc/artifacts"},
}


@pytest.mark.parametrize("problem", ROW_FAILURES, ids=str)
def test_a_stored_failure_gives_back_its_kind_and_facts(problem) -> None:
    facts = ROW_FAILURES[problem]
    stored = RowFailure(problem, facts).stored()
    assert json.loads(stored) == {"kind": problem.value, "facts": facts}
    assert read_failure(stored) == RowFailure(problem, facts)
    assert failure_english(stored) == english(problem, facts)


def test_a_refusal_without_an_error_code_is_said_without_one() -> None:
    stored = RowFailure(ServerProblem.REFUSED, {"status": 413, "code": "", "detail": "too large"}).stored()
    assert failure_english(stored) == "the server refused the request (413: too large)"


def test_facts_that_are_not_numbers_are_stored_as_their_text() -> None:
    stored = RowFailure(SyncProblem.NOT_WRITABLE, {"detail": ValueError("too long")}).stored()
    assert read_failure(stored).facts == {"detail": "too long"}


def test_a_sentence_an_earlier_version_stored_is_read_and_said_as_written() -> None:
    old = "its run was deleted on the MLflow server; it is not sent again"
    assert read_failure(old) == RowFailure(None, text=old)
    assert failure_english(old) == old
    for odd in ("42", '{"kind": "no-such-kind", "facts": {}}', '{"kind": "run-deleted"}', "[1]"):
        assert read_failure(odd) == RowFailure(None, text=odd)
    assert failure_english("") == ""


def test_sync_and_server_kinds_never_share_a_name() -> None:
    assert not {str(p) for p in SyncProblem} & {str(p) for p in ServerProblem}


def test_every_kind_but_the_history_has_its_english_sentence() -> None:
    assert set(ENGLISH) == set(SyncProblem) - {SyncProblem.HISTORY}
    assert set(SERVER_ENGLISH) == set(ServerProblem)


def test_the_command_line_lists_a_failed_row_in_english_whatever_was_stored() -> None:
    import io

    from desktop.cli.commands.sync import _print_summary
    from desktop.sync.report import SyncReport

    old = "its run was deleted on the MLflow server; it is not sent again"
    stored = RowFailure(SyncProblem.OTHER_MEASUREMENTS, {"run": "4f1c0ffee"}).stored()
    report = SyncReport(unsynced=2, failed=(("obs-1", stored), ("obs-2", old)))
    out = io.StringIO()
    _print_summary(report, "https://lab.example", "meadow", out)
    lines = out.getvalue().splitlines()
    assert (
        "  failed  obs-1  the run 4f1c0ffee on the server holds other measurements than this observation"
        in lines
    )
    assert f"  failed  obs-2  {old}" in lines


# The sentences versions before kinds were stored wrote for ROW_FAILURES' facts, word for word.
EARLIER_SENTENCES = {
    SyncProblem.RUN_DELETED: "its run was deleted on the MLflow server; it is not sent again",
    SyncProblem.NOT_WRITABLE: "it cannot be written to MLflow: the name 'x'… is longer than MLflow's 250"
    " characters",
    SyncProblem.OTHER_MEASUREMENTS: "the run 4f1c0ffee on the server holds other measurements than this"
    " observation",
    ServerProblem.REFUSED: "the server refused the request (400 INVALID_PARAMETER_VALUE: bad (value): x)",
    ServerProblem.NO_MLFLOW_SERVER: "no MLflow server answers at https://lab.example/mlflow (404); check the"
    " tracking URL",
    ServerProblem.ARTIFACTS_OUT_OF_REACH: "the experiment keeps its files at s3://bucket/1/abc/artifacts,"
    " which this app cannot write to; ask the lab to run the MLflow server with artifact proxying"
    " (--serve-artifacts)",
}


def test_sentences_an_earlier_version_stored_become_kinds_and_facts_when_the_history_opens(tmp_path) -> None:
    import sqlite3

    from desktop.history.store import ObservationStore
    from tests.desktop.history.test_store import make_observation
    from tests.sync_rows import show_sync_state

    path = tmp_path / "history.sqlite3"
    stored = {**EARLIER_SENTENCES, None: "a sentence of no kind this version knows"}
    with ObservationStore.open(path) as store:
        observations = [make_observation(i) for i in range(len(stored))]
        store.add_many(observations)
    ids = [o.id for o in observations]
    for id, sentence in zip(ids, stored.values(), strict=True):
        show_sync_state(path, id, "failed", sentence)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 9")  # as an earlier version left the file
    db.close()

    with ObservationStore.open(path) as store:
        shown = {o.id: o.sync_error for o in store.list()}
    for id, problem in zip(ids, stored, strict=True):
        if problem is None:
            assert shown[id] == stored[None]  # left as written, said as written
        else:
            assert read_failure(shown[id]) == RowFailure(problem, ROW_FAILURES[problem])
            assert (
                failure_english(shown[id]) == RowFailure(problem, ROW_FAILURES[problem]).english()
            )  # today's
