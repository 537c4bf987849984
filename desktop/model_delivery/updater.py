"""Check the lab's registry for newer signed releases and install them: one small request per alias."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace
from enum import StrEnum

from contract import registry as contract_registry
from desktop.model_delivery.errors import Refusal, ReleaseRefused
from desktop.model_delivery.model_store import (
    ChallengerEnd,
    EndedChallenger,
    InstallOutcome,
    ModelStore,
    Role,
)
from desktop.model_delivery.registry_client import EXPORT_FOLDER, RegistryClient, ReleasedVersion
from desktop.model_delivery.rotation import KeyRotation, apply_rotations
from desktop.model_delivery.verification import ONNX_FILENAME
from desktop.prediction.model_card import CARD_FILENAME

MODEL_NAME = contract_registry.MODEL_NAME


class UpdateStatus(StrEnum):
    """How an update check of one alias ended."""

    CURRENT = "current"
    INSTALLED = "installed"
    NO_RELEASE = "no-release"
    REFUSED = "refused"
    ENDED = "ended"  # the challenger stopped: the lab ended its test or made it the champion


@dataclass(frozen=True)
class UpdateResult:
    """The outcome of checking one alias."""

    role: Role
    status: UpdateStatus
    version: str = ""
    sequence: int | None = None
    outcome: InstallOutcome | None = None
    refusal: str = ""  # the sentence, when refused (the command line's English)
    reason: Refusal | None = None  # the kind of refusal, when refused (the window says it in its words)
    facts: dict[str, object] = field(default_factory=dict)  # what the refusal names (a key, releases)
    rotations: tuple[KeyRotation, ...] = ()  # the lab's key rotations this check followed (champion only)
    ended: EndedChallenger | None = None  # the challenger that stopped running in shadow (status ENDED)


def check_for_update(
    store: ModelStore, client: RegistryClient, role: Role = Role.CHAMPION, model_name: str = MODEL_NAME
) -> UpdateResult:
    """Resolve ``model_name@role`` and install its release unless it is no news; raise ``ReleaseRefused``."""
    return apply_release(store, client, role, client.released_version(model_name, role.value))


def apply_release(
    store: ModelStore,
    client: RegistryClient,
    role: Role,
    released: ReleasedVersion | None,
    end: ChallengerEnd = ChallengerEnd.ENDED,
) -> UpdateResult:
    """Install what an alias resolved to, if it is news; raise ``ReleaseRefused`` if it fails verification.

    A challenger the lab no longer names stops, and the result says so (``end``: how it ended).
    """
    if released is None or released.sequence is None or not released.registry:
        ended = store.drop_challenger(end) if role is Role.CHALLENGER else None
        if ended is not None:
            return UpdateResult(role, UpdateStatus.ENDED, ended.version, ended=ended)
        return UpdateResult(role, UpdateStatus.NO_RELEASE, released.version if released else "")
    if store.is_current(role, released.registry, released.sequence):
        return UpdateResult(role, UpdateStatus.CURRENT, released.version, released.sequence)
    artifact_uri = client.artifact_uri(released.run_id)
    files = {
        name: client.download(artifact_uri, f"{EXPORT_FOLDER}/{name}")
        for name in (CARD_FILENAME, ONNX_FILENAME)
    }
    outcome = store.install(files, role)
    return UpdateResult(role, UpdateStatus.INSTALLED, released.version, outcome.release.sequence, outcome)


def update_all(store: ModelStore, client: RegistryClient, model_name: str = MODEL_NAME) -> list[UpdateResult]:
    """Check the champion, then the challenger; a refusal of one never stops or undoes the other.

    A challenger that is the champion's own version (or no longer set) is dropped: nothing to compare;
    its result says it ended, and whether it became the champion.
    """
    results = []
    champion = client.released_version(model_name, Role.CHAMPION.value)
    challenger = client.released_version(model_name, Role.CHALLENGER.value)
    rotations = take_timestamp(store, client, champion, model_name)
    if challenger is not None and champion is not None and challenger.version == champion.version:
        challenger = None
    running = store.load_challenger() if challenger is None else None
    promoted = champion is not None and running is not None
    promoted = promoted and running.classifier.card.model_version == champion.version
    end = ChallengerEnd.PROMOTED if promoted else ChallengerEnd.ENDED
    for role, released in ((Role.CHAMPION, champion), (Role.CHALLENGER, challenger)):
        try:
            results.append(apply_release(store, client, role, released, end))
        except ReleaseRefused as exc:
            version = released.version if released else ""
            results.append(
                UpdateResult(
                    role, UpdateStatus.REFUSED, version, refusal=str(exc), reason=exc.reason, facts=exc.facts
                )
            )
    results[0] = replace(results[0], rotations=rotations)
    return results


def take_timestamp(
    store: ModelStore, client: RegistryClient, champion: ReleasedVersion | None, model_name: str = MODEL_NAME
) -> tuple[KeyRotation, ...]:
    """Keep the lab's signed timestamp of its champion; follow its key rotations first if a new key signed it.

    The rotations are asked for (one more request) only when the timestamp names a key this laptop does not
    know: the lab signs with its new key from the rotation on. A timestamp that fails its checks is ignored
    (the release itself is checked on its own); return the rotations followed.
    """
    if champion is None or champion.timestamp is None:
        return ()
    try:
        store.record_timestamp(champion.timestamp)
        return ()
    except ReleaseRefused as exc:
        if exc.reason is not Refusal.UNKNOWN_KEY:
            return ()
    followed = tuple(apply_rotations(client.rotations(model_name)))
    if followed:
        with contextlib.suppress(ReleaseRefused):
            store.record_timestamp(champion.timestamp)
    return followed
