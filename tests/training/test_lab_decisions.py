"""Lab decisions against a real mlflow server: a fair gate, a gated export, a deliberate challenger."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from mlflow import MlflowClient

from tests.mlflow_test_server import MlflowServer, running_server
from training import train
from training.data import load_bundled
from training.schema import CANDIDATE, CHAMPION, MODEL_NAME

pytestmark = pytest.mark.server


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
    code, stdout = cli(train.main, ["--tracking-uri", lab.url, "--data", str(thrice)])
    assert code in (train.EXIT_OK, train.EXIT_REFUSED), stdout
    version = client.get_model_version_by_alias(MODEL_NAME, CANDIDATE).version
    client.set_registered_model_alias(MODEL_NAME, CHAMPION, version)
    return str(version)


def test_the_course_configuration_beats_a_champion_that_trained_on_its_test_rows(
    lab, client, iris_thrice_champion, cli
) -> None:
    code, stdout = cli(train.main, ["--tracking-uri", lab.url])
    assert code == train.EXIT_OK, stdout
    assert "PROMOTED to champion" in stdout
    assert f"are unseen by champion version {iris_thrice_champion} (fewer than 20)" in stdout
    assert "the champion's configuration (model random-forest, seed 42, n_estimators 100" in stdout
    assert "cross-validated on the candidate's folds: 1425/1500 against the candidate's 1425/1500" in stdout
    promoted = client.get_model_version_by_alias(MODEL_NAME, CHAMPION)
    assert promoted.version != iris_thrice_champion and promoted.tags["gate"] == "passed"
    run = client.get_run(promoted.run_id)
    assert run.data.tags["gate_comparison"] == "cross-validated-configuration"
