"""Nothing the gate did not pass is signed without a reason: `iris-release sign` and the vetting check."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from desktop.resources import bundled_model_path
from training.errors import ExportError
from training.release import keys, vetting
from training.release import signing as release


@pytest.fixture
def unvetted_folder(tmp_path: Path) -> Path:
    """Return a copy of the bundled model folder with its gate verdict and signature removed."""
    folder = tmp_path / "model"
    shutil.copytree(bundled_model_path().parent, folder)
    card = json.loads((folder / "model_card.json").read_text())
    card = {k: v for k, v in card.items() if k not in ("gate", "unvetted_reason", "release", "signature")}
    (folder / "model_card.json").write_text(json.dumps(card))
    keys.generate(tmp_path / "keys")
    return folder


def _sign(folder: Path, *extra: str) -> int:
    key = folder.parent / "keys" / keys.PRIVATE_KEY_FILENAME
    return release.main(["sign", str(folder), "--sign-key", str(key), "--registry", "test-lab", *extra])


def test_release_sign_refuses_a_card_without_a_gate_pass(unvetted_folder: Path, capsys) -> None:
    before = (unvetted_folder / "model_card.json").read_bytes()
    assert _sign(unvetted_folder) == 1
    said = capsys.readouterr().err
    assert said.startswith("iris-release: nothing was signed: version ") and said.count("\n") == 1
    assert (
        "did not pass the quality gate: it has no gate verdict; ship it only with --allow-unvetted REASON"
        in said
    )
    assert (unvetted_folder / "model_card.json").read_bytes() == before


def test_release_sign_with_a_reason_writes_it_into_the_signed_card(unvetted_folder: Path) -> None:
    assert _sign(unvetted_folder, "--allow-unvetted", "the lab's own bundled model") == 0
    card = json.loads((unvetted_folder / "model_card.json").read_text())
    assert card["unvetted_reason"] == "the lab's own bundled model" and "signature" in card


def test_a_reason_must_have_words() -> None:
    with pytest.raises(ExportError, match="needs a reason in words"):
        vetting.check("3", {vetting.GATE_TAG: "refused"}, "  ")
    assert vetting.check("3", {vetting.GATE_TAG: "passed"}, None).unvetted_reason == ""
