"""Two field laptops synced to the session's real mlflow server, for the lab's field-data tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from desktop.history.observation import Observation
from tests.mlflow_test_server import MlflowServer
from tests.training.field.laptops import confirm, iris_observations, mispredicted, save, shadow, sync


@dataclass(frozen=True)
class FieldServer:
    """A server whose experiment holds two laptops' synced histories."""

    server: MlflowServer
    experiment: str
    laptops: dict[str, Path]  # device name -> history file
    observations: dict[str, Observation]  # id -> observation as saved
    corrections: dict[str, str]  # id -> the species a botanist confirmed where the model said otherwise

    @property
    def url(self) -> str:
        """Return the server's tracking URL."""
        return self.server.url

    @property
    def home(self) -> Path:
        """Return the laptops' data folder (their device key: later edits are signed by the same key)."""
        return self.laptops["laptop-ada"].parent / "home"


@pytest.fixture(scope="session")
def field_server(
    mlflow_server: MlflowServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FieldServer]:
    """Sync two laptops (Ada: 30 observations, 3 corrected, 4 shadowed by a challenger; Ben: 20).

    Shared by the session: tests may add observations and edits, never remove the ones synced here.
    """
    folder = tmp_path_factory.mktemp("laptops")
    experiment = f"field-{uuid.uuid4().hex[:8]}"
    ada = iris_observations(30, seed=1, observer="Ada")
    wrong = {ada[i].id: ada[i].predicted_species for i in (0, 1, 2)}
    ada[:3] = [
        mispredicted(o, "versicolor" if o.predicted_species != "versicolor" else "virginica") for o in ada[:3]
    ]
    # The challenger ran in shadow on four of them, and named each flower right.
    for i in (0, 1, 2, 5):
        ada[i] = replace(ada[i], challenger=shadow(wrong.get(ada[i].id, ada[i].predicted_species)))
    ben = iris_observations(20, seed=2, observer="Ben", start_day=3)
    laptops = {"laptop-ada": folder / "ada.sqlite3", "laptop-ben": folder / "ben.sqlite3"}
    with pytest.MonkeyPatch.context() as env:
        env.setenv("IRIS_FIELD_HOME", str(folder / "home"))
        env.delenv("MLFLOW_TRACKING_URI", raising=False)
        save(laptops["laptop-ada"], ada)
        confirm(laptops["laptop-ada"], wrong | {ada[5].id: ada[5].predicted_species})
        save(laptops["laptop-ben"], ben)
        for device, history in laptops.items():
            sync(history, mlflow_server.url, experiment, device)
        yield FieldServer(mlflow_server, experiment, laptops, {o.id: o for o in ada + ben}, wrong)


@pytest.fixture(scope="session")
def champion(mlflow_server: MlflowServer) -> str:
    """Make sure the session server's registry has an iris-classifier@champion; return its version."""
    import io
    from contextlib import redirect_stdout

    import mlflow

    from training import register, train

    argv = ["--tracking-uri", mlflow_server.url, "--n-estimators", "20", "--cv-repeats", "1"]
    with redirect_stdout(io.StringIO()):
        code = train.main(argv)
    assert code in (train.EXIT_OK, train.EXIT_REFUSED)
    mlflow.set_tracking_uri(mlflow_server.url)
    found = register.find_version(alias="champion")
    assert found is not None
    return found.version
