"""Lab keys a laptop stops trusting (rotated, or by hand) and the lab's signed timestamps, on real files."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.model_delivery.errors import Refusal, ReleaseRefused
from desktop.model_delivery.freshness import Timestamp
from desktop.model_delivery.model_store import ModelStore
from desktop.model_delivery.signing import load_private_key, sign
from desktop.model_delivery.trusted_keys import trusted_keys, withdrawn_keys
from tests.desktop.cli.test_cli import assert_one_line_error, iris
from tests.desktop.model_delivery.release_factory import Lab, bundle_bytes
from training.release import keys

SIGNED = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # when release_factory's releases are signed


@pytest.fixture
def lab_keys(iris_home: Path, tmp_path: Path) -> Path:
    """Return the folder of a lab's key pair (iris-keys generate) that this laptop trusts."""
    folder = tmp_path / "lab-keys"
    keys.generate(folder)
    result = iris(iris_home, "model", "trust", str(folder / keys.PUBLIC_KEY_FILENAME))
    assert result.returncode == 0, result.stderr
    return folder


def lab_with(key_folder: Path, registry: str = "https://lab.example/mlflow") -> Lab:
    return Lab(registry, load_private_key(key_folder / keys.PRIVATE_KEY_FILENAME))


def release_file(tmp_path: Path, files: dict[str, bytes], name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(bundle_bytes(files))
    return path


def test_a_rotation_file_makes_the_laptop_trust_the_new_key_and_refuse_the_old_ones_releases(
    iris_home: Path, lab_keys: Path, tmp_path: Path
) -> None:
    old, rotated = lab_with(lab_keys), keys.rotate(lab_keys / keys.PRIVATE_KEY_FILENAME, tmp_path / "new")
    new = lab_with(tmp_path / "new")
    assert (rotated.old_fingerprint, rotated.pair.fingerprint) == (
        old.public.fingerprint,
        new.public.fingerprint,
    )
    statement = json.loads(rotated.statement_path.read_text())
    assert statement["signature"]["key"] == old.public.fingerprint and "PRIVATE" not in json.dumps(statement)

    result = iris(iris_home, "model", "install", str(rotated.statement_path))
    assert result.returncode == 0, result.stderr
    assert f"replaced its signing key {old.public.fingerprint} by {new.public.fingerprint}" in result.stdout
    again = iris(iris_home, "model", "install", str(rotated.statement_path))
    assert again.returncode == 0 and "followed already" in again.stdout

    line = assert_one_line_error(
        iris(iris_home, "model", "install", str(release_file(tmp_path, old.release(5), "old.irismodel"))), 1
    )
    assert f"signed by key {old.public.fingerprint}, which this laptop stopped trusting" in line
    assert f"replaced by key {new.public.fingerprint}" in line and "the model in use stays" in line
    installed = iris(
        iris_home, "model", "install", str(release_file(tmp_path, new.release(5), "new.irismodel"))
    )
    assert installed.returncode == 0, installed.stderr
    assert re.search("Confirmed by the lab: |the lab last confirmed this model", installed.stdout)  # its age

    line = assert_one_line_error(
        iris(iris_home, "model", "trust", str(lab_keys / keys.PUBLIC_KEY_FILENAME)), 1
    )
    assert "never trusted again" in line
    status = json.loads(iris(iris_home, "model", "status", "--json").stdout)
    assert [k["fingerprint"] for k in status["trusted_keys"] if k["origin"] == "added"] == [
        new.public.fingerprint
    ]


def test_a_rotation_the_laptop_cannot_check_changes_nothing(
    iris_home: Path, lab_keys: Path, tmp_path: Path
) -> None:
    before = set(trusted_keys())
    stranger = tmp_path / "stranger"
    keys.generate(stranger)
    foreign = keys.rotate(stranger / keys.PRIVATE_KEY_FILENAME, tmp_path / "stranger-new")
    line = assert_one_line_error(iris(iris_home, "model", "install", str(foreign.statement_path)), 1)
    assert "the key rotation is signed by key" in line and "does not trust" in line

    # The lab's own statement, but someone swapped the new key for theirs: the signature no longer fits.
    genuine = keys.rotate(lab_keys / keys.PRIVATE_KEY_FILENAME, tmp_path / "new")
    forged = json.loads(genuine.statement_path.read_text())
    forged["new_key"] = foreign.pair.fingerprint
    forged["new_key_pem"] = foreign.pair.public_path.read_text()
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged))
    line = assert_one_line_error(iris(iris_home, "model", "install", str(path)), 1)
    assert "does not match its content" in line

    # A statement the new key signed for itself is no rotation either: only the old key can hand over.
    self_signed = sign(
        {k: v for k, v in forged.items() if k != "signature"},
        load_private_key(tmp_path / "stranger-new" / keys.PRIVATE_KEY_FILENAME),
    )
    path.write_text(json.dumps(self_signed))
    assert "not by that key itself" in assert_one_line_error(
        iris(iris_home, "model", "install", str(path)), 1
    )
    assert set(trusted_keys()) == before and withdrawn_keys() == {}


