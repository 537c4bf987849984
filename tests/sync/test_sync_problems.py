"""A row's failure is stored as the command line's English sentence; its kind and facts can be read back."""

import pytest

from desktop.sync.problems import ENGLISH, SyncProblem, english, read_failure

ROW_FAILURES = {
    SyncProblem.RUN_DELETED: {},
    SyncProblem.NOT_WRITABLE: {"detail": "the name 'x'… is longer than MLflow's 250 characters"},
    SyncProblem.OTHER_MEASUREMENTS: {"run": "4f1c0ffee"},
    SyncProblem.REFUSED: {"status": "400", "code": " INVALID_PARAMETER_VALUE", "detail": "bad (value): x"},
    SyncProblem.NO_MLFLOW_SERVER: {"uri": "https://lab.example/mlflow", "status": "404"},
    SyncProblem.ARTIFACTS_OUT_OF_REACH: {"location": "s3://bucket/1/abc/artifacts"},
}


@pytest.mark.parametrize("problem", ROW_FAILURES, ids=str)
def test_a_stored_failure_gives_back_its_kind_and_facts(problem: SyncProblem) -> None:
    facts = ROW_FAILURES[problem]
    assert read_failure(english(problem, facts)) == (problem, facts)


def test_a_refusal_without_an_error_code_is_read_back_too() -> None:
    text = english(SyncProblem.REFUSED, {"status": 413, "code": "", "detail": "too large"})
    assert text == "the server refused the request (413: too large)"
    assert read_failure(text) == (SyncProblem.REFUSED, {"status": "413", "code": "", "detail": "too large"})


def test_a_sentence_of_no_known_kind_is_none_of_ours() -> None:
    assert read_failure("the server refused the login") is None
    assert read_failure("") is None


def test_every_kind_but_the_history_has_its_english_sentence() -> None:
    assert set(ENGLISH) == set(SyncProblem) - {SyncProblem.HISTORY}
