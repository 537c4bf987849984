"""iris-accounts on the lab server as compose runs it: a laptop's password syncs and updates, nothing else."""

from __future__ import annotations

import io
import json
import os
import tomllib
import urllib.error
import uuid
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from contract.registry import MODEL_NAME
from desktop.mlflow_http.auth import Auth
from desktop.sync.credentials import ENV_PASSWORD, ENV_USERNAME
from tests.deploy.compose_file import LAB, Compose
from tests.deploy.lab_accounts import add_account, iris_accounts
from tests.deploy.lab_server_locally import ComposedMlflowServer
from tests.deploy.test_lab_compose import example_env
from tests.desktop.cli.test_cli import SETOSA, iris
from tests.mlflow_test_server import experiment_id, rest
from training.accounts import manage as accounts
from training.accounts.roles import Role

pytestmark = pytest.mark.server
MODEL = MODEL_NAME
REGISTRY = "iris-lab"


@dataclass(frozen=True)
class Lab:
    """The lab server with a staff member's champion release, and a laptop account for the field."""

    server: ComposedMlflowServer
    staff: Auth
    laptop: Auth
    field_experiment: str
    lab_experiment_id: str
    lab_run_id: str
    public_key: Path

    def as_laptop(self, endpoint: str, body: dict[str, Any] | None = None) -> dict:
        return rest(self.server.url, endpoint, body, self.laptop.header()["Authorization"])


def as_account(user: Auth) -> Any:
    """Make MLflow's own client (iris-train, iris-export) act as ``user``."""
    return mock.patch.dict(os.environ, {ENV_USERNAME: user.username, ENV_PASSWORD: user.password})


@pytest.fixture(scope="module")
def lab(lab_server: ComposedMlflowServer, tmp_path_factory: pytest.TempPathFactory) -> Lab:
    """Staff register two versions and export v2 as the signed champion; a laptop account is added."""
    import mlflow
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    from tests.desktop.model_delivery.server.test_update_from_registry import register_version
    from training.release import export, keys
    from training.tracking import EXPERIMENT_NAME

    suffix = uuid.uuid4().hex[:6]
    field = f"field-observations-{suffix}"
    staff = add_account(lab_server, f"staff-{suffix}", Role.STAFF, field)
    laptop = add_account(lab_server, f"laptop-{suffix}", Role.LAPTOP, field)
    work = tmp_path_factory.mktemp("lab-accounts")
    keys.generate(work / "keys")
    with as_account(staff):
        register_version(lab_server.url, work, RandomForestClassifier(10, random_state=0), 0.95)
        version = register_version(lab_server.url, work, LogisticRegression(max_iter=500), 0.96)
        mlflow.MlflowClient(lab_server.url).set_registered_model_alias(MODEL, "champion", version)
        argv = ["--tracking-uri", lab_server.url, "--alias", "champion", "--out", str(work / "release")]
        argv += ["--sign-key", str(work / "keys" / keys.PRIVATE_KEY_FILENAME), "--registry", REGISTRY]
        with redirect_stdout(io.StringIO()):
            assert export.main(argv) == export.EXIT_OK
        lab_run_id = mlflow.MlflowClient(lab_server.url).get_model_version(MODEL, version).run_id
    mlflow.set_tracking_uri(None)
    lab_experiment = experiment_id(lab_server.url, EXPERIMENT_NAME, lab_server.admin_header)
    assert lab_experiment is not None
    return Lab(
        lab_server, staff, laptop, field, lab_experiment, lab_run_id, work / "keys" / "iris-signing.pub"
    )


# ---------------------------------------------------------------------------------- what a laptop may not
REFUSED = {
    "set the champion alias": lambda lab: (
        "registered-models/alias",
        {"name": MODEL, "alias": "champion", "version": "1"},
    ),
    "create a model version": lambda lab: (
        "model-versions/create",
        {"name": MODEL, "source": f"models:/{MODEL}/1"},
    ),
    "set a registered-model tag": lambda lab: (
        "registered-models/set-tag",
        {"name": MODEL, "key": "approved", "value": "yes"},
    ),
    "set a model-version tag": lambda lab: (
        "model-versions/set-tag",
        {"name": MODEL, "version": "1", "key": "release_sequence", "value": "999"},
    ),
    "create a registered model": lambda lab: ("registered-models/create", {"name": f"laptop-{uuid.uuid4()}"}),
    "create a run in a lab experiment": lambda lab: ("runs/create", {"experiment_id": lab.lab_experiment_id}),
    "tag a run of a lab experiment": lambda lab: (
        "runs/set-tag",
        {"run_id": lab.lab_run_id, "key": "confirmed_species", "value": "setosa"},
    ),
    "update a run of a lab experiment": lambda lab: (
        "runs/update",
        {"run_id": lab.lab_run_id, "status": "FAILED"},
    ),
    "update another experiment": lambda lab: (
        "experiments/set-experiment-tag",
        {"experiment_id": lab.lab_experiment_id, "key": "owner", "value": "laptop"},
    ),
    "rename another experiment": lambda lab: (
        "experiments/update",
        {"experiment_id": lab.lab_experiment_id, "new_name": f"taken-{uuid.uuid4().hex[:6]}"},
    ),
    "create an experiment": lambda lab: ("experiments/create", {"name": f"laptop-{uuid.uuid4()}"}),
    "delete the field experiment": lambda lab: (
        "experiments/delete",
        {"experiment_id": experiment_id(lab.server.url, lab.field_experiment, lab.server.admin_header)},
    ),
}


@pytest.mark.parametrize("attempt", list(REFUSED))
def test_a_laptop_account_is_refused(lab: Lab, attempt: str) -> None:
    endpoint, body = REFUSED[attempt](lab)

    with pytest.raises(urllib.error.HTTPError) as refused:
        lab.as_laptop(endpoint, body)

    assert refused.value.code == 403


