"""Check the model the installer bundles: a release signed by a key the installer also bundles."""

from __future__ import annotations

import json
from pathlib import Path

from desktop.model_delivery.errors import KeyFileError, ReleaseRefused
from desktop.model_delivery.release import Release
from desktop.model_delivery.signing import SIGNATURE_FIELD, load_public_key, verify
from desktop.prediction.model_card import CARD_FILENAME


class UnsignedBundledModel(Exception):
    """The bundled model is not a signed release, or its signature does not verify."""


def describe_bundled_release(assets: Path) -> str:
    """Return a line naming the bundled release; raise ``UnsignedBundledModel`` unless it verifies.

    The signature must verify against one of ``assets/keys/*.pub``: the keys the installer ships as
    trusted are the ones its own model was signed with (or others the lab chose to trust as well).
    """
    try:
        card = json.loads((assets / "model" / CARD_FILENAME).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UnsignedBundledModel(f"assets/model/{CARD_FILENAME} cannot be read ({exc})") from exc
    if SIGNATURE_FIELD not in card:
        raise UnsignedBundledModel(
            "assets/model is not a signed release: export it with `iris-export --sign-key FILE --out "
            "assets/model` (see docs/model-delivery.md)"
        )
    keys = {}
    for path in sorted((assets / "keys").glob("*.pub")):
        try:
            key = load_public_key(path)
        except KeyFileError as exc:
            raise UnsignedBundledModel(str(exc)) from exc
        keys[key.fingerprint] = key
    try:
        signer = verify(card, keys)
        release = Release.from_card(card)
    except ReleaseRefused as exc:
        raise UnsignedBundledModel(f"the bundled model is refused: {exc}") from exc
    if release is None:
        raise UnsignedBundledModel("the bundled model's signed card has no release block")
    return (
        f"{release.model_name} v{release.version}, release {release.sequence} of {release.registry}, "
        f"signed by {signer.fingerprint}; {len(keys)} trusted key(s) bundled"
    )
