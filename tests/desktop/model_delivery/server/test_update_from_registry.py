"""A champion signed in the lab reaches the laptop through the real mlflow server; tampered ones never do."""

from __future__ import annotations

import os

# Before anything imports Qt (the window test below): no window on a developer's screen, none in CI.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import io
import json
import shutil
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from desktop.cli.commands.model import print_status, status_document
from desktop.model_delivery.errors import Refusal, ReleaseRefused
from desktop.model_delivery.model_store import ModelOrigin, ModelStore
from desktop.model_delivery.registry_client import RegistryClient
from desktop.model_delivery.release import Release
from desktop.model_delivery.trusted_keys import trust_key_file
from desktop.model_delivery.updater import UpdateStatus, check_for_update, take_timestamp
from tests.desktop.cli.test_cli import SETOSA, assert_one_line_error, iris
from tests.desktop.model_delivery.server.artifact_faults import Fault, faulty_proxy
from tests.mlflow_test_server import MlflowServer
from tests.waiting import UNTIL_IT_HAPPENS_MS

pytestmark = pytest.mark.server
REGISTRY = "iris-lab"


@dataclass
class LabRegistry:
    """The lab's side: a key pair and the iris-classifier versions 1 and 2 on the real server."""

    server: MlflowServer
    keys: Path
    work: Path
    latest: dict[str, tuple[Release, Path]] = field(default_factory=dict)  # alias -> last release

    def publish(
        self, version: str, alias: str = "champion", bundle: Path | None = None
    ) -> tuple[Release, Path]:
        """Point ``alias`` at ``version`` and export it as a signed release; return it and its folder."""
        from mlflow import MlflowClient

        from training.release import export, keys

        MlflowClient(self.server.url).set_registered_model_alias("iris-classifier", alias, version)
        out = self.work / f"{alias}-{version}-{len(list(self.work.iterdir()))}"
        argv = ["--tracking-uri", self.server.url, "--alias", alias, "--out", str(out)]
        argv += ["--sign-key", str(self.keys / keys.PRIVATE_KEY_FILENAME), "--registry", REGISTRY]
        argv += ["--bundle", str(bundle)] if bundle is not None else []
        with redirect_stdout(io.StringIO()):
            assert export.main(argv) == export.EXIT_OK
        self.latest[alias] = (Release.from_card(json.loads((out / "model_card.json").read_text())), out)
        return self.latest[alias]

    def refresh(self) -> dict:
        """Run ``iris-release refresh`` for the champion, as the lab's schedule does; return the statement."""
        from training.release import keys
        from training.release import signing as release

        out = self.work.parent / "timestamp.json"
        argv = ["refresh", "--tracking-uri", self.server.url, "--out", str(out)]
        with redirect_stdout(io.StringIO()):
            assert release.main([*argv, "--sign-key", str(self.keys / keys.PRIVATE_KEY_FILENAME)]) == 0
        return json.loads(out.read_text())

    def champion(self) -> tuple[Release, Path]:
        """Return the champion's latest release (published by the fixture, or by a test since)."""
        return self.latest["champion"]

    def artifact_folder(self, release_folder: Path) -> Path:
        """Return where the server keeps the export of the run a release came from."""
        run_id = json.loads((release_folder / "model_card.json").read_text())["run_id"]
        return next(self.server.artifacts.rglob(f"{run_id}/artifacts/export"))

    @property
    def public_key(self) -> Path:
        return self.keys / "iris-signing.pub"


def register_version(url: str, folder: Path, model, cv_accuracy: float) -> str:
    """Log and register ``model`` fitted on the Iris data as iris-train does, minus CV, plots and gate."""
    import mlflow

    from training import register
    from training.data import load_bundled
    from training.release import vetting
    from training.tracking import use_store

    data = load_bundled()
    table = data.to_csv_frame()
    table[register.SPLIT_COLUMN] = "train"
    csv = folder / "labelled_data.csv"
    table.to_csv(csv, index=False)
    experiment = use_store(url)
    with mlflow.start_run(experiment_id=experiment) as run:
        mlflow.log_artifact(str(csv), "data")
        mlflow.set_tag(register.FINGERPRINT_TAG, data.fingerprint())
        mlflow.log_metric("cv_accuracy_mean", cv_accuracy)
        version = register.register(
            register.log_model(model.fit(data.frame(), data.labels), data.frame().head(3)), run.info.run_id
        )
    register.tag_version(version, vetting.gate_tags(True, ("registered by the test as passed",)))
    return version


