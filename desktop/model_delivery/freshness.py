"""How fresh the lab's blessing is: signed timestamps, the newest seen per registry, and the check on age."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from contract.registry import Alias
from desktop.model_delivery.errors import Refusal, ReleaseRefused
from desktop.model_delivery.release import Release
from desktop.model_delivery.signing import PublicKey, Withdrawal, verify
from desktop.model_delivery.statements import KIND_FIELD, StatementKind, statement_kind

CHAMPION_ALIAS = Alias.CHAMPION.value


def parse_time(text: str) -> datetime:
    """Return an ISO 8601 time as an aware UTC datetime; raise ``ValueError`` if it is not one."""
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


@dataclass(frozen=True)
class Timestamp:
    """The lab's signed word that this release was its current ``alias`` at ``signed_at``."""

    registry: str
    model_name: str
    alias: str
    version: str
    sequence: int
    sha256: str  # of the release's ONNX file, as its card names it
    signed_at: str

    def to_dict(self) -> dict[str, Any]:
        """Return the statement as JSON-ready data (unsigned)."""
        return {
            KIND_FIELD: StatementKind.TIMESTAMP.value,
            "registry": self.registry,
            "model_name": self.model_name,
            "alias": self.alias,
            "version": self.version,
            "sequence": self.sequence,
            "sha256": self.sha256,
            "signed_at": self.signed_at,
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Timestamp:
        """Read a timestamp statement; raise ``ReleaseRefused`` if it is malformed."""
        if statement_kind(document) is not StatementKind.TIMESTAMP:
            raise ReleaseRefused(Refusal.NOT_A_MODEL_FILE, "this is not a timestamp statement")
        try:
            sequence = document["sequence"]
            if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
                raise ValueError(f"sequence {sequence!r} is not a positive whole number")
            stamp = cls(
                str(document["registry"]),
                str(document["model_name"]),
                str(document["alias"]),
                str(document["version"]),
                sequence,
                str(document["sha256"]),
                str(document["signed_at"]),
            )
            parse_time(stamp.signed_at)
        except (KeyError, TypeError, ValueError) as exc:
            raise ReleaseRefused(
                Refusal.WRONG_SCHEMA, f"the timestamp statement is malformed ({exc})"
            ) from exc
        return stamp

    @classmethod
    def of_release(cls, release: Release, sha256: str) -> Timestamp:
        """Return the timestamp a signed card itself gives (its ``signed_at``)."""
        return cls(
            release.registry,
            release.model_name,
            release.alias,
            release.version,
            release.sequence,
            sha256,
            release.signed_at,
        )


def verify_timestamp(
    document: Mapping[str, Any], trusted: Mapping[str, PublicKey], withdrawn: Mapping[str, Withdrawal]
) -> Timestamp:
    """Return the timestamp in a signed statement; raise ``ReleaseRefused`` if it is not the lab's."""
    stamp = Timestamp.from_document(document)
    verify(document, trusted, withdrawn, what="the lab's timestamp")
    return stamp


@dataclass(frozen=True)
class Confirmation:
    """The newest champion timestamp a laptop has seen from one registry."""

    sequence: int
    signed_at: str

    def to_dict(self) -> dict[str, Any]:
        """Return the record as JSON-ready data."""
        return {"sequence": self.sequence, "signed_at": self.signed_at}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Confirmation:
        """Rebuild a record; raise ``ValueError`` if it is malformed."""
        confirmation = cls(int(data["sequence"]), str(data["signed_at"]))
        parse_time(confirmation.signed_at)
        return confirmation

    @property
    def moment(self) -> datetime:
        """Return ``signed_at`` as a datetime."""
        return parse_time(self.signed_at)

    def is_newer_than(self, other: Confirmation | None) -> bool:
        """Tell whether this record should replace ``other``."""
        return other is None or self.moment > other.moment


def check_not_superseded(release: Release, newest: Confirmation | None) -> None:
    """Refuse a champion signed no later than the newest timestamp seen, for an older release of its registry.

    "No later": two exports within one second carry the same time, and the lower sequence is the older one.
    """
    if newest is None or release.sequence >= newest.sequence:
        return
    try:
        older = parse_time(release.signed_at) <= newest.moment
    except ValueError:
        older = True
    if older:
        raise ReleaseRefused(
            Refusal.SUPERSEDED,
            f"release {release.sequence} from {release.registry} is older than release {newest.sequence}, "
            f"which the lab confirmed as current on {newest.signed_at[:10]} (an old release replayed?)",
            sequence=release.sequence,
            newest=newest.sequence,
            confirmed_at=newest.signed_at[:10],
        )


@dataclass(frozen=True)
class Freshness:
    """How long ago the lab last confirmed a model, and whether that is longer than its card allows."""

    confirmed_at: datetime
    now: datetime
    period_days: int

    @property
    def age(self) -> timedelta:
        """Return the time since the lab's last confirmation (never negative)."""
        return max(self.now - self.confirmed_at, timedelta(0))

    @property
    def age_days(self) -> int:
        """Return the age in whole days."""
        return self.age.days

    @property
    def stale(self) -> bool:
        """Tell whether the confirmation is older than the card's period."""
        return self.age > timedelta(days=self.period_days)


def freshness_of(release: Release | None, newest: Confirmation | None, now: datetime) -> Freshness | None:
    """Return how fresh ``release``'s confirmation is (None for an unsigned model or an unreadable time)."""
    if release is None:
        return None
    try:
        confirmed = parse_time(release.signed_at)
    except ValueError:
        return None
    if newest is not None and newest.sequence == release.sequence:
        confirmed = max(confirmed, newest.moment)
    return Freshness(confirmed, now, release.confirm_within_days)
