"""What the lab's quality gate decided about a model version: its verdicts, version tags and card fields.

``iris-train`` writes the verdict as tags of the registered model version, ``iris-export`` and
``iris-release sign`` check it and copy it into the signed model card, and the laptop reads it there
(``iris-field model status``, the window's Model dialog).
"""

from __future__ import annotations

from enum import StrEnum


class GateVerdict(StrEnum):
    """The quality gate's verdict on one model version."""

    PASSED = "passed"  # the gate let this version through: only such a version ships without a reason
    REFUSED = "refused"


class CardField(StrEnum):
    """Fields of the model card that carry the gate's verdict to the laptop."""

    GATE = "gate"  # a GateVerdict ("" or absent on cards from before the export checked the gate)
    UNVETTED_REASON = "unvetted_reason"  # why the lab shipped a version the gate did not pass


class GateTag(StrEnum):
    """Tags of a registered model version recording the gate (iris-train) and an override (iris-export)."""

    VERDICT = CardField.GATE.value  # a GateVerdict, as in the card
    REASONS = "gate_reasons"  # the gate's reasons in words, "; "-separated
    UNVETTED_REASON = CardField.UNVETTED_REASON.value  # set by an export that shipped it regardless
