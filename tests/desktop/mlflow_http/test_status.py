"""What an answer means: success, "no such thing", or one kind of server trouble with its facts."""

import pytest

from desktop.mlflow_http.problems import ServerProblem
from desktop.mlflow_http.status import Answer, trouble

URI, HOST = "https://lab.example:5000", "lab.example:5000"


def _said(status: int, body: bytes = b"{}", **headers: str):
    error = trouble(Answer.of(status, headers, body), uri=URI, host=HOST)
    return error.problem, error.facts


def test_a_json_object_in_a_2xx_is_success_and_a_missing_thing_is_named() -> None:
    assert Answer.of(200, {}, b'{"a": 1}').ok and Answer.of(200, {}, b"").ok
    assert not Answer.of(200, {}, b"<html>").ok and not Answer.of(200, {}, b"[1]").ok
    assert Answer.of(404, {}, b'{"error_code": "RESOURCE_DOES_NOT_EXIST"}').missing


@pytest.mark.parametrize(
    ("answer", "problem", "facts"),
    [
        ((401, b"{}", {}), ServerProblem.CREDENTIALS, {"status": 401, "host": HOST}),
        ((302, b"", {"Location": "https://login.example"}), ServerProblem.REDIRECTED,
         {"host": HOST, "target": "https://login.example"}),
        ((200, b"<html>", {"Content-Type": "text/html"}), ServerProblem.NOT_MLFLOW_DATA,
         {"host": HOST, "content": "text/html"}),
        ((503, b"<html>", {}), ServerProblem.SERVER_ERROR,
         {"host": HOST, "status": 503, "detail": "an error page"}),
        ((500, b'{"message": "db down\\nmore"}', {}), ServerProblem.SERVER_ERROR,
         {"host": HOST, "status": 500, "detail": "db down"}),
        ((404, b"<html>", {}), ServerProblem.NO_MLFLOW_SERVER, {"uri": URI, "status": 404}),
        ((400, b'{"error_code": "INVALID_PARAMETER_VALUE", "message": "bad"}', {}), ServerProblem.REFUSED,
         {"status": 400, "code": " INVALID_PARAMETER_VALUE", "detail": "bad"}),
    ],
)  # fmt: skip
def test_each_unsuccessful_answer_is_one_kind_of_trouble_with_its_facts(answer, problem, facts) -> None:
    status, body, headers = answer
    assert _said(status, body, **headers) == (problem, facts)


def test_the_answer_keeps_its_status_code_and_retry_after() -> None:
    error = trouble(Answer.of(429, {"Retry-After": "7"}, b'{"error_code": "X"}'), uri=URI, host=HOST)
    assert (error.status, error.error_code, error.retry_after) == (429, "X", "7")
