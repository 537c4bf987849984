"""Lab decisions against a real mlflow server: a fair gate, a gated export, a deliberate challenger."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from mlflow import MlflowClient

from tests.mlflow_test_server import MlflowServer, running_server
from training import train
from training.data import load_bundled
from training.schema import CANDIDATE, CHALLENGER, CHAMPION, MODEL_NAME

# The course configuration's full cross-validation (50 fits; the champion's same settings are not fitted
# again) on a machine shared by many jobs.
pytestmark = [pytest.mark.server, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """Run a server of this module's own, so its registry holds only the versions these tests make."""
    with running_server(tmp_path_factory.mktemp("lab-decisions")) as server:
        yield server
    import mlflow

    mlflow.set_tracking_uri(None)


@pytest.fixture(scope="module")
def client(lab: MlflowServer) -> MlflowClient:
    return MlflowClient(tracking_uri=lab.url)


@pytest.fixture(scope="module")
def iris_thrice_champion(lab, client, tmp_path_factory, cli) -> str:
    """Train on a file holding Iris three times and make it the champion; return its version."""
    thrice = tmp_path_factory.mktemp("data") / "iris-thrice.csv"
    iris = load_bundled().to_csv_frame()
    pd.concat([iris, iris, iris]).to_csv(thrice, index=False)
    # Only its model and settings matter (the gate cross-validates them), not its own cross-validation.
    argv = ["--tracking-uri", lab.url, "--data", str(thrice), "--cv-repeats", "1", "--cv-folds", "2"]
    code, stdout = cli(train.main, argv)
    assert code in (train.EXIT_OK, train.EXIT_REFUSED), stdout
    version = client.get_model_version_by_alias(MODEL_NAME, CANDIDATE).version
    client.set_registered_model_alias(MODEL_NAME, CHAMPION, version)
    return str(version)


@pytest.fixture(scope="module")
def course_training(lab, iris_thrice_champion, cli) -> tuple[int, str]:
    """Train the course configuration on the bundled set, once, against the iris-thrice champion."""
    return cli(train.main, ["--tracking-uri", lab.url])


def test_the_course_configuration_beats_a_champion_that_trained_on_its_test_rows(
    client, iris_thrice_champion, course_training
) -> None:
    code, stdout = course_training
    assert code == train.EXIT_OK, stdout
    assert "PROMOTED to champion" in stdout
    assert f"are unseen by champion version {iris_thrice_champion} (fewer than 20)" in stdout
    assert "the champion's configuration (model random-forest, seed 42, n_estimators 100" in stdout
    assert "cross-validated on the candidate's folds: 1425/1500 against the candidate's 1425/1500" in stdout
    promoted = client.get_model_version_by_alias(MODEL_NAME, CHAMPION)
    assert promoted.version != iris_thrice_champion and promoted.tags["gate"] == "passed"
    run = client.get_run(promoted.run_id)
    assert run.data.tags["gate_comparison"] == "cross-validated-configuration"


@pytest.fixture(scope="module")
def signing_key(tmp_path_factory) -> Path:
    from training.release import keys

    folder = tmp_path_factory.mktemp("keys")
    keys.generate(folder)
    return folder / keys.PRIVATE_KEY_FILENAME


def _export(cli, lab, out: Path, key: Path, *extra: str) -> tuple[int, str]:
    from training.release import export

    argv = ["--tracking-uri", lab.url, "--out", str(out), "--sign-key", str(key), "--registry", "test-lab"]
    return cli(export.main, [*argv, *extra])


def _laptop(folder: Path, key: Path, monkeypatch) -> None:
    from desktop.model_delivery.trusted_keys import trust_key_file

    monkeypatch.setenv("IRIS_FIELD_HOME", str(folder))
    trust_key_file(key.with_name("iris-signing.pub"))


def _field(argv: list[str], capsys) -> tuple[int, str]:
    from desktop.cli import main as field_cli

    code = field_cli.run(argv)
    return code, capsys.readouterr().out


@pytest.fixture(scope="module")
def field_releases(lab, client, iris_thrice_champion, course_training, cli, signing_key, tmp_path_factory):
    """Sign the course champion for the field and the iris-thrice model as its challenger in shadow.

    Return (the champion's export, the challenger's export), each (exit status, stdout).
    """
    folder = tmp_path_factory.mktemp("exports")
    champion = _export(cli, lab, folder / "champion", signing_key)
    gate = client.get_model_version(MODEL_NAME, iris_thrice_champion).tags["gate"]
    vetting = [] if gate == "passed" else ["--allow-unvetted", "shadow test of the iris-thrice model"]
    move = ["--alias", CHALLENGER, "--version", iris_thrice_champion, *vetting]
    return champion, _export(cli, lab, folder / "challenger", signing_key, *move)


