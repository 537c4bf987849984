"""`iris-export --sign-key` publishes a signed release: card, sequence, artifacts, bundle, rollback."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from mlflow import MlflowClient

from desktop.model_delivery import model_store
from desktop.model_delivery.model_store import ModelStore
from desktop.model_delivery.release import Release
from desktop.model_delivery.signing import load_public_key, verify
from training.release import export, keys
from training.release import signing as release
from training.schema import MODEL_NAME


@pytest.fixture(scope="module")
def signing_key(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("keys")
    keys.generate(folder)
    return folder


def signed_export(cli, store, key_folder: Path, out: Path, *extra: str) -> tuple[int, str]:
    return cli(
        export.main,
        [
            "--tracking-uri",
            store.uri,
            "--out",
            str(out),
            "--sign-key",
            str(key_folder / keys.PRIVATE_KEY_FILENAME),
            "--registry",
            "test-lab",
            *extra,
        ],
    )


def test_a_signed_export_carries_a_verifiable_release_and_a_growing_sequence(
    trained_store, signing_key, tmp_path, cli, monkeypatch
) -> None:
    monkeypatch.setenv("IRIS_FIELD_HOME", str(tmp_path / "laptop"))
    public = load_public_key(signing_key / keys.PUBLIC_KEY_FILENAME)
    code, stdout = signed_export(
        cli, trained_store, signing_key, tmp_path / "a", "--bundle", str(tmp_path / "a.irismodel")
    )
    assert code == export.EXIT_OK, stdout
    card = json.loads((tmp_path / "a" / "model_card.json").read_text())
    assert verify(card, {public.fingerprint: public}) == public
    first = Release.from_card(card)
    assert (first.registry, first.model_name, first.signer) == ("test-lab", MODEL_NAME, public.fingerprint)
    assert len(first.reference_rows) == release.REFERENCE_ROW_COUNT

    client = MlflowClient(trained_store.uri)
    assert client.get_registered_model(MODEL_NAME).tags[release.SEQUENCE_TAG] == str(first.sequence)
    tags = client.get_model_version(MODEL_NAME, first.version).tags
    assert (tags[release.VERSION_SEQUENCE_TAG], tags[release.VERSION_REGISTRY_TAG]) == (
        str(first.sequence),
        "test-lab",
    )
    logged = client.download_artifacts(card["run_id"], "export/model_card.json", str(tmp_path / "dl"))
    assert json.loads(Path(logged).read_text()) == card  # the registry holds exactly what ships

    with zipfile.ZipFile(tmp_path / "a.irismodel") as bundle:
        assert sorted(bundle.namelist()) == ["iris.onnx", "model_card.json"]
        assert json.loads(bundle.read("model_card.json")) == card

    # A rollback is a release too: the same (or an older) version again, under a higher sequence.
    code, _ = signed_export(cli, trained_store, signing_key, tmp_path / "b", "--version", first.version)
    second = Release.from_card(json.loads((tmp_path / "b" / "model_card.json").read_text()))
    assert code == export.EXIT_OK and second.sequence == first.sequence + 1

    # And a laptop that trusts the key installs the bundle.
    files = model_store.read_bundle(tmp_path / "a.irismodel")
    outcome = ModelStore().install(files, trusted={public.fingerprint: public})
    assert outcome.release == first


def test_a_bundle_without_a_signing_key_is_refused(trained_store, tmp_path, capsys, cli) -> None:
    code, _ = cli(
        export.main, ["--tracking-uri", trained_store.uri, "--out", str(tmp_path), "--bundle", "x.irismodel"]
    )
    assert code == export.EXIT_FAILURE
    assert "--bundle needs --sign-key" in capsys.readouterr().err


def test_refresh_signs_a_new_timestamp_for_the_champion_and_a_rotation_is_published_on_the_model(
    trained_store, signing_key, tmp_path, cli, capsys
) -> None:
    from contract.registry import ROTATION_TAG_PREFIX, ReleaseTag
    from desktop.model_delivery.freshness import parse_time, verify_timestamp
    from desktop.model_delivery.rotation import KeyRotation

    code, _ = signed_export(cli, trained_store, signing_key, tmp_path / "a")
    assert code == export.EXIT_OK
    exported = Release.from_card(json.loads((tmp_path / "a" / "model_card.json").read_text()))
    public = load_public_key(signing_key / keys.PUBLIC_KEY_FILENAME)
    client = MlflowClient(trained_store.uri)
    first = json.loads(client.get_model_version(MODEL_NAME, exported.version).tags[ReleaseTag.TIMESTAMP])
    assert verify_timestamp(first, {public.fingerprint: public}, {}).signed_at == exported.signed_at

    key = str(signing_key / keys.PRIVATE_KEY_FILENAME)
    argv = [
        "refresh",
        "--tracking-uri",
        trained_store.uri,
        "--sign-key",
        key,
        "--out",
        str(tmp_path / "t.json"),
    ]
    code, stdout = cli(release.main, argv)
    assert code == 0 and f"Confirmed release {exported.sequence}" in stdout
    tag = json.loads(client.get_model_version(MODEL_NAME, exported.version).tags[ReleaseTag.TIMESTAMP])
    stamp = verify_timestamp(tag, {public.fingerprint: public}, {})
    assert (stamp.sequence, stamp.alias, stamp.registry) == (exported.sequence, "champion", "test-lab")
    assert parse_time(stamp.signed_at) >= parse_time(exported.signed_at)
    assert json.loads((tmp_path / "t.json").read_text()) == tag

    code, _ = cli(release.main, [*argv[:5], "--alias", "nobody"])
    assert code == 1 and "no timestamp was published: the registry has no" in capsys.readouterr().err

    rotate = ["rotate", "--key", key, "--out", str(tmp_path / "new"), "--tracking-uri", trained_store.uri]
    code, stdout = cli(keys.main, rotate)
    assert code == keys.EXIT_OK and "Published the rotation" in stdout
    tags = client.get_registered_model(MODEL_NAME).tags
    published = KeyRotation.from_document(json.loads(tags[f"{ROTATION_TAG_PREFIX}{public.fingerprint}"]))
    assert published.old_key == public.fingerprint
    statement = tmp_path / "new" / keys.rotation_filename(published.old_key, published.new_key)
    assert "PRIVATE KEY" not in statement.read_text()  # only public halves leave the signing machine
