"""Nothing the quality gate refused leaves the lab without a reason: the export's and the signer's check."""

from __future__ import annotations

from dataclasses import dataclass

from contract.card import GateTag, GateVerdict
from training.errors import ExportError
from training.schema import MODEL_NAME

# Tags on each registered model version (written by iris-train, read by iris-export).
GATE_TAG = GateTag.VERDICT.value
GATE_REASONS_TAG = GateTag.REASONS.value
UNVETTED_TAG = (
    GateTag.UNVETTED_REASON.value
)  # set by an export that shipped the version despite its gate verdict
ALLOW_UNVETTED_OPTION = "--allow-unvetted"


@dataclass(frozen=True)
class Vetting:
    """What the card says about the gate: its verdict and, when shipped regardless, the lab's reason."""

    gate: str
    unvetted_reason: str = ""


def gate_tags(passed: bool, reasons: tuple[str, ...]) -> dict[str, str]:
    """Return the model version tags that record a gate verdict."""
    verdict = GateVerdict.PASSED if passed else GateVerdict.REFUSED
    return {GATE_TAG: verdict.value, GATE_REASONS_TAG: "; ".join(reasons)}


def check(version: str, tags: dict[str, str], allow_unvetted: str | None) -> Vetting:
    """Return the vetting of a version; raise ``ExportError`` unless passed or a reason is given."""
    gate = tags.get(GATE_TAG, "")
    if gate == GateVerdict.PASSED:
        return Vetting(gate)
    if allow_unvetted is not None and allow_unvetted.strip():
        return Vetting(gate, allow_unvetted.strip())
    if allow_unvetted is not None:
        raise ExportError(
            f'{ALLOW_UNVETTED_OPTION} needs a reason in words, e.g. "field trial of version {version}"'
        )
    verdict = (
        f"the gate {gate} it ({tags[GATE_REASONS_TAG]})"
        if gate and tags.get(GATE_REASONS_TAG)
        else (f"its gate verdict is {gate!r}" if gate else "it has no gate verdict")
    )
    raise ExportError(
        f"version {version} of {MODEL_NAME} did not pass the quality gate: {verdict}; "
        f"ship it only with {ALLOW_UNVETTED_OPTION} REASON"
    )