@pytest.fixture(scope="module")
def lab(mlflow_server: MlflowServer, tmp_path_factory: pytest.TempPathFactory):
    """Versions 1 (a small forest) and 2 (a logistic regression) on the session's server, and a new key."""
    import mlflow
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    from training.release import keys

    folder = tmp_path_factory.mktemp("lab")
    keys.generate(folder / "keys")
    assert (
        register_version(mlflow_server.url, folder, RandomForestClassifier(10, random_state=0), 0.95) == "1"
    )
    assert register_version(mlflow_server.url, folder, LogisticRegression(max_iter=500), 0.96) == "2"
    (folder / "exports").mkdir()
    registry = LabRegistry(mlflow_server, folder / "keys", folder / "exports")
    registry.publish("2")
    yield registry
    mlflow.set_tracking_uri(None)


@pytest.fixture
def laptop(iris_home: Path, lab: LabRegistry) -> Path:
    """Return a laptop's data folder that trusts the lab's key and has only the bundled model."""
    trust_key_file(lab.public_key)
    return iris_home


def update(home: Path, url: str):
    return iris(home, "model", "update", "--tracking-uri", url)


def test_bundled_then_v2_then_a_rollback_to_v1_reaches_the_laptop(lab: LabRegistry, laptop: Path) -> None:
    assert (
        json.loads(iris(laptop, "predict", "--json", *SETOSA).stdout)["model"]["registry"]
        == "iris-field-demo"
    )

    v2, v2_folder = lab.publish("2") if lab.champion()[0].version != "2" else lab.champion()
    result = update(laptop, lab.server.url)
    assert result.returncode == 0, result.stderr
    assert "New model v2 from the lab" in result.stdout and f"first release from {REGISTRY}" in result.stdout
    model = json.loads(iris(laptop, "predict", "--json", *SETOSA).stdout)["model"]
    assert (model["version"], model["registry"], model["sequence"]) == ("2", REGISTRY, v2.sequence)

    again = update(laptop, lab.server.url)
    assert again.returncode == 0 and "champion is current" in again.stdout

    rollback, _ = lab.publish("1")  # the lab moves @champion back: a new, higher sequence
    assert rollback.sequence > v2.sequence
    assert update(laptop, lab.server.url).returncode == 0
    model = json.loads(iris(laptop, "predict", "--json", *SETOSA).stdout)["model"]
    assert (model["version"], model["sequence"]) == ("1", rollback.sequence)
    v1_sha256 = json.loads((_ / "model_card.json").read_text())["sha256"]
    assert model["sha256"] == v1_sha256 != json.loads((v2_folder / "model_card.json").read_text())["sha256"]


def test_a_sync_from_the_command_line_brings_the_new_champion_along(
    lab: LabRegistry, laptop: Path, mlflow_server: MlflowServer
) -> None:
    champion, _ = lab.champion()
    assert iris(laptop, "predict", "--save", *SETOSA).returncode == 0
    experiment = f"sync-brings-model-{champion.sequence}"
    first = iris(laptop, "sync", "--tracking-uri", mlflow_server.url, "--experiment", experiment)
    assert first.returncode == 0, first.stderr
    assert f"New model v{champion.version} from the lab" in first.stdout
    assert ModelStore().load_active().stamp.sequence == champion.sequence

    again = iris(laptop, "sync", "--tracking-uri", mlflow_server.url, "--experiment", experiment)
    assert again.returncode == 0 and "New model" not in again.stdout  # current: nothing said, nothing fetched


