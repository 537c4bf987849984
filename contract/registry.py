"""Names in the lab's MLflow server: experiments, the registered model, aliases, release tags, files."""

from __future__ import annotations

from enum import StrEnum


class Experiment(StrEnum):
    """The MLflow experiments of the loop, by what they hold."""

    FIELD = "field-observations"  # one run per field observation, written by the laptops' sync
    TRAINING = "iris-training"  # one run per ``iris-train``
    FIELD_DATA = "field-data"  # each ``iris-dataset`` snapshot, logged as a dataset input
    MONITORING = "field-monitoring"  # each ``iris-monitor`` report


MODEL_NAME = "iris-classifier"  # the registered model that every release comes from


class Alias(StrEnum):
    """Aliases of the registered model, each a decision of the lab."""

    CHAMPION = "champion"  # what every laptop predicts with
    CHALLENGER = "challenger"  # what laptops run in shadow beside the champion
    CANDIDATE = "candidate"  # the newest ``iris-train`` model, whatever its gate said


class ReleaseTag(StrEnum):
    """Tags of a model version that ``iris-export`` / ``iris-release`` set and the laptops read."""

    SEQUENCE = "release_sequence"  # the release's number in its registry, counting up
    REGISTRY = "release_registry"  # which lab registry issued it
    CARD_SHA256 = "release_card_sha256"  # the signed card's digest
    TIMESTAMP = (
        "release_timestamp"  # the lab's latest signed timestamp for the release (iris-release refresh)
    )
    EXPORTED_SHA256 = "exported_sha256"  # the ONNX file's digest of the version's latest export
    # The latest release as one label (``release_label``), also on the version's run: what the lab groups
    # by, in the MLflow UI as in the field dataset's column of the same name and the monitor's report.
    LABEL = "model_release"


def release_label(name: str, version: str, sequence: int | str | None, registry: str) -> str:
    """Return a release as one label: ``iris-classifier v3``, plus ``(release 7 of REGISTRY)`` when signed.

    The one label the lab groups releases by. The registry belongs in it: the bundled demo release and
    each lab's first release are all "iris-classifier v1, release 1", and must never be counted together.
    """
    label = f"{name} v{version}" if name and version else name or version
    number = "" if sequence is None else str(sequence)
    if not (label and number):
        return label
    return f"{label} (release {number} of {registry})" if registry else f"{label} (release {number})"


# A tag of the registered model per lab key handed over: ``key_rotation.<old key's fingerprint>``, holding
# the rotation statement that key signed (``iris-keys rotate``); laptops follow it at their next update.
ROTATION_TAG_PREFIX = "key_rotation."


ONNX_FILENAME = "iris.onnx"  # the model file of every release and of the bundled model
CARD_FILENAME = "model_card.json"  # the signed card beside it
RELEASE_SUFFIX = ".irismodel"  # a release as one file, for a USB stick
EXPORT_FOLDER = "export"  # where ``iris-export`` logs the card and ONNX file in the version's run
OBSERVATION_ARTIFACT = "observation.json"  # the whole observation, in its run's artifacts
