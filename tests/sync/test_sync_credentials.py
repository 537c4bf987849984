"""Specification of credentials: MLflow's environment variables, the keyring or this session, never a file."""

import pytest

from desktop.mlflow_http.auth import Auth
from desktop.sync.credentials import MissingSecret, SecretStore, auth_from_environment, auth_from_settings


def test_username_and_password_in_the_environment_mean_basic_authentication_as_in_mlflow() -> None:
    env = {"MLFLOW_TRACKING_USERNAME": "ada", "MLFLOW_TRACKING_PASSWORD": "pw", "MLFLOW_TRACKING_TOKEN": "t"}
    assert auth_from_environment(env) == Auth("basic", username="ada", password="pw")


def test_a_token_in_the_environment_means_a_bearer_token() -> None:
    assert auth_from_environment({"MLFLOW_TRACKING_TOKEN": "tok"}) == Auth("token", token="tok")
    assert auth_from_environment({"MLFLOW_TRACKING_USERNAME": "ada"}) is None
    assert auth_from_environment({}) is None


def test_headers_are_what_mlflow_servers_expect() -> None:
    assert Auth("basic", username="ada", password="pw").header() == {"Authorization": "Basic YWRhOnB3"}
    assert Auth("token", token="tok").header() == {"Authorization": "Bearer tok"}
    assert Auth().header() == {}


def test_secrets_are_never_shown_in_a_repr() -> None:
    text = repr(Auth("basic", username="ada", password="hunter2")) + repr(Auth("token", token="s3cr3t"))
    assert "hunter2" not in text and "s3cr3t" not in text


def test_without_a_keyring_secrets_live_for_this_session_only() -> None:
    store = SecretStore(use_keyring=False)
    assert not store.persistent
    assert store.set("http://lab:5000/", "basic", "ada", "pw") is False
    # Same server however the address is written.
    assert store.get("HTTP://LAB:5000", "basic", "ada") == "pw"
    assert store.get("http://lab:5000", "basic", "bob") is None
    store.delete("http://lab:5000", "basic", "ada")
    assert store.get("http://lab:5000", "basic", "ada") is None


def test_the_keyring_here_is_the_fail_backend_so_the_store_falls_back_to_the_session() -> None:
    store = SecretStore()
    store.set("http://lab:5001", "token", "", "tok")
    assert store.get("http://lab:5001", "token") == "tok"


def test_settings_with_a_sign_in_but_no_known_secret_say_so_in_words() -> None:
    assert auth_from_settings("http://lab:5002", "none", "") == Auth()
    with pytest.raises(MissingSecret, match="password of 'ada'"):
        auth_from_settings("http://lab:5002", "basic", "ada", SecretStore(use_keyring=False))
    store = SecretStore(use_keyring=False)
    store.set("http://lab:5002", "token", "", "tok")
    assert auth_from_settings("http://lab:5002", "token", "", store) == Auth("token", token="tok")
