"""The lab server's accounts over MLflow's auth REST API, as its admin: users, roles and their grants."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from contract.environment import EnvVar
from contract.mlflow_api import API_2, API_3
from training.accounts.roles import (
    ROLE_DESCRIPTION,
    SERVER_ROLE,
    WORKSPACE,
    Grant,
    Role,
    role_grants,
    role_of,
)

TIMEOUT_S = 30


class AccountsError(Exception):
    """Something the lab's admin must fix or know, in one sentence."""


@dataclass(frozen=True)
class Account:
    """One account on the server: its name, whether it is an admin, and which of our roles it holds."""

    username: str
    is_admin: bool
    role: Role | None


class AccountServer:
    """The MLflow server at ``tracking_uri``, spoken to with the credentials in MLFLOW_TRACKING_*."""

    def __init__(self, tracking_uri: str):
        """Take the admin's credentials (and any TLS settings) the way every MLflow client does."""
        from mlflow.utils.credentials import get_default_host_creds

        self.uri = tracking_uri.rstrip("/")
        self._creds = get_default_host_creds(self.uri)

    @property
    def acting_as(self) -> str:
        """Return the account these requests are made as ("" without credentials)."""
        return self._creds.username or ""

    def _call(self, method: str, path: str, *, what: str, **request: Any) -> dict[str, Any]:
        """Make one request; return its JSON answer or raise AccountsError saying what went wrong."""
        from mlflow.exceptions import MlflowException
        from mlflow.utils.rest_utils import http_request

        try:
            response = http_request(
                self._creds, path, method, max_retries=2, backoff_factor=1, timeout=TIMEOUT_S, **request
            )
        except MlflowException as exc:
            raise AccountsError(
                f"the MLflow server at {self.uri} cannot be reached ({exc.message})"
            ) from None
        if response.status_code == 401:
            raise AccountsError(
                f"the MLflow server at {self.uri} refused the admin's credentials "
                f"(set {EnvVar.USERNAME} and {EnvVar.PASSWORD} to an admin account)"
            )
        if response.status_code == 403:
            raise AccountsError(f"the account {self.acting_as!r} may not {what}: use an admin account")
        try:
            body = response.json() if response.content else {}
        except json.JSONDecodeError:
            body = {}
        if response.status_code != 200:
            message = body.get("message") if isinstance(body, dict) else None
            raise AccountsError(
                f"cannot {what}: {message or f'the server answered HTTP {response.status_code}'}"
            )
        return body if isinstance(body, dict) else {}

    # ------------------------------------------------------------------------------------ the server
    def workspaces_enabled(self) -> bool:
        """Tell whether the server runs with workspaces (only then can creating things be withheld)."""
        return bool(
            self._call("GET", f"{API_3}/server-info", what="read the server's settings").get(
                "workspaces_enabled"
            )
        )

    def ensure_experiment(self, name: str) -> str:
        """Return the id of experiment ``name``, creating it (owned by us, not by a laptop) if missing."""
        from mlflow.utils.rest_utils import http_request

        found = http_request(
            self._creds,
            f"{API_2}/experiments/get-by-name?experiment_name={quote(name)}",
            "GET",
            max_retries=2,
            timeout=TIMEOUT_S,
        )
        if found.status_code == 200:
            experiment = found.json()["experiment"]
            if experiment.get("lifecycle_stage") == "deleted":
                raise AccountsError(f"experiment {name!r} is deleted: restore it in the MLflow UI first")
            return str(experiment["experiment_id"])
        created = self._call(
            "POST", f"{API_2}/experiments/create", what=f"create experiment {name!r}", json={"name": name}
        )
        return str(created["experiment_id"])

    # ------------------------------------------------------------------------------------- roles
    def ensure_role(self, role: Role, field_experiment_id: str) -> int:
        """Return the id of ``role``'s server role, creating it and adding any grant it lacks."""
        name = SERVER_ROLE[role]
        roles = self._call("GET", f"{API_3}/roles/list", what="list roles", params={"workspace": WORKSPACE})
        found = next((r for r in roles.get("roles", []) if r.get("name") == name), None)
        if found is None:
            found = self._call(
                "POST",
                f"{API_3}/roles/create",
                what=f"create role {name!r}",
                json={"workspace": WORKSPACE, "name": name, "description": ROLE_DESCRIPTION[role]},
            )["role"]
        role_id = int(found["id"])
        held = {
            Grant(p["resource_type"], p["resource_pattern"], p["permission"])
            for p in self._call(
                "GET",
                f"{API_3}/roles/permissions/list",
                what="list a role's permissions",
                params={"role_id": str(role_id)},
            ).get("role_permissions", [])
        }
        for grant in role_grants(role, field_experiment_id):
            if grant not in held:
                self._call(
                    "POST",
                    f"{API_3}/roles/permissions/add",
                    what=f"add a permission to role {name!r}",
                    json={
                        "role_id": role_id,
                        "resource_type": grant.resource_type,
                        "resource_pattern": grant.pattern,
                        "permission": grant.permission,
                    },
                )
        return role_id

    # ------------------------------------------------------------------------------------ accounts
    def accounts(self) -> list[Account]:
        """Return every account on the server, sorted by name."""
        users = self._call("GET", f"{API_2}/users/list", what="list the accounts").get("users", [])
        return sorted(
            (
                Account(
                    username=u["username"],
                    is_admin=bool(u.get("is_admin")),
                    role=role_of({r.get("name", "") for r in u.get("roles", [])}),
                )
                for u in users
            ),
            key=lambda a: a.username,
        )

    def exists(self, username: str) -> bool:
        """Tell whether an account named ``username`` exists."""
        return any(a.username == username for a in self.accounts())

    def create(self, username: str, password: str, role_id: int) -> None:
        """Create the account and give it the role (an account without one can only read)."""
        self._call(
            "POST",
            f"{API_2}/users/create",
            what=f"create account {username!r}",
            json={"username": username, "password": password},
        )
        self._call(
            "POST",
            f"{API_3}/roles/assign",
            what=f"give {username!r} its role",
            json={"username": username, "role_id": role_id},
        )

    def remove(self, username: str) -> None:
        """Delete the account (its role assignment goes with it)."""
        self._call(
            "DELETE",
            f"{API_2}/users/delete",
            what=f"remove account {username!r}",
            json={"username": username},
        )

    def set_password(self, username: str, password: str) -> None:
        """Give the account a new password."""
        self._call(
            "PATCH",
            f"{API_2}/users/update-password",
            what=f"change the password of {username!r}",
            json={"username": username, "password": password},
        )
