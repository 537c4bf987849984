"""Specification of the sync's REST client: filter quoting, what a failure means for a sync, plain words."""

import socket

import pytest

from desktop.mlflow_http.problems import ServerProblem
from desktop.sync.rest_client import MlflowRestClient, MlflowRestError, filter_literal
from desktop.sync.retry import ErrorKind
from tests.mlflow_test_server import free_port


def test_filter_values_use_a_quote_they_do_not_contain() -> None:
    assert filter_literal("3f2a-11") == "'3f2a-11'"
    assert filter_literal("it's") == '"it\'s"'
    with pytest.raises(ValueError):
        filter_literal("""both ' and " """)


def test_an_experiment_whose_files_the_app_cannot_write_is_a_permanent_error_in_words() -> None:
    client = MlflowRestClient(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(MlflowRestError, match="--serve-artifacts") as raised:
        client.upload_artifact("s3://bucket/7/abc/artifacts", "observation.json", b"{}", "application/json")
    assert raised.value.kind is ErrorKind.PERMANENT
    assert raised.value.problem is ServerProblem.ARTIFACTS_OUT_OF_REACH


def test_a_closed_port_is_an_unreachable_transient_error_in_words() -> None:
    client = MlflowRestClient(f"http://127.0.0.1:{free_port()}", connect_timeout=2, read_timeout=2)
    with pytest.raises(MlflowRestError) as raised:
        client.get_experiment_by_name("x")
    assert raised.value.kind is ErrorKind.TRANSIENT and raised.value.unreachable
    assert "cannot be reached" in str(raised.value)


def test_a_server_that_never_answers_times_out_as_a_transient_error() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    try:
        client = MlflowRestClient(f"http://127.0.0.1:{listener.getsockname()[1]}", read_timeout=0.5)
        with pytest.raises(MlflowRestError, match="did not answer in time") as raised:
            client.get_experiment_by_name("x")
        assert raised.value.kind is ErrorKind.TRANSIENT and not raised.value.unreachable
    finally:
        listener.close()


def test_an_unknown_host_name_is_unreachable() -> None:
    client = MlflowRestClient("http://no-such-host.invalid:5000", connect_timeout=2)
    with pytest.raises(MlflowRestError) as raised:
        client.get_experiment_by_name("x")
    assert raised.value.unreachable
