"""``iris-accounts``: the lab server's accounts, each allowed only what its holder needs (docs/lab.md).

Runs as the server's admin (``MLFLOW_TRACKING_USERNAME`` / ``MLFLOW_TRACKING_PASSWORD``); a new password
comes from ``$IRIS_ACCOUNT_PASSWORD`` or is asked for twice at the terminal, and is never an argument
(``ps`` and the shell's history would show it).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from contract.environment import EnvVar
from contract.exit_codes import ExitCode
from contract.registry import Experiment
from training.accounts.roles import Role
from training.accounts.server import AccountsError, AccountServer

PASSWORD_ENV = "IRIS_ACCOUNT_PASSWORD"
MIN_PASSWORD_LENGTH = 12  # MLflow's basic-auth app refuses shorter passwords
EXIT_OK, EXIT_FAILURE = ExitCode.OK, ExitCode.FAILURE
FIELD_EXPERIMENT = Experiment.FIELD.value


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser of ``iris-accounts``."""
    parser = argparse.ArgumentParser(
        prog="iris-accounts",
        description=(
            "Add, list and remove the lab server's accounts. A laptop account may sync observations into "
            "the field experiment and read released models, nothing else; a staff account manages the "
            "registry and the lab's experiments. Runs as the admin in "
            f"{EnvVar.USERNAME}/{EnvVar.PASSWORD}; new passwords come from ${PASSWORD_ENV} or a prompt."
        ),
    )
    parser.add_argument(
        "--tracking-uri",
        default=os.environ.get(EnvVar.TRACKING_URI, ""),
        help="the lab's MLflow server (default: $MLFLOW_TRACKING_URI)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add = commands.add_parser("add", help="create an account for a laptop or a member of staff")
    add.add_argument("name", help="the account's user name, e.g. laptop-07")
    add.add_argument("--role", required=True, choices=[r.value for r in Role], help="what it may do")
    add.add_argument(
        "--experiment",
        default=FIELD_EXPERIMENT,
        help=f"the experiment laptops sync into (default {FIELD_EXPERIMENT}; created if missing)",
    )
    commands.add_parser("list", help="list every account and its role")
    remove = commands.add_parser("remove", help="delete an account")
    remove.add_argument("name")
    reset = commands.add_parser("reset-password", help="give an account a new password")
    reset.add_argument("name")
    return parser


def new_password(name: str) -> str:
    """Return the new password for ``name``: from $IRIS_ACCOUNT_PASSWORD, else asked twice."""
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        if not sys.stdin.isatty():
            raise AccountsError(f"no password for {name!r}: set {PASSWORD_ENV} or run this in a terminal")
        password = getpass.getpass(f"New password for {name}: ")
        if password != getpass.getpass("The same password again: "):
            raise AccountsError("the two passwords differ; nothing was changed")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountsError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return password


def add(server: AccountServer, name: str, role: Role, experiment: str, out: TextIO) -> None:
    """Create account ``name`` with ``role``; create the field experiment first if it is missing."""
    if not server.workspaces_enabled():
        raise AccountsError(
            f"the MLflow server at {server.uri} runs without workspaces, where every account may create "
            "experiments and registered models; start it with --enable-workspaces (see docs/lab.md)"
        )
    if server.exists(name):
        raise AccountsError(f"an account named {name!r} already exists (iris-accounts reset-password {name})")
    password = new_password(name)
    experiment_id = server.ensure_experiment(experiment)
    role_id = server.ensure_role(role, experiment_id)
    server.create(name, password, role_id)
    print(f"Added {name} as {role.value} on {server.uri}.", file=out)


def list_accounts(server: AccountServer, out: TextIO) -> None:
    """Print one line per account: its name and what it is."""
    for account in server.accounts():
        what = "admin" if account.is_admin else (account.role or "no role (reads only)")
        print(f"{account.username}\t{what}", file=out)


def remove(server: AccountServer, name: str, out: TextIO) -> None:
    """Delete account ``name`` (never the admin account this command runs as)."""
    if name == server.acting_as:
        raise AccountsError(f"{name!r} is the account iris-accounts runs as; it is not removed")
    if not server.exists(name):
        raise AccountsError(f"there is no account named {name!r}")
    server.remove(name)
    print(f"Removed {name}. Servers that cache passwords may accept it for up to a minute.", file=out)


def reset_password(server: AccountServer, name: str, out: TextIO) -> None:
    """Give account ``name`` a new password."""
    if not server.exists(name):
        raise AccountsError(f"there is no account named {name!r}")
    server.set_password(name, new_password(name))
    print(f"New password set for {name}.", file=out)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run ``iris-accounts``; an expected failure is one sentence on stderr and exit status 1."""
    args = build_parser().parse_args(argv)
    out = out or sys.stdout
    try:
        if not args.tracking_uri:
            raise AccountsError(f"no server given: pass --tracking-uri or set {EnvVar.TRACKING_URI}")
        server = AccountServer(args.tracking_uri)
        if args.command == "add":
            add(server, args.name, Role(args.role), args.experiment, out)
        elif args.command == "list":
            list_accounts(server, out)
        elif args.command == "remove":
            remove(server, args.name, out)
        else:
            reset_password(server, args.name, out)
    except AccountsError as exc:
        print(f"iris-accounts: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("iris-accounts: interrupted; nothing more was changed", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
