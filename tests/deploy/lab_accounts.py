"""Lab accounts made the way docs/lab.md tells lab staff to: with iris-accounts, as the server's admin."""

from __future__ import annotations

import io
import os
import uuid
from unittest import mock

from desktop.mlflow_http.auth import Auth
from desktop.sync.credentials import ENV_PASSWORD, ENV_USERNAME
from tests.deploy.lab_server_locally import ComposedMlflowServer
from training.accounts import manage as accounts
from training.accounts.roles import Role


def iris_accounts(server: ComposedMlflowServer, *argv: str, password: str | None = None) -> tuple[int, str]:
    """Run ``iris-accounts`` as the server's admin (a new password from the env); return code, output."""
    env = {ENV_USERNAME: server.admin.username, ENV_PASSWORD: server.admin.password}
    if password is not None:
        env[accounts.PASSWORD_ENV] = password
    out = io.StringIO()
    with mock.patch.dict(os.environ, env):
        if password is None:
            os.environ.pop(accounts.PASSWORD_ENV, None)
        code = accounts.main(["--tracking-uri", server.url, *argv], out=out)
    return code, out.getvalue()


def add_account(server: ComposedMlflowServer, name: str, role: Role, experiment: str) -> Auth:
    """Create account ``name`` with ``role`` through iris-accounts; return its credentials."""
    user = Auth("basic", name, uuid.uuid4().hex)
    code, said = iris_accounts(
        server, "add", name, "--role", role.value, "--experiment", experiment, password=user.password
    )
    assert code == accounts.EXIT_OK, said
    return user
