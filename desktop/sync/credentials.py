"""Passwords and tokens for the MLflow server: the OS keyring when there is one, else this session only."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Mapping

from contract.environment import EnvVar
from desktop.errors import SyncError
from desktop.mlflow_http.address import normalize_tracking_uri
from desktop.mlflow_http.auth import Auth
from desktop.sync.problems import SyncProblem, english

log = logging.getLogger(__name__)

SERVICE_PREFIX = "iris-field"
ENV_URI = EnvVar.TRACKING_URI.value
ENV_USERNAME = EnvVar.USERNAME.value
ENV_PASSWORD = EnvVar.PASSWORD.value
ENV_TOKEN = EnvVar.TOKEN.value

# Secrets kept only while the app runs, when no keyring can hold them; never written anywhere.
_session_secrets: dict[tuple[str, str], str] = {}
_session_lock = threading.Lock()


class MissingSecret(SyncError):
    """Authentication is configured but its password or token is not known on this machine."""


def _keyring_backend():
    """Return a usable keyring backend, or ``None`` (headless Linux has only the "fail" backend)."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - a missing or broken keyring package means "no keyring"
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
        return None
    return backend


class SecretStore:
    """Keep one secret per server and account: in the OS keyring, or in memory for this session only."""

    def __init__(self, use_keyring: bool = True):
        """Use the OS keyring if ``use_keyring`` and one exists; otherwise session memory."""
        self._backend = _keyring_backend() if use_keyring else None

    @property
    def persistent(self) -> bool:
        """Tell whether secrets survive a restart of the app (there is an OS keyring)."""
        return self._backend is not None

    @staticmethod
    def _key(tracking_uri: str, mode: str, username: str) -> tuple[str, str]:
        service = f"{SERVICE_PREFIX} {normalize_tracking_uri(tracking_uri)}"
        account = f"basic:{username}" if mode == "basic" else "token"
        return service, account

    def get(self, tracking_uri: str, mode: str, username: str = "") -> str | None:
        """Return the stored password (``mode="basic"``) or token (``mode="token"``), if any."""
        key = self._key(tracking_uri, mode, username)
        if self._backend is not None:
            try:
                value = self._backend.get_password(*key)
            except Exception as exc:  # noqa: BLE001 - a locked or broken keyring: fall back, say why
                log.warning("the keyring could not be read (%s); using this session's secrets", exc)
            else:
                if value is not None:
                    return value
        with _session_lock:
            return _session_secrets.get(key)

    def set(self, tracking_uri: str, mode: str, username: str, secret: str) -> bool:
        """Store a secret; return ``True`` if the keyring kept it, ``False`` if only this session has it."""
        key = self._key(tracking_uri, mode, username)
        if self._backend is not None:
            try:
                self._backend.set_password(*key, secret)
            except Exception as exc:  # noqa: BLE001
                log.warning("the keyring could not store the secret (%s); keeping it for this session", exc)
            else:
                with _session_lock:
                    _session_secrets.pop(key, None)
                return True
        with _session_lock:
            _session_secrets[key] = secret
        return False

    def delete(self, tracking_uri: str, mode: str, username: str = "") -> None:
        """Forget a secret wherever it is kept."""
        key = self._key(tracking_uri, mode, username)
        with _session_lock:
            _session_secrets.pop(key, None)
        if self._backend is not None:
            # Not there, or the keyring is locked: either way there is nothing more to forget.
            with contextlib.suppress(Exception):
                self._backend.delete_password(*key)


def auth_from_environment(env: Mapping[str, str] | None = None) -> Auth | None:
    """Return the authentication MLflow's own clients would take from the environment, if any.

    As in MLflow: a user name and password mean basic authentication; otherwise a token means a bearer
    token.
    """
    env = os.environ if env is None else env
    username, password = env.get(ENV_USERNAME, ""), env.get(ENV_PASSWORD, "")
    if username and password:
        return Auth("basic", username=username, password=password)
    token = env.get(ENV_TOKEN, "")
    if token:
        return Auth("token", token=token)
    return None


def auth_from_settings(
    tracking_uri: str, mode: str, username: str, secrets: SecretStore | None = None
) -> Auth:
    """Return the authentication the settings ask for, with its secret; ``MissingSecret`` if unknown."""
    if mode == "none":
        return Auth()
    secrets = secrets or SecretStore()
    secret = secrets.get(tracking_uri, mode, username)
    if not secret:
        server = normalize_tracking_uri(tracking_uri)
        problem = SyncProblem.PASSWORD_UNKNOWN if mode == "basic" else SyncProblem.TOKEN_UNKNOWN
        facts: dict[str, object] = {"user": username, "server": server}
        raise MissingSecret(english(problem, facts), problem, facts)
    if mode == "basic":
        return Auth("basic", username=username, password=secret)
    return Auth("token", token=secret)


def auth_for(uri: str, settings) -> Auth:
    """Return the authentication the environment or the sync settings give for ``uri`` (or none)."""
    try:
        return auth_from_environment() or auth_from_settings(uri, settings.auth, settings.username)
    except Exception:  # no credentials stored, or no keyring: try without, the server will say
        return Auth()