@pytest.fixture(scope="module")
def refused_training(lab, field_releases, cli) -> tuple[int, str]:
    """Train a one-tree, depth-one model the gate refuses, once the field runs a challenger."""
    crippled = ["--tracking-uri", lab.url, "--n-estimators", "1", "--max-depth", "1", "--cv-repeats", "1"]
    return cli(train.main, crippled)


def test_the_export_writes_the_release_label_where_the_lab_groups_by_release(
    client, field_releases, iris_thrice_champion
) -> None:
    from contract.registry import ReleaseTag

    (code, stdout), _ = field_releases
    assert code == 0, stdout
    champion = client.get_model_version_by_alias(MODEL_NAME, CHAMPION)
    sequence = champion.tags[ReleaseTag.SEQUENCE]
    label = f"{MODEL_NAME} v{champion.version} (release {sequence} of test-lab)"
    assert champion.tags[ReleaseTag.LABEL] == label
    assert client.get_run(champion.run_id).data.tags[ReleaseTag.LABEL] == label
    shadow = client.get_model_version(MODEL_NAME, iris_thrice_champion)
    assert shadow.tags[ReleaseTag.LABEL] == (
        f"{MODEL_NAME} v{iris_thrice_champion} (release {int(sequence) + 1} of test-lab)"
    )


def test_a_refused_iris_train_leaves_the_challenger_and_a_laptop_says_when_the_lab_ends_it(
    lab,
    client,
    iris_thrice_champion,
    field_releases,
    refused_training,
    signing_key,
    tmp_path,
    monkeypatch,
    capsys,
) -> None:
    from training.release import export

    (champion_code, _), (code, stdout) = field_releases
    assert champion_code == export.EXIT_OK  # the field's champion
    assert code == export.EXIT_OK, stdout
    assert f"{MODEL_NAME}@{CHALLENGER} is now version {iris_thrice_champion}." in stdout

    code, stdout = refused_training
    assert code == train.EXIT_REFUSED, stdout
    refused = client.get_model_version_by_alias(MODEL_NAME, CANDIDATE)
    assert refused.tags["gate"] == "refused"
    assert client.get_model_version_by_alias(MODEL_NAME, CHALLENGER).version == iris_thrice_champion
    _laptop(tmp_path / "laptop", signing_key, monkeypatch)
    assert _field(["model", "update", "--tracking-uri", lab.url], capsys)[0] == 0
    assert (
        f"Challenger (in shadow): {MODEL_NAME} v{iris_thrice_champion}"
        in _field(["model", "status"], capsys)[1]
    )

    client.delete_registered_model_alias(MODEL_NAME, CHALLENGER)
    code, said = _field(["model", "update", "--tracking-uri", lab.url], capsys)
    assert f"The lab ended the challenger v{iris_thrice_champion}; it no longer runs in shadow." in said
    status = _field(["model", "status"], capsys)[1]
    assert f"Challenger: the lab ended the challenger v{iris_thrice_champion}" in status


def test_the_export_refuses_a_refused_champion_unless_a_reason_is_given_which_the_laptop_shows(
    lab, client, cli, signing_key, refused_training, tmp_path, monkeypatch, capsys
) -> None:
    from training.release import export

    passed = client.get_model_version_by_alias(MODEL_NAME, CHAMPION).version
    refused = client.get_model_version_by_alias(MODEL_NAME, CANDIDATE)
    assert refused.tags["gate"] == "refused"
    client.set_registered_model_alias(MODEL_NAME, CHAMPION, refused.version)  # one click in the MLflow UI
    try:
        code, stdout = _export(cli, lab, tmp_path / "refused", signing_key)
        said = capsys.readouterr().err
        assert code == export.EXIT_FAILURE, stdout
        assert said.startswith(
            f"iris-export: nothing was written: version {refused.version} of {MODEL_NAME} did not pass the "
            "quality gate: the gate refused it (cross-validated accuracy"
        )
        assert said.rstrip().endswith("ship it only with --allow-unvetted REASON") and said.count("\n") == 1
        assert not (tmp_path / "refused" / "iris.onnx").exists()

        reason = "field trial of a one-tree model, agreed by the lab on 2026-12-06"
        code, stdout = _export(cli, lab, tmp_path / "forced", signing_key, "--allow-unvetted", reason)
        assert code == export.EXIT_OK, stdout
        card = (tmp_path / "forced" / "model_card.json").read_text()
        assert f'"unvetted_reason": "{reason}"' in card and '"gate": "refused"' in card
        assert client.get_model_version(MODEL_NAME, refused.version).tags["unvetted_reason"] == reason
        _laptop(tmp_path / "laptop", signing_key, monkeypatch)
        assert _field(["model", "update", "--tracking-uri", lab.url], capsys)[0] == 0
        status = _field(["model", "status"], capsys)[1]
        assert f"Active model: {MODEL_NAME} v{refused.version}" in status
        assert f"Not passed by the lab's quality gate; the lab shipped it because: {reason}" in status
    finally:
        client.set_registered_model_alias(MODEL_NAME, CHAMPION, passed)
