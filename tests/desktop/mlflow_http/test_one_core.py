"""The sync and the model updates meet the lab's server through one core: same certificates, same words.

Against a real HTTPS server on loopback with a lab's own certificate authority: both clients refuse it
until MLFLOW_TRACKING_SERVER_CERT_PATH names that authority, and both then reach it; the window's sync
target takes the variable as the command line does. A refused sign-in is the same kind of trouble for both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from contract.environment import EnvVar
from contract.mlflow_api import API_2
from desktop.mlflow_http.auth import Auth
from desktop.mlflow_http.problems import ServerError, ServerProblem
from desktop.mlflow_http.tls import TlsSettings, TlsSettingsError, tls_from_environment
from desktop.model_delivery.errors import RegistryUnreachable
from desktop.model_delivery.registry_client import RegistryClient
from desktop.sync.rest_client import MlflowRestError
from desktop.sync.retry import ErrorKind
from desktop.sync.target import SyncOptions, SyncTarget
from desktop.sync.worker import _rest_client
from tests.desktop.mlflow_http.lab_double import LabDouble, serve

EXPERIMENT = {"experiment": {"experiment_id": "7", "name": "field", "lifecycle_stage": "active"}}
VERSION = {"model_version": {"name": "m", "version": "3", "run_id": "r1", "tags": []}}


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[LabDouble, Path]]:
    for variable in (EnvVar.SERVER_CERT_PATH, EnvVar.CLIENT_CERT_PATH, EnvVar.INSECURE_TLS):
        monkeypatch.delenv(variable, raising=False)
    double, server = serve(tmp_path)
    double.answers = {f"{API_2}/experiments/get-by-name": EXPERIMENT, f"{API_2}/registered-models": VERSION}
    yield double, tmp_path / "lab-ca.pem"
    server.shutdown()
    server.server_close()


def _ask_both(url: str) -> tuple[object, object]:
    """Ask the lab as the window's sync does (its target, its client) and as a model update does."""
    sync = _rest_client(SyncTarget(url), SyncOptions(connect_timeout=5, read_timeout=5))
    registry = RegistryClient(url, read_timeout=5)
    try:
        return sync.get_experiment_by_name("field"), registry.released_version("m", "champion")
    finally:
        sync.close()
        registry.close()


def test_a_lab_with_its_own_authority_is_refused_by_both_until_the_variable_names_it(
    lab, monkeypatch
) -> None:
    double, authority = lab
    with pytest.raises(MlflowRestError) as sync_refused:
        _rest_client(SyncTarget(double.url), SyncOptions()).get_experiment_by_name("field")
    assert sync_refused.value.problem is ServerProblem.CERTIFICATE
    assert sync_refused.value.kind is ErrorKind.SETUP  # the settings are wrong: stop, do not retry
    with pytest.raises(RegistryUnreachable) as update_refused:
        RegistryClient(double.url).released_version("m", "champion")
    assert update_refused.value.problem is ServerProblem.CERTIFICATE
    assert double.requests == []  # nothing was sent to a server the laptop could not verify

    monkeypatch.setenv(EnvVar.SERVER_CERT_PATH, str(authority))
    experiment, version = _ask_both(double.url)
    assert experiment is not None and experiment.experiment_id == "7"
    assert version is not None and version.version == "3"
    assert SyncTarget(double.url).tls == TlsSettings(ca_bundle=str(authority))


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_do_not_verify_reaches_the_lab_and_contradicting_variables_are_refused(lab, monkeypatch) -> None:
    double, authority = lab
    monkeypatch.setenv(EnvVar.INSECURE_TLS, "true")
    experiment, version = _ask_both(double.url)
    assert experiment is not None and version is not None
    monkeypatch.setenv(EnvVar.SERVER_CERT_PATH, str(authority))
    with pytest.raises(TlsSettingsError, match=str(EnvVar.INSECURE_TLS)) as refused:
        tls_from_environment()
    assert refused.value.problem is ServerProblem.TLS_SETTINGS
    with pytest.raises(ValueError):  # what the window and the command line catch for wrong settings
        SyncTarget(double.url)


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_sign_in_is_the_same_trouble_for_the_sync_and_the_model_update(status: int) -> None:
    double, server = serve(None)
    double.status = status
    try:
        auth = Auth("basic", username="anna", password="wrong-password-123")
        sync = _rest_client(SyncTarget(double.url, auth=auth), SyncOptions())
        with pytest.raises(MlflowRestError) as sync_refused:
            sync.get_experiment_by_name("field")
        with pytest.raises(RegistryUnreachable) as update_refused:
            RegistryClient(double.url, auth).released_version("m", "champion")
    finally:
        server.shutdown()
        server.server_close()
    for refused in (sync_refused.value, update_refused.value):
        assert refused.problem is ServerProblem.CREDENTIALS
        assert refused.facts == {"status": status, "host": double.url.removeprefix("http://")}
    assert sync_refused.value.kind is ErrorKind.CREDENTIALS
    host = double.url.removeprefix("http://")
    assert (
        str(sync_refused.value) == str(update_refused.value) == f"{status}: check your credentials for {host}"
    )
    assert [header for _, header in double.requests] == [auth.header()["Authorization"]] * 2


def test_a_wrong_address_is_the_same_trouble_for_both() -> None:
    with pytest.raises(ServerError) as sync_refused:
        SyncTarget("ftp://lab.example")
    with pytest.raises(RegistryUnreachable) as update_refused:
        RegistryClient("ftp://lab.example")
    assert sync_refused.value.problem is update_refused.value.problem is ServerProblem.NOT_AN_ADDRESS
