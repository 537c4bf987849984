"""The installer bundles a model that is a signed release, verified against the keys it bundles."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from build_scripts.bundled_release import UnsignedBundledModel, describe_bundled_release

ASSETS = Path(__file__).resolve().parents[2] / "assets"


@pytest.fixture
def assets(tmp_path: Path) -> Path:
    copy = tmp_path / "assets"
    for part in ("model", "keys"):
        shutil.copytree(ASSETS / part, copy / part)
    return copy


def _edit_card(assets: Path, change) -> None:
    path = assets / "model" / "model_card.json"
    card = json.loads(path.read_text())
    change(card)
    path.write_text(json.dumps(card, indent=2))


def test_the_repositorys_bundled_model_is_a_release_signed_by_a_bundled_key() -> None:
    line = describe_bundled_release(ASSETS)
    assert "release 1 of iris-field-demo" in line and "1 trusted key(s) bundled" in line


def test_an_unsigned_bundled_model_stops_the_build_with_what_to_do(assets: Path) -> None:
    _edit_card(assets, lambda card: card.pop("signature"))
    with pytest.raises(UnsignedBundledModel, match="--sign-key"):
        describe_bundled_release(assets)


def test_a_bundled_model_changed_after_signing_stops_the_build(assets: Path) -> None:
    _edit_card(assets, lambda card: card["metrics"].__setitem__("cv_accuracy_mean", 0.99))
    with pytest.raises(UnsignedBundledModel, match="changed after signing"):
        describe_bundled_release(assets)


def test_a_bundled_model_signed_by_a_key_the_installer_does_not_ship_stops_the_build(assets: Path) -> None:
    for key in (assets / "keys").glob("*.pub"):
        key.unlink()
    with pytest.raises(UnsignedBundledModel, match="does not trust"):
        describe_bundled_release(assets)
