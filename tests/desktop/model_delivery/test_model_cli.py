"""`iris-field model …` as a botanist's laptop runs it: real processes, real files, real kills."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.model_delivery.model_store import STAGING_PREFIX, ModelOrigin, ModelStore
from desktop.store import ObservationStore
from tests.desktop.cli.test_cli import ROOT, SETOSA, assert_one_line_error, iris
from tests.desktop.model_delivery.release_factory import Lab, bundle_bytes


@pytest.fixture
def lab(iris_home: Path, tmp_path: Path) -> Lab:
    """Return a lab whose public key this laptop trusts (added with `model trust`)."""
    lab = Lab.new()
    result = iris(iris_home, "model", "trust", str(lab.write_public_key(tmp_path / "keys")))
    assert result.returncode == 0, result.stderr
    assert lab.public.fingerprint in result.stdout
    return lab


def release_file(tmp_path: Path, files: dict[str, bytes], name: str = "v2.irismodel") -> Path:
    path = tmp_path / name
    path.write_bytes(bundle_bytes(files))
    return path


def test_an_installed_release_predicts_and_predict_json_names_its_registry_and_sequence(
    iris_home, lab, tmp_path
) -> None:
    result = iris(iris_home, "model", "install", str(release_file(tmp_path, lab.release(1, version="2"))))
    assert result.returncode == 0, result.stderr
    assert "first release from https://lab.example/mlflow" in result.stdout
    predicted = iris(iris_home, "predict", "--json", "--save", *SETOSA)
    model = json.loads(predicted.stdout)["model"]
    assert (model["version"], model["registry"], model["sequence"]) == ("2", lab.registry, 1)
    with ObservationStore.open() as store:
        saved = store.list()[0]
    assert (saved.model_registry, saved.model_version, saved.model_sequence) == (lab.registry, "2", 1)
    status = json.loads(iris(iris_home, "model", "status", "--json").stdout)
    assert status["active"]["origin"] == "installed"
    assert {k["origin"] for k in status["trusted_keys"]} == {"bundled", "added"}


def test_a_refused_install_is_one_sentence_and_keeps_the_model(iris_home, lab, tmp_path) -> None:
    stranger = Lab.new(lab.registry)
    line = assert_one_line_error(
        iris(iris_home, "model", "install", str(release_file(tmp_path, stranger.release(1)))), 1
    )
    assert "does not trust" in line and "the model in use stays" in line
    assert ModelStore().load_active().origin is ModelOrigin.BUNDLED


def test_a_private_key_is_never_trusted(iris_home, tmp_path) -> None:
    from tests.desktop.model_delivery.release_factory import private_key_pem

    path = tmp_path / "iris-signing.key"
    path.write_bytes(private_key_pem(Lab.new().key))
    assert "private signing key" in assert_one_line_error(iris(iris_home, "model", "trust", str(path)), 1)


def test_trusting_a_key_twice_says_it_is_trusted_already(iris_home, lab, tmp_path) -> None:
    again = iris(iris_home, "model", "trust", str(lab.write_public_key(tmp_path / "again")))
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"The key {lab.public.fingerprint} is already trusted."


def test_use_previous_goes_back_to_the_bundled_model(iris_home, lab, tmp_path) -> None:
    iris(iris_home, "model", "install", str(release_file(tmp_path, lab.release(1, version="2"))))
    result = iris(iris_home, "model", "use-previous")
    assert result.returncode == 0 and "bundled model" in result.stdout
    assert (
        json.loads(iris(iris_home, "predict", "--json", *SETOSA).stdout)["model"]["registry"]
        == "iris-field-demo"
    )


def _installer(home: Path, path: Path, **popen) -> subprocess.Popen:
    env = {**os.environ, "IRIS_FIELD_HOME": str(home)}
    return subprocess.Popen(
        [sys.executable, "-m", "desktop", "model", "install", str(path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **popen,
    )


# The installer, SIGKILLed by the kernel the moment it would rename its verified staging folder into
# place: the worst point to die, reached every time (a poll for the folder races a fast install).
KILLED_BEFORE_RENAME = f"""
import os, signal, sys
from pathlib import Path
rename = os.rename
def rename_or_die(source, target, *args, **kwargs):
    if Path(source).name.startswith({STAGING_PREFIX!r}):
        os.kill(os.getpid(), signal.SIGKILL)
    return rename(source, target, *args, **kwargs)
os.rename = rename_or_die
from desktop.main import main
sys.exit(main(sys.argv[1:]))
"""


def test_an_install_killed_midway_leaves_the_previous_model_and_no_debris(iris_home, lab, tmp_path) -> None:
    iris(iris_home, "model", "install", str(release_file(tmp_path, lab.release(1, version="2"))))
    newer = release_file(tmp_path, lab.release(2, version="3"), "v3.irismodel")
    models = iris_home / "models"
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_BEFORE_RENAME, "model", "install", str(newer)],
        cwd=ROOT,
        env={**os.environ, "IRIS_FIELD_HOME": str(iris_home)},
        capture_output=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert list(models.glob(f"{STAGING_PREFIX}*")), "the kill came before the staging folder was written"
    active = ModelStore().load_active()  # the next start
    assert (active.origin, active.stamp.version) == (ModelOrigin.INSTALLED, "2")
    assert not list(models.glob(f"{STAGING_PREFIX}*"))
    assert iris(iris_home, "model", "install", str(newer)).returncode == 0  # and the install can be redone


def test_a_full_disk_mid_install_is_one_sentence_and_keeps_the_model(iris_home, lab, tmp_path) -> None:
    first = release_file(tmp_path, lab.release(1, version="2"))
    assert iris(iris_home, "model", "install", str(first)).returncode == 0
    newer = release_file(tmp_path, lab.release(2, version="3"), "v3.irismodel")
    resource = pytest.importorskip("resource")  # POSIX only

    def small_files_only() -> None:  # the kernel refuses writes past 16 kB: EFBIG, as a full disk does
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (16_000, 16_000))

    process = _installer(iris_home, newer, preexec_fn=small_files_only, text=True)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1, stderr
    assert stderr.strip().splitlines() == [stderr.strip()]
    assert "disk is full" in stderr and "the model in use stays" in stderr
    assert ModelStore().load_active().stamp.version == "2"
    assert not list((iris_home / "models").glob(f"{STAGING_PREFIX}*"))