def test_the_registry_is_unchanged_by_the_laptop(lab: Lab) -> None:
    version = lab.as_laptop(f"registered-models/alias?name={MODEL}&alias=champion")["model_version"]
    models = rest(lab.server.url, "registered-models/search?max_results=100", None, lab.server.admin_header)

    assert version["version"] == "2"  # where staff left it
    assert [m["name"] for m in models["registered_models"]] == [MODEL]


# ------------------------------------------------------------------------------------ what a laptop may
def test_a_laptop_account_updates_its_model_and_syncs(lab: Lab, tmp_path: Path) -> None:
    home = tmp_path / "home"
    laptop_env = {ENV_USERNAME: lab.laptop.username, ENV_PASSWORD: lab.laptop.password}
    assert iris(home, "model", "trust", str(lab.public_key)).returncode == 0

    update = iris(home, "model", "update", "--tracking-uri", lab.server.url, extra_env=laptop_env)
    assert update.returncode == 0, update.stderr
    assert "New model v2 from the lab" in update.stdout
    saved = json.loads(iris(home, "predict", "--json", "--save", *SETOSA).stdout)
    assert (saved["model"]["version"], saved["model"]["registry"]) == ("2", REGISTRY)

    sync = iris(
        home,
        "sync",
        "--tracking-uri",
        lab.server.url,
        "--experiment",
        lab.field_experiment,
        extra_env=laptop_env,
    )
    assert sync.returncode == 0, sync.stderr
    (run,) = lab.server.runs_by_tag(
        lab.field_experiment, "observation_id", saved["saved_id"], auth=lab.server.admin_header
    )
    assert run.status == "FINISHED" and run.tags["model_version"] == "2"


def test_staff_may_tag_a_field_run_and_a_laptop_may_edit_runs_of_the_field_experiment(lab: Lab) -> None:
    field = experiment_id(lab.server.url, lab.field_experiment, lab.server.admin_header)
    run = lab.as_laptop("runs/create", {"experiment_id": field})["run"]["info"]["run_id"]
    lab.as_laptop("runs/set-tag", {"run_id": run, "key": "note", "value": "from the laptop"})
    staff = lab.staff.header()["Authorization"]

    rest(lab.server.url, "runs/set-tag", {"run_id": run, "key": "reviewed", "value": "yes"}, staff)

    tags = {t["key"]: t["value"] for t in lab.as_laptop(f"runs/get?run_id={run}")["run"]["data"]["tags"]}
    assert (tags["note"], tags["reviewed"]) == ("from the laptop", "yes")


# ---------------------------------------------------------------------------------- the command itself
def test_iris_accounts_lists_resets_and_removes_accounts(lab: Lab) -> None:
    name = f"laptop-{uuid.uuid4().hex[:6]}"
    add_account(lab.server, name, Role.LAPTOP, lab.field_experiment)

    code, listed = iris_accounts(lab.server, "list")
    assert code == accounts.EXIT_OK
    lines = set(listed.splitlines())
    assert {f"{name}\tlaptop", f"{lab.staff.username}\tstaff", f"{lab.server.admin.username}\tadmin"} <= lines

    fresh = Auth("basic", name, uuid.uuid4().hex)
    assert iris_accounts(lab.server, "reset-password", name, password=fresh.password)[0] == accounts.EXIT_OK
    assert rest(lab.server.url, f"users/get?username={name}", None, fresh.header()["Authorization"])

    assert iris_accounts(lab.server, "remove", name)[0] == accounts.EXIT_OK
    assert name not in iris_accounts(lab.server, "list")[1]


@pytest.mark.parametrize(
    ("argv", "password", "said"),
    [
        (["add", "admin", "--role", "laptop"], "long-enough-password", "already exists"),
        (["add", "laptop-short", "--role", "laptop"], "short", "at least 12 characters"),
        (["add", "laptop-nopass", "--role", "laptop"], None, "set IRIS_ACCOUNT_PASSWORD"),
        (["remove", "nobody-here"], None, "there is no account named 'nobody-here'"),
        (["reset-password", "nobody-here"], "long-enough-password", "there is no account"),
    ],
)
def test_iris_accounts_says_what_is_wrong_in_one_sentence(
    lab: Lab, argv: list[str], password: str | None, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with mock.patch("sys.stdin.isatty", return_value=False):
        code, _ = iris_accounts(lab.server, *argv, password=password)

    err = capsys.readouterr().err
    assert code == accounts.EXIT_FAILURE
    assert err.startswith("iris-accounts: ") and said in err and err.count("\n") == 1


def test_iris_accounts_refuses_a_wrong_admin_password(lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    env = {ENV_USERNAME: lab.server.admin.username, ENV_PASSWORD: "not-the-password"}
    with mock.patch.dict(os.environ, env):
        code = accounts.main(["--tracking-uri", lab.server.url, "list"])

    assert code == accounts.EXIT_FAILURE
    assert "refused the admin's credentials" in capsys.readouterr().err


def test_iris_accounts_is_an_installed_command_and_compose_migrates_before_the_server() -> None:
    scripts = tomllib.loads((LAB.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    compose = Compose.load(example_env())
    assert scripts["scripts"]["iris-accounts"] == "training.accounts.manage:main"
    depends = compose.service("mlflow")["depends_on"]
    assert depends["migrate"] == {"condition": "service_completed_successfully"}
    assert compose.service("migrate")["environment"] == compose.service("mlflow")["environment"]
    config = compose.config("basic-auth")
    assert "default_permission = READ" in config and "grant_default_workspace_access = true" in config
    assert "--enable-workspaces" in compose.service("mlflow")["command"]