def test_an_observation_that_fails_to_sync_does_not_keep_the_new_champion_away(
    lab: LabRegistry, laptop: Path, mlflow_server: MlflowServer
) -> None:
    from desktop.store import ObservationStore
    from tests.mlflow_test_server import rest

    champion, _ = lab.champion()
    experiment = f"one-fails-{champion.sequence}"
    assert iris(laptop, "predict", "--save", *SETOSA).returncode == 0
    assert iris(laptop, "predict", "--save", "--allow-duplicate", *SETOSA).returncode == 0
    first = iris(
        laptop, "sync", "--tracking-uri", mlflow_server.url, "--experiment", experiment, "--no-model-update"
    )
    assert first.returncode == 0, first.stderr
    assert ModelStore().load_active().origin is ModelOrigin.BUNDLED
    with ObservationStore.open() as store:
        victim = store.list()[0]
        # The lab deletes this observation's run; the edit made afterwards can never sync.
        [run] = mlflow_server.runs_by_tag(experiment, "observation_id", victim.id)
        rest(mlflow_server.url, "runs/delete", {"run_id": run.run_id})
        store.set_note(victim.id, "edited after the lab deleted its run")

    again = iris(laptop, "sync", "--tracking-uri", mlflow_server.url, "--experiment", experiment)

    assert again.returncode != 0 and "deleted on the MLflow server" in again.stdout + again.stderr
    assert f"New model v{champion.version} from the lab" in again.stdout, again.stderr
    assert ModelStore().load_active().stamp.sequence == champion.sequence


def test_a_current_laptop_asks_one_small_question_and_downloads_nothing(
    lab: LabRegistry, laptop: Path
) -> None:
    store = ModelStore()
    client = RegistryClient(lab.server.url)
    assert check_for_update(store, client).status is UpdateStatus.INSTALLED
    client.requests_made = 0
    assert check_for_update(store, client).status is UpdateStatus.CURRENT
    assert client.requests_made == 1


def test_an_artifact_changed_on_the_server_is_refused(lab: LabRegistry, laptop: Path) -> None:
    _, folder = lab.champion()
    onnx = lab.artifact_folder(folder) / "iris.onnx"
    onnx.write_bytes(onnx.read_bytes()[:-1] + b"\x00")
    line = assert_one_line_error(update(laptop, lab.server.url), 1)
    assert "champion release was refused" in line and "sha256" in line and "nothing changed" in line
    assert ModelStore().load_active().origin is ModelOrigin.BUNDLED
    onnx.write_bytes((folder / "iris.onnx").read_bytes())  # repaired for the tests after this one


def test_a_replayed_old_release_is_refused(lab: LabRegistry, laptop: Path) -> None:
    from mlflow import MlflowClient

    current, folder = lab.champion()
    old = next(p for p in lab.work.iterdir() if _sequence(p) < current.sequence)  # any earlier release
    assert update(laptop, lab.server.url).returncode == 0
    served = lab.artifact_folder(folder) / "model_card.json"
    client = MlflowClient(lab.server.url)
    # Someone with write access to the server puts an old signed card back and bumps the tag.
    shutil.copy(old / "model_card.json", served)
    client.set_model_version_tag("iris-classifier", current.version, "release_sequence", "999")
    try:
        line = assert_one_line_error(update(laptop, lab.server.url), 1)
    finally:
        shutil.copy(folder / "model_card.json", served)
        client.set_model_version_tag(
            "iris-classifier", current.version, "release_sequence", str(current.sequence)
        )
    assert "not newer" in line
    assert ModelStore().load_active().stamp.sequence == current.sequence


def _sequence(release_folder: Path) -> int:
    return json.loads((release_folder / "model_card.json").read_text())["release"]["sequence"]


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (Fault.HTML_PAGE, Refusal.NOT_A_MODEL_FILE),
        (Fault.SERVER_ERROR, Refusal.SERVER_ERROR),
        (Fault.TRUNCATED, Refusal.TRUNCATED),
    ],
)
def test_a_spoiled_download_is_refused_and_the_model_stays(
    lab: LabRegistry, laptop: Path, fault, reason
) -> None:
    store = ModelStore()
    with faulty_proxy(lab.server.url, fault) as url, pytest.raises(ReleaseRefused) as refused:
        check_for_update(store, RegistryClient(url))
    assert refused.value.reason is reason
    assert store.load_active().origin is ModelOrigin.BUNDLED
    assert check_for_update(store, RegistryClient(lab.server.url)).status is UpdateStatus.INSTALLED  # later


