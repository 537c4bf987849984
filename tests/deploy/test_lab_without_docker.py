"""deploy/lab without Docker: the systemd unit runs compose's command line, migrating first, same settings."""

from __future__ import annotations

import configparser
import os
import shlex
import subprocess
import sys

from tests.deploy.compose_file import LAB, Compose
from tests.deploy.test_lab_compose import example_env

UNIT = LAB / "iris-mlflow.service"


def unit_lines(key: str) -> list[str]:
    """Return the values of ``key=`` in the unit file, continuation lines joined."""
    text = UNIT.read_text(encoding="utf-8").replace("\\\n", " ")
    return [line.split("=", 1)[1] for line in text.splitlines() if line.startswith(f"{key}=")]


def options(argv: list[str]) -> dict[str, str | None]:
    """Return each ``--option`` of a command line with the word after it (None for a flag)."""
    found: dict[str, str | None] = {}
    for i, word in enumerate(argv):
        if word.startswith("--"):
            following = argv[i + 1] if i + 1 < len(argv) else None
            found[word] = None if following is None or following.startswith("--") else following
    return found


def test_the_systemd_unit_runs_the_compose_command_line_after_the_migrate_step() -> None:
    compose = Compose.load(example_env())
    [start] = unit_lines("ExecStart")
    [before] = unit_lines("ExecStartPre")
    ours, theirs = (
        options(shlex.split(start)),
        options([str(w) for w in compose.service("mlflow")["command"]]),
    )

    assert set(ours) == set(theirs)
    for same in ("--app-name", "--enable-workspaces", "--serve-artifacts", "--uvicorn-opts"):
        assert ours[same] == theirs[same]
    assert ours["--host"] == "127.0.0.1"  # only the TLS proxy on the same machine reaches it
    assert before.endswith("migrate_databases.py") and (LAB / "migrate_databases.py").exists()


def test_the_basic_auth_example_has_the_settings_compose_writes() -> None:
    compose = configparser.ConfigParser()
    compose.read_string(Compose.load(example_env()).config("basic-auth"))
    example = configparser.ConfigParser()
    example.read(LAB / "basic_auth.ini.example")

    assert {k: v for k, v in example["mlflow"].items() if k != "database_uri"} == {
        k: v for k, v in compose["mlflow"].items() if k != "database_uri"
    }


def test_the_migrate_step_without_its_settings_says_so_in_one_sentence() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    result = subprocess.run(
        [sys.executable, str(LAB / "migrate_databases.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stderr == "migrate_databases: set MLFLOW_BACKEND_STORE_URI and MLFLOW_AUTH_CONFIG_PATH\n"
