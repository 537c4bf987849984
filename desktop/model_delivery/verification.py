"""Check a downloaded or copied release before it may predict: signature, digest, schema, behaviour, order."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from contract import registry as contract_registry
from desktop.errors import ModelError
from desktop.model_delivery.errors import Refusal, ReleaseRefused
from desktop.model_delivery.release import Release
from desktop.model_delivery.signing import PublicKey, Withdrawal, verify
from desktop.prediction.engine import Classifier
from desktop.prediction.model_card import CARD_FILENAME, ModelCard

# Reference rows must come out of this laptop's ONNX Runtime as they came out of the lab's.
REFERENCE_TOLERANCE = 1e-5
ONNX_FILENAME = contract_registry.ONNX_FILENAME


@dataclass(frozen=True)
class VerifiedRelease:
    """A release that passed every check, with the classifier built from its verified bytes."""

    release: Release
    classifier: Classifier
    signer: PublicKey

    @property
    def card(self) -> ModelCard:
        """Return the release's model card."""
        return self.classifier.card


def read_card_document(folder: Path) -> dict:
    """Return the raw card JSON of a release folder; a damaged card is refused as a truncated file."""
    try:
        data = json.loads((folder / CARD_FILENAME).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ReleaseRefused(Refusal.NOT_A_MODEL_FILE, "the release holds no model card") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReleaseRefused(Refusal.TRUNCATED, "the model card is incomplete or not JSON") from exc
    if not isinstance(data, dict):
        raise ReleaseRefused(Refusal.NOT_A_MODEL_FILE, "the model card is not a JSON object")
    return data


def verify_release(
    folder: Path,
    *,
    trusted: Mapping[str, PublicKey],
    expected: ModelCard,
    highest_sequence: Mapping[str, int],
    withdrawn: Mapping[str, Withdrawal] | None = None,
) -> VerifiedRelease:
    """Verify the release in ``folder``; raise ``ReleaseRefused`` with one sentence at the first failure.

    ``expected`` is the bundled model's card: a release must read the same features and name the same
    classes. ``highest_sequence`` maps each registry to the highest sequence accepted from it so far;
    a card signed by a key in ``withdrawn`` is refused.
    """
    document = read_card_document(folder)
    signer = verify(document, trusted, withdrawn)
    release = Release.from_card(document)
    if release is None:
        raise ReleaseRefused(Refusal.UNSIGNED, "the signed model card carries no release block")
    try:
        card = ModelCard.from_dict(document)
    except ModelError as exc:
        raise ReleaseRefused(Refusal.WRONG_SCHEMA, f"the model card cannot be read ({exc})") from exc
    _check_schema(card, expected)
    _check_order(release, highest_sequence)
    classifier = _load(folder, card)
    _check_reference_rows(classifier, release)
    return VerifiedRelease(release, classifier, signer)


def _check_schema(card: ModelCard, expected: ModelCard) -> None:
    if card.feature_names != expected.feature_names:
        raise ReleaseRefused(
            Refusal.WRONG_SCHEMA,
            f"the model reads {', '.join(card.feature_names)}, but this app measures "
            f"{', '.join(expected.feature_names)}",
        )
    if card.classes != expected.classes:
        raise ReleaseRefused(
            Refusal.WRONG_SCHEMA,
            f"the model names the classes {', '.join(card.classes)}, but this app knows "
            f"{', '.join(expected.classes)}",
        )


def _check_order(release: Release, highest_sequence: Mapping[str, int]) -> None:
    installed = highest_sequence.get(release.registry)
    if installed is not None and release.sequence <= installed:
        raise ReleaseRefused(
            Refusal.NOT_NEWER,
            f"release {release.sequence} from {release.registry} is not newer than release {installed} "
            "already installed from there (an old release replayed?)",
            sequence=release.sequence,
            installed=installed,
        )


def _load(folder: Path, card: ModelCard) -> Classifier:
    onnx = folder / card.onnx_file
    try:
        data = onnx.read_bytes()
    except OSError as exc:
        raise ReleaseRefused(Refusal.NOT_A_MODEL_FILE, "the release holds no readable model file") from exc
    import hashlib

    if hashlib.sha256(data).hexdigest() != card.sha256:
        raise ReleaseRefused(
            Refusal.SHA256_MISMATCH,
            "the model file does not match the sha256 its signed card names; it was changed or damaged "
            "after signing",
        )
    try:
        return Classifier.load(onnx)
    except ModelError as exc:
        raise ReleaseRefused(Refusal.UNUSABLE, f"the model cannot run here ({exc})") from exc


def _check_reference_rows(classifier: Classifier, release: Release) -> None:
    if not release.reference_rows:
        raise ReleaseRefused(Refusal.REFERENCE_MISMATCH, "the release carries no reference rows to check")
    rows = np.array([r.measurements for r in release.reference_rows], dtype=np.float64)
    wanted = np.array([r.probabilities for r in release.reference_rows], dtype=np.float64)
    try:
        got = classifier.predict_many(rows).probability_matrix.astype(np.float64)
    except ModelError as exc:
        raise ReleaseRefused(
            Refusal.REFERENCE_MISMATCH, f"the reference rows cannot be predicted ({exc})"
        ) from exc
    if got.shape != wanted.shape or not np.all(np.abs(got - wanted) <= REFERENCE_TOLERANCE):
        worst = float(np.max(np.abs(got - wanted))) if got.shape == wanted.shape else float("inf")
        raise ReleaseRefused(
            Refusal.REFERENCE_MISMATCH,
            f"the model does not reproduce the lab's reference predictions here (off by {worst:.1e}, "
            f"allowed {REFERENCE_TOLERANCE:.0e})",
        )