def test_a_key_distrusted_by_hand_signs_nothing_until_it_is_trusted_again(
    iris_home: Path, lab_keys: Path, tmp_path: Path
) -> None:
    lab = lab_with(lab_keys)
    fingerprint = lab.public.fingerprint
    result = iris(iris_home, "model", "distrust", fingerprint)
    assert result.returncode == 0 and f"Stopped trusting the key {fingerprint}" in result.stdout
    release = release_file(tmp_path, lab.release(1), "v2.irismodel")
    assert "stopped trusting" in assert_one_line_error(iris(iris_home, "model", "install", str(release)), 1)
    status = iris(iris_home, "model", "status")
    assert f"Withdrawn keys: {fingerprint} (" in status.stdout

    unknown = assert_one_line_error(iris(iris_home, "model", "distrust", "0123456789abcdef"), 1)
    assert "no trusted key has the fingerprint '0123456789abcdef'" in unknown

    assert iris(iris_home, "model", "trust", str(lab_keys / keys.PUBLIC_KEY_FILENAME)).returncode == 0
    assert iris(iris_home, "model", "install", str(release)).returncode == 0


def timestamp(lab: Lab, sequence: int, at: datetime, alias: str = "champion") -> dict:
    """Return the lab's signed timestamp for its release ``sequence``, as iris-release refresh makes it."""
    stamp = Timestamp(lab.registry, "iris-classifier", alias, "2", sequence, "sha", at.isoformat())
    return sign(stamp.to_dict(), lab.key)


def test_the_newest_timestamp_says_how_long_ago_the_lab_confirmed_the_model(iris_home: Path) -> None:
    lab = Lab.new()
    store = ModelStore(trusted=lab.trusted)
    store.install(lab.release(1))
    assert store.freshness(now=SIGNED + timedelta(days=3)).age_days == 3

    refreshed = SIGNED + timedelta(days=30)
    assert store.record_timestamp(timestamp(lab, 1, refreshed)) is not None
    assert store.record_timestamp(timestamp(lab, 1, SIGNED + timedelta(days=1))) is None  # older: kept out
    assert store.record_timestamp(timestamp(lab, 1, refreshed, alias="challenger")) is None
    freshness = store.freshness(now=refreshed + timedelta(days=90))
    assert (freshness.confirmed_at, freshness.age_days, freshness.stale) == (refreshed, 90, False)
    assert store.freshness(now=refreshed + timedelta(days=90, hours=1)).stale
    assert store.load_active().classifier.predict([5.1, 3.5, 1.4, 0.2]).species == "setosa"

    with pytest.raises(ReleaseRefused) as refused:
        store.record_timestamp(timestamp(Lab.new(lab.registry), 1, refreshed + timedelta(days=1)))
    assert refused.value.reason is Refusal.UNKNOWN_KEY


def test_a_card_may_ask_for_a_shorter_period(iris_home: Path) -> None:
    lab = Lab.new()
    store = ModelStore(trusted=lab.trusted)
    store.install(lab.release(1, edit=lambda card: card["release"].update(confirm_within_days=7)))
    assert store.freshness(now=SIGNED + timedelta(days=8)).stale
    assert not store.freshness(now=SIGNED + timedelta(days=6)).stale


def test_a_release_older_than_the_newest_timestamp_seen_is_refused(iris_home: Path) -> None:
    lab = Lab.new()
    store = ModelStore(trusted=lab.trusted)
    store.record_timestamp(timestamp(lab, 3, SIGNED + timedelta(days=10)))  # the lab's rollback, seen
    with pytest.raises(ReleaseRefused) as refused:
        store.install(lab.release(2))  # signed before that, a lower number: the pre-rollback release
    assert refused.value.reason is Refusal.SUPERSEDED
    assert "release 2 from https://lab.example/mlflow is older than release 3" in str(refused.value)
    assert store.load_active().origin == "bundled"
    assert store.install(lab.release(3)).release.sequence == 3  # the confirmed one is welcome
    assert store.install(lab.release(4)).release.sequence == 4  # and so is a newer number


def test_the_bundled_model_is_never_called_stale(iris_home: Path) -> None:
    assert ModelStore().freshness(now=SIGNED + timedelta(days=3650)) is None


def test_rotations_are_followed_in_chain_order_whatever_order_they_come_in(
    iris_home: Path, lab_keys: Path, tmp_path: Path
) -> None:
    from desktop.model_delivery.rotation import apply_rotations

    first = keys.rotate(lab_keys / keys.PRIVATE_KEY_FILENAME, tmp_path / "b")
    second = keys.rotate(tmp_path / "b" / keys.PRIVATE_KEY_FILENAME, tmp_path / "c")
    documents = [json.loads(p.read_text()) for p in (second.statement_path, first.statement_path)]
    followed = apply_rotations(documents)
    assert [r.new_key for r in followed] == [first.pair.fingerprint, second.pair.fingerprint]
    assert second.pair.fingerprint in trusted_keys()
    assert set(withdrawn_keys()) == {first.old_fingerprint, second.old_fingerprint}
    assert apply_rotations(documents) == []  # followed already: nothing again


def test_a_release_exported_in_the_same_second_as_the_newer_one_is_still_refused(iris_home: Path) -> None:
    lab = Lab.new()
    store = ModelStore(trusted=lab.trusted)
    store.record_timestamp(timestamp(lab, 3, SIGNED))  # the rollback, exported within the same second
    with pytest.raises(ReleaseRefused) as refused:
        store.install(lab.release(2))
    assert refused.value.reason is Refusal.SUPERSEDED
