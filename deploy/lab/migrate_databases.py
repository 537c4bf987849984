"""Bring the lab server's two databases to this MLflow's schema, once, before any worker starts.

The tracking store (runs, registry) is named by ``MLFLOW_BACKEND_STORE_URI``; the accounts database by
``database_uri`` in the basic-auth file that ``MLFLOW_AUTH_CONFIG_PATH`` names: the same two settings
``mlflow server`` reads, so this step and the server cannot disagree. It runs MLflow's own migration
commands (``mlflow db upgrade`` and ``python -m mlflow.server.auth db upgrade``) in this process, so the
URIs and their passwords never appear on a command line. An empty database gets every table; an
up-to-date one is left as it is. Exit status 1 with one sentence when a setting is missing.

    MLFLOW_BACKEND_STORE_URI=postgresql+psycopg2://… MLFLOW_AUTH_CONFIG_PATH=/etc/iris-mlflow/basic_auth.ini \
        python migrate_databases.py
"""

from __future__ import annotations

import configparser
import os
import sys

BACKEND_ENV = "MLFLOW_BACKEND_STORE_URI"
AUTH_CONFIG_ENV = "MLFLOW_AUTH_CONFIG_PATH"


def auth_database_uri(config_path: str) -> str:
    """Return ``database_uri`` from the ``[mlflow]`` section of the basic-auth file."""
    config = configparser.ConfigParser()
    if not config.read(config_path):
        raise SystemExit(f"migrate_databases: cannot read the basic-auth file {config_path}")
    uri = config.get("mlflow", "database_uri", fallback="")
    if not uri:
        raise SystemExit(f"migrate_databases: {config_path} names no database_uri under [mlflow]")
    return uri


def main() -> int:
    """Upgrade the tracking database, then the accounts database; say so in one line each."""
    backend = os.environ.get(BACKEND_ENV, "")
    config_path = os.environ.get(AUTH_CONFIG_ENV, "")
    if not backend or not config_path:
        raise SystemExit(f"migrate_databases: set {BACKEND_ENV} and {AUTH_CONFIG_ENV}")
    auth = auth_database_uri(config_path)

    from mlflow.db import commands as tracking_db
    from mlflow.server.auth.db.cli import commands as auth_db

    tracking_db.main(["upgrade", backend], standalone_mode=False)
    print("migrate_databases: the tracking database is up to date", flush=True)
    auth_db.main(["upgrade", "--url", auth], standalone_mode=False)
    print("migrate_databases: the accounts database is up to date", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
