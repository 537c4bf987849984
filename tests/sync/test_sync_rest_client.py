"""Specification of the REST client's own rules: addresses, filter quoting, artifact paths, plain words."""

import socket

import pytest

from desktop.sync.rest_client import (
    MlflowRestClient,
    MlflowRestError,
    artifact_path,
    filter_literal,
    normalize_tracking_uri,
)
from desktop.sync.retry import ErrorKind
from tests.mlflow_test_server import free_port


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("http://Lab.Example:5000/", "http://lab.example:5000"),
        ("https://lab.example:443/mlflow/", "https://lab.example/mlflow"),
        ("  http://127.0.0.1:80 ", "http://127.0.0.1"),
        ("http://[::1]:5000", "http://[::1]:5000"),
    ],
)
def test_tracking_urls_are_compared_in_one_canonical_form(given: str, canonical: str) -> None:
    assert normalize_tracking_uri(given) == canonical


@pytest.mark.parametrize(
    "bad", ["", "lab:5000", "file:///tmp/mlruns", "sqlite:///mlflow.db", "databricks", "http://u:p@lab:5000"]
)
def test_anything_but_an_http_address_is_refused_in_words(bad: str) -> None:
    with pytest.raises(ValueError, match="http|password"):
        normalize_tracking_uri(bad)


def test_filter_values_use_a_quote_they_do_not_contain() -> None:
    assert filter_literal("3f2a-11") == "'3f2a-11'"
    assert filter_literal("it's") == '"it\'s"'
    with pytest.raises(ValueError):
        filter_literal("""both ' and " """)


def test_artifact_paths_follow_the_runs_mlflow_artifacts_uri() -> None:
    assert (
        artifact_path("mlflow-artifacts:/7/abc/artifacts", "observation.json")
        == "7/abc/artifacts/observation.json"
    )
    assert artifact_path("mlflow-artifacts://host:5000/7/abc/artifacts", "x.json") == "7/abc/artifacts/x.json"


def test_an_experiment_whose_files_the_app_cannot_write_is_a_permanent_error_in_words() -> None:
    with pytest.raises(MlflowRestError, match="--serve-artifacts") as raised:
        artifact_path("s3://bucket/7/abc/artifacts", "observation.json")
    assert raised.value.kind is ErrorKind.PERMANENT


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
