"""The address check: one canonical form for a tracking URL, anything else refused in words."""

import pytest

from desktop.mlflow_http.address import AddressError, artifact_path, normalize_tracking_uri
from desktop.mlflow_http.problems import ServerError, ServerProblem


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


def test_a_refused_address_says_why_as_data() -> None:
    with pytest.raises(AddressError) as raised:
        normalize_tracking_uri("http://lab:5000/?x=1")
    assert raised.value.problem is ServerProblem.ADDRESS_WITH_QUERY
    assert raised.value.facts == {"address": "http://lab:5000/?x=1"}


def test_artifact_paths_follow_the_runs_mlflow_artifacts_uri() -> None:
    assert (
        artifact_path("mlflow-artifacts:/7/abc/artifacts", "observation.json")
        == "7/abc/artifacts/observation.json"
    )
    assert artifact_path("mlflow-artifacts://host:5000/7/abc/artifacts", "x.json") == "7/abc/artifacts/x.json"


def test_files_kept_out_of_the_servers_reach_are_refused_as_data() -> None:
    with pytest.raises(ServerError, match="--serve-artifacts") as raised:
        artifact_path("s3://bucket/7/abc/artifacts", "observation.json")
    assert raised.value.problem is ServerProblem.ARTIFACTS_OUT_OF_REACH
    assert raised.value.facts == {"location": "s3://bucket/7/abc/artifacts"}
