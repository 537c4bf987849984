"""What each kind of lab account may do on the MLflow server: the roles ``iris-accounts`` hands out.

MLflow's basic-auth app (3.17.2) keeps permissions in roles: a role holds grants (a resource type, a
resource id or ``*``, a level) and accounts are assigned roles. The lab's server runs with workspaces
and ``default_permission = READ`` inherited in the default workspace (``deploy/lab/compose.yaml``), so an
account without a role reads everything and creates nothing; the roles below add exactly what each
kind of account needs on top of that.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

WORKSPACE = "default"  # the server's one workspace; its roles and grants live there
EVERY = "*"


class Role(StrEnum):
    """The kinds of account a lab hands out."""

    LAPTOP = "laptop"  # a field laptop: syncs observations, fetches released models
    STAFF = "staff"  # lab staff: train, register, release, run the lab's reports


# The role's name on the server (one shared role per kind, so `list` tells who is what).
SERVER_ROLE = {Role.LAPTOP: "iris-laptop", Role.STAFF: "iris-staff"}
ROLE_DESCRIPTION = {
    Role.LAPTOP: "Iris Field laptop: edit runs in the field experiment; read the rest (iris-accounts)",
    Role.STAFF: "Iris Field lab staff: create and manage experiments and the model registry (iris-accounts)",
}


@dataclass(frozen=True)
class Grant:
    """One permission a role holds: ``permission`` on ``resource_type`` resources matching ``pattern``."""

    resource_type: str
    pattern: str
    permission: str


def role_grants(role: Role, field_experiment_id: str) -> tuple[Grant, ...]:
    """Return the grants ``role`` needs on a server whose field experiment has ``field_experiment_id``.

    A laptop may write runs in the field experiment (EDIT: create runs, log, tag, end them) and nothing
    more; reading the registry, the models' runs and their artifacts comes from the server's default
    READ. Staff may create experiments and registered models (the workspace's USE) and manage all of
    them, the field experiment included (tags the lab adds, deleting a wrong run).
    """
    if role is Role.LAPTOP:
        return (Grant("experiment", field_experiment_id, "EDIT"),)
    return (
        Grant("workspace", EVERY, "USE"),
        Grant("experiment", EVERY, "MANAGE"),
        Grant("registered_model", EVERY, "MANAGE"),
    )


def role_of(server_role_names: set[str]) -> Role | None:
    """Return which of our roles an account holds, judged by its roles' names on the server."""
    for role, name in SERVER_ROLE.items():
        if name in server_role_names:
            return role
    return None
