"""Signatures cover the card's content, not its layout; any change of content breaks them."""

import json

import pytest

from desktop.model_delivery.errors import Refusal, ReleaseRefused
from desktop.model_delivery.signing import canonical_json, sign, verify
from tests.desktop.model_delivery.release_factory import Lab, bundled_document


def test_the_signature_survives_pretty_printing_and_key_order() -> None:
    lab = Lab.new()
    signed = sign(bundled_document(), lab.key)
    reread = json.loads(json.dumps(dict(reversed(list(signed.items()))), indent=4))
    assert verify(reread, lab.trusted).fingerprint == lab.public.fingerprint


def test_canonical_json_leaves_the_signature_out_and_sorts_keys() -> None:
    assert (
        canonical_json({"b": 1, "a": [1.5, "ü"], "signature": {"value": "x"}})
        == '{"a":[1.5,"ü"],"b":1}'.encode()
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.__setitem__("sha256", "0" * 64), "sha256"),
        (lambda d: d["metrics"].__setitem__("cv_accuracy_mean", 0.99), "metrics"),
        (lambda d: d["features"][0]["stats"].__setitem__("max", 99.0), "features"),
    ],
)
def test_any_change_after_signing_is_refused(change, field) -> None:
    lab = Lab.new()
    signed = sign(bundled_document(), lab.key)
    change(signed)
    with pytest.raises(ReleaseRefused) as refused:
        verify(signed, lab.trusted)
    assert refused.value.reason is Refusal.BAD_SIGNATURE


def test_an_unsigned_card_and_an_unknown_signer_are_refused_in_words() -> None:
    lab, stranger = Lab.new(), Lab.new()
    with pytest.raises(ReleaseRefused, match="not signed") as unsigned:
        verify(bundled_document(), lab.trusted)
    assert unsigned.value.reason is Refusal.UNSIGNED
    with pytest.raises(ReleaseRefused, match="does not trust") as unknown:
        verify(sign(bundled_document(), stranger.key), lab.trusted)
    assert unknown.value.reason is Refusal.UNKNOWN_KEY