def test_the_challenger_runs_in_shadow_and_its_answer_is_synced(
    lab: LabRegistry, laptop: Path, mlflow_server: MlflowServer
) -> None:
    champion, _ = lab.champion()
    other = "1" if champion.version == "2" else "2"
    challenger, _ = lab.publish(other, alias="challenger")
    assert update(laptop, lab.server.url).returncode == 0
    assert ModelStore().load_challenger().stamp.sequence == challenger.sequence

    saved = json.loads(iris(laptop, "predict", "--json", "--save", *SETOSA).stdout)
    assert saved["model"]["version"] == champion.version  # only the champion's answer is shown
    experiment = f"model-delivery-{champion.sequence}"
    result = iris(laptop, "sync", "--tracking-uri", mlflow_server.url, "--experiment", experiment)
    assert result.returncode == 0, result.stderr
    (run,) = mlflow_server.runs_by_tag(experiment, "observation_id", saved["saved_id"])
    tags = run.tags
    assert (tags["model_registry"], tags["model_version"], tags["model_sequence"]) == (
        REGISTRY,
        champion.version,
        str(champion.sequence),
    )
    assert (tags["challenger_version"], tags["challenger_sequence"]) == (other, str(challenger.sequence))
    assert tags["challenger_species"] == "setosa"
    assert {"challenger_probability.setosa", "challenger_probability.virginica"} <= set(run.metrics)


def test_the_window_takes_the_new_champion_in_the_background_and_says_what_changed(
    lab: LabRegistry, laptop: Path, qtbot
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from desktop.settings import Settings
    from desktop.ui.app import open_main_window

    champion, _ = lab.champion()
    window = open_main_window(Settings(language="en", tracking_uri=lab.server.url))
    qtbot.addWidget(window)
    controller = window.model_controller
    assert controller.active.origin == "bundled"
    controller.check_now()  # what every sync pass that reached the server triggers
    qtbot.waitUntil(lambda: controller.active.origin == "installed", timeout=UNTIL_IT_HAPPENS_MS)
    assert controller.active.stamp.sequence == champion.sequence
    notes = [box for box in window.findChildren(QMessageBox) if box.isVisible()]
    assert [n.text().split(":")[0] for n in notes] == [f"New model v{champion.version} from the lab"]
    assert not notes[0].isModal()
    for box in notes:
        box.close()
    window.close()
    window.store.close()


# ----------------------------------------------------------------- freshness: timestamps the lab re-signs
def status_text(now) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        print_status(ModelStore(), now=now)
    return out.getvalue()


def test_a_laptop_says_when_the_labs_confirmation_is_older_than_the_card_allows_and_still_predicts(
    lab: LabRegistry, laptop: Path
) -> None:
    from datetime import timedelta

    from desktop.model_delivery.freshness import parse_time

    champion, _ = lab.champion()
    assert update(laptop, lab.server.url).returncode == 0
    assert champion.confirm_within_days == 90
    signed = parse_time(champion.signed_at)
    assert "Confirmed by the lab: 10 days ago" in status_text(signed + timedelta(days=10))

    stamp = lab.refresh()  # the lab's weekly job: the same release, a new signed time
    assert stamp["sequence"] == champion.sequence and parse_time(stamp["signed_at"]) >= signed
    assert update(laptop, lab.server.url).returncode == 0  # current: nothing downloaded, the time kept
    confirmed = parse_time(stamp["signed_at"])
    assert ModelStore().freshness().confirmed_at == confirmed

    later = confirmed + timedelta(days=91)  # an offline laptop, three months on (an injected clock)
    text = status_text(later)
    assert "Warning: the lab last confirmed this model 91 days ago" in text
    assert "longer than the 90 days its card allows. It still predicts" in text
    document = status_document(ModelStore(), later)
    assert document["confirmed"]["stale"] is True and document["confirmed"]["age_days"] == 91
    predicted = json.loads(iris(laptop, "predict", "--json", *SETOSA).stdout)
    assert predicted["species"] == "setosa" and predicted["model"]["sequence"] == champion.sequence


def test_a_pre_rollback_release_file_is_refused_once_the_rollback_was_seen(
    lab: LabRegistry, laptop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pre_file = tmp_path / "pre-rollback.irismodel"
    pre, _ = lab.publish("2", bundle=pre_file)
    rollback, _ = lab.publish("1")
    assert rollback.sequence > pre.sequence

    # The laptop hears the lab's timestamp for the rollback, but the download itself breaks off.
    store = ModelStore()
    with faulty_proxy(lab.server.url, Fault.SERVER_ERROR) as url, pytest.raises(ReleaseRefused):
        client = RegistryClient(url)
        take_timestamp(store, client, client.released_version("iris-classifier", "champion"))
        check_for_update(store, client)
    assert store.load_active().origin is ModelOrigin.BUNDLED
    assert store.newest_confirmation(REGISTRY).sequence == rollback.sequence

    line = assert_one_line_error(iris(laptop, "model", "install", str(pre_file)), 1)
    assert f"release {pre.sequence} from {REGISTRY} is older than release {rollback.sequence}" in line
    assert "which the lab confirmed as current on" in line and "the model in use stays" in line
    assert ModelStore().load_active().origin is ModelOrigin.BUNDLED

    other = tmp_path / "other-laptop"  # one that never heard of the rollback still takes the file
    monkeypatch.setenv("IRIS_FIELD_HOME", str(other))
    trust_key_file(lab.public_key)
    taken = iris(other, "model", "install", str(pre_file))
    assert taken.returncode == 0 and "Confirmed by the lab: " in taken.stdout  # with the card's own age


# ----------------------------------------------------------------- key rotation over the air
def test_a_key_rotation_reaches_the_laptop_at_its_next_update_and_the_old_key_is_refused_from_then_on(
    lab: LabRegistry, laptop: Path, tmp_path: Path
) -> None:
    from training.release import keys
    from training.release import signing as release

    assert update(laptop, lab.server.url).returncode == 0
    old_keys, new_keys = lab.keys, tmp_path / "new-keys"
    old = keys.fingerprint_of(keys.load_private_key(old_keys / keys.PRIVATE_KEY_FILENAME).public_key())
    argv = ["rotate", "--key", str(old_keys / keys.PRIVATE_KEY_FILENAME), "--out", str(new_keys)]
    with redirect_stdout(io.StringIO()):
        assert keys.main([*argv, "--tracking-uri", lab.server.url]) == keys.EXIT_OK
    lab.keys = new_keys  # the lab signs with the new key from now on
    champion, _ = lab.publish(lab.champion()[0].version)

    result = update(laptop, lab.server.url)
    assert result.returncode == 0, result.stderr
    assert f"The lab replaced its signing key {old} by {champion.signer}" in result.stdout
    assert ModelStore().load_active().release.signer == champion.signer
    status = json.loads(iris(laptop, "model", "status", "--json").stdout)
    assert old not in {k["fingerprint"] for k in status["trusted_keys"]}
    assert champion.signer in {k["fingerprint"] for k in status["trusted_keys"]}
    withdrawn = {w["fingerprint"]: w["replaced_by"] for w in status["withdrawn_keys"]}
    assert withdrawn == {old: champion.signer}

    # Whoever still holds the old key signs a "newer" release with it: refused in one sentence.
    _, folder = lab.champion()
    stolen = tmp_path / "stolen"
    shutil.copytree(folder, stolen)
    forged = tmp_path / "forged.irismodel"
    sign = ["sign", str(stolen), "--sign-key", str(old_keys / keys.PRIVATE_KEY_FILENAME)]
    sign += ["--registry", REGISTRY, "--sequence", "999", "--bundle", str(forged)]
    with redirect_stdout(io.StringIO()):
        assert release.main(sign) == 0
    line = assert_one_line_error(iris(laptop, "model", "install", str(forged)), 1)
    assert f"signed by key {old}, which this laptop stopped trusting" in line
    assert f"replaced by key {champion.signer}" in line
    assert ModelStore().load_active().release.signer == champion.signer
