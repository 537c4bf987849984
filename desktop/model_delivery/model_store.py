"""Verified releases in the data folder, the active one recorded durably, the bundled one as fallback."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from contract.registry import Alias
from desktop.atomic_file import atomic_text_writer
from desktop.errors import ModelError
from desktop.model_delivery.errors import NoPreviousModel, Refusal, ReleaseRefused
from desktop.model_delivery.freshness import (
    CHAMPION_ALIAS,
    Confirmation,
    Freshness,
    Timestamp,
    check_not_superseded,
    freshness_of,
    verify_timestamp,
)
from desktop.model_delivery.release import ModelStamp, Release
from desktop.model_delivery.signing import PublicKey, Withdrawal
from desktop.model_delivery.verification import (
    ONNX_FILENAME,
    VerifiedRelease,
    read_card_document,
    verify_release,
)
from desktop.paths import data_dir
from desktop.prediction.engine import Classifier
from desktop.prediction.model_card import CARD_FILENAME
from desktop.resources import bundled_model_path

MODELS_FOLDER = "models"
STATE_FILENAME = "state.json"
RELEASES_FOLDER = "releases"
STAGING_PREFIX = ".staging-"
RELEASE_FILES = (ONNX_FILENAME, CARD_FILENAME)
# A release file bigger than this is not one of ours (the Iris models are well under 1 MB).
MAX_FILE_BYTES = 64 * 1024 * 1024
# A release folder nobody refers to may belong to an install in another process that is about to record it.
ORPHAN_GRACE_SECONDS = 300.0
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class Role(StrEnum):
    """What an installed release is for."""

    CHAMPION = Alias.CHAMPION.value
    CHALLENGER = Alias.CHALLENGER.value


class ChallengerEnd(StrEnum):
    """Why the challenger running in shadow stopped."""

    PROMOTED = "promoted"  # the lab made it the champion
    ENDED = "ended"  # the lab no longer names a challenger


@dataclass(frozen=True)
class EndedChallenger:
    """The challenger that ran in shadow until the lab ended its test, and how it ended."""

    version: str
    end: ChallengerEnd

    def to_dict(self) -> dict:
        """Return it as JSON-ready data."""
        return {"version": self.version, "end": self.end.value}

    @classmethod
    def from_dict(cls, data: Mapping | None) -> EndedChallenger | None:
        """Rebuild it (None if there is none); raise ``ValueError`` if malformed."""
        if not data:
            return None
        return cls(str(data["version"]), ChallengerEnd(str(data["end"])))


class ModelOrigin(StrEnum):
    """Where the model that predicts came from."""

    BUNDLED = "bundled"
    INSTALLED = "installed"


class Fallback(StrEnum):
    """Why the bundled model predicts although another was installed."""

    RECORD_DAMAGED = "record-damaged"  # the record of installed models cannot be read
    INSTALLED_UNUSABLE = "installed-unusable"  # the installed release cannot be loaded


@dataclass(frozen=True)
class ActiveModel:
    """The model that predicts now: its classifier, its release (if signed), and why it was chosen."""

    classifier: Classifier
    release: Release | None
    origin: ModelOrigin
    note: str = ""  # why the bundled model predicts although another was installed ("" if all is well)
    fallback: Fallback | None = None  # the same as data, for the window's words (None if all is well)

    @property
    def stamp(self) -> ModelStamp:
        """Return what an observation records about this model."""
        card = self.classifier.card
        return ModelStamp(
            registry=self.release.registry if self.release else "",
            name=card.model_name,
            version=card.model_version,
            sha256=card.sha256,
            sequence=self.release.sequence if self.release else None,
        )


@dataclass(frozen=True)
class StoreState:
    """The durable record of which release does what; written atomically as state.json."""

    active: str | None = None
    previous: str | None = None
    challenger: str | None = None
    highest: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # role -> registry -> sequence
    confirmed: Mapping[str, Confirmation] = field(default_factory=dict)  # registry -> newest timestamp seen
    ended_challenger: EndedChallenger | None = None  # the last challenger the lab ended, until a new one

    def to_dict(self) -> dict:
        """Return the state as JSON-ready data."""
        data = {
            "active": self.active,
            "previous": self.previous,
            "challenger": self.challenger,
            "highest": {role: dict(seqs) for role, seqs in self.highest.items()},
            "confirmed": {registry: c.to_dict() for registry, c in self.confirmed.items()},
        }
        if self.ended_challenger is not None:
            data["ended_challenger"] = self.ended_challenger.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping) -> StoreState:
        """Rebuild a state; raise ``ValueError`` if it is malformed."""

        def name(value: object) -> str | None:
            if value is None:
                return None
            if not isinstance(value, str) or "/" in value or "\\" in value or value.startswith("."):
                raise ValueError(f"bad release name {value!r}")
            return value

        highest = {
            str(role): {str(reg): int(seq) for reg, seq in seqs.items()}
            for role, seqs in dict(data.get("highest", {})).items()
        }
        confirmed = {
            str(registry): Confirmation.from_dict(c)
            for registry, c in dict(data.get("confirmed", {})).items()
        }
        return cls(
            name(data.get("active")),
            name(data.get("previous")),
            name(data.get("challenger")),
            highest,
            confirmed,
            EndedChallenger.from_dict(data.get("ended_challenger")),
        )

    def highest_for(self, role: Role) -> dict[str, int]:
        """Return registry -> highest accepted sequence for one role."""
        return dict(self.highest.get(role.value, {}))


@dataclass(frozen=True)
class InstallOutcome:
    """What an install changed."""

    release: Release
    role: Role
    card_metrics: Mapping[str, float]
    replaced: ActiveModel | None  # the model that predicted before (champion installs)
    already_installed: bool = False

    @property
    def replaced_other_registry(self) -> bool:
        """Tell whether this is the first release from its registry replacing a model from another one."""
        before = self.replaced.release if self.replaced else None
        return self.replaced is not None and (before is None or before.registry != self.release.registry)


def release_folder_name(release: Release, sha256: str) -> str:
    """Return the folder name of an installed release: sequence, digest and a hash of the registry."""
    import hashlib

    registry = hashlib.sha256(release.registry.encode("utf-8")).hexdigest()[:8]
    return f"{registry}-{release.sequence:06d}-{sha256[:12]}"


def _fsync_dir(folder: Path) -> None:
    """Make a rename or new entry in ``folder`` durable (a no-op where folders cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class ModelStore:
    """The installed releases of one user; the bundled model is always there as fallback."""

    def __init__(
        self,
        root: Path | None = None,
        bundled: Path | None = None,
        trusted: Mapping[str, PublicKey] | None = None,
        withdrawn: Mapping[str, Withdrawal] | None = None,
    ):
        """Use ``root`` (default: ``<data folder>/models``); clear debris a killed install left.

        ``trusted`` replaces the trusted keys (default: the bundled and the user's, read at each install),
        ``withdrawn`` the keys no longer trusted (default: the user's record of them).
        """
        self.root = Path(root) if root is not None else _default_root()
        self.trusted = trusted
        self.withdrawn = withdrawn
        self.bundled = bundled if bundled is not None else bundled_model_path()
        self.releases = self.root / RELEASES_FOLDER
        self._bundled_model: ActiveModel | None = None
        self._clear_debris()

    # ----------------------------------------------------------------- state
    @property
    def state_path(self) -> Path:
        """Return where the state is recorded."""
        return self.root / STATE_FILENAME

    def state(self) -> StoreState:
        """Return the recorded state; a missing or damaged record reads as "bundled model only"."""
        try:
            return StoreState.from_dict(json.loads(self.state_path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, AttributeError, KeyError):
            return StoreState()

    def _state_problem(self) -> str:
        if not self.state_path.exists():
            return ""
        try:
            StoreState.from_dict(json.loads(self.state_path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, AttributeError, KeyError):
            return "the record of installed models is damaged, so the bundled model predicts"
        return ""

    def _write_state(self, state: StoreState) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with atomic_text_writer(self.state_path) as handle:
            handle.write(json.dumps(state.to_dict(), indent=2) + "\n")
        _fsync_dir(self.root)

    def _clear_debris(self, *, orphans_older_than: float = ORPHAN_GRACE_SECONDS) -> None:
        """Remove staging folders of interrupted installs and releases nothing refers to.

        Another process may be installing right now: its staging folder (named with its process id) and
        a release it has just renamed into place but not yet recorded are left alone.
        """
        if not self.root.is_dir():
            return
        for entry in self.root.glob(f"{STAGING_PREFIX}*"):
            if not _installer_alive(entry.name):
                shutil.rmtree(entry, ignore_errors=True)
        if self.releases.is_dir() and not self._state_problem():
            state = self.state()
            keep = {state.active, state.previous, state.challenger}
            now = time.time()
            for entry in self.releases.iterdir():
                if entry.name not in keep and _age(entry, now) >= orphans_older_than:
                    shutil.rmtree(entry, ignore_errors=True)

    # ----------------------------------------------------------------- loading
    def bundled_model(self) -> ActiveModel:
        """Return the bundled model (raise ``ModelError`` only if the installation itself is broken)."""
        if self._bundled_model is None:
            classifier = Classifier.load(self.bundled)
            document = read_card_document(self.bundled.parent)
            try:
                release = Release.from_card(document)
            except ReleaseRefused:
                release = None
            self._bundled_model = ActiveModel(classifier, release, ModelOrigin.BUNDLED)
        return self._bundled_model

    def _load(self, name: str) -> ActiveModel:
        folder = self.releases / name
        classifier = Classifier.load(folder)
        release = Release.from_card(read_card_document(folder))
        if release is None:
            raise ModelError(f"the installed model {name} has no release block")
        return ActiveModel(classifier, release, ModelOrigin.INSTALLED)

    def load_active(self) -> ActiveModel:
        """Return the model that should predict: the active release, or the bundled one if it cannot load."""
        state = self.state()
        problem = self._state_problem()
        if state.active is None:
            bundled = self.bundled_model()
            return replace(bundled, note=problem, fallback=Fallback.RECORD_DAMAGED) if problem else bundled
        try:
            return self._load(state.active)
        except ModelError as exc:
            note = f"the installed model cannot be used ({exc}), so the bundled model predicts"
            return replace(self.bundled_model(), note=note, fallback=Fallback.INSTALLED_UNUSABLE)

    def load_challenger(self) -> ActiveModel | None:
        """Return the challenger release running in shadow, or None if there is none (or it cannot load)."""
        name = self.state().challenger
        if name is None:
            return None
        try:
            return self._load(name)
        except ModelError:
            return None

    # ----------------------------------------------------------------- installing
    def highest(self, role: Role) -> dict[str, int]:
        """Return registry -> highest sequence accepted so far for ``role`` (the bundled release counts)."""
        highest = self.state().highest_for(role)
        bundled = self.bundled_model().release
        if bundled is not None and role is Role.CHAMPION:
            highest[bundled.registry] = max(highest.get(bundled.registry, 0), bundled.sequence)
        return highest

    def is_current(self, role: Role, registry: str, sequence: int) -> bool:
        """Tell whether a release with this sequence from ``registry`` is no news for ``role``."""
        known = self.highest(role).get(registry)
        return known is not None and sequence <= known

    def install(
        self, files: Mapping[str, bytes], role: Role = Role.CHAMPION, *, trusted=None
    ) -> InstallOutcome:
        """Verify and install a release given as {file name: bytes}; on any refusal nothing changes."""
        missing = [name for name in RELEASE_FILES if name not in files]
        if missing:
            raise ReleaseRefused(Refusal.NOT_A_MODEL_FILE, f"the release lacks {', '.join(missing)}")
        self.root.mkdir(parents=True, exist_ok=True)
        self.releases.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=self.root))
        try:
            _write_files(staging, {name: files[name] for name in RELEASE_FILES})
            verified = self._verify(staging, role, trusted)
            name = release_folder_name(verified.release, verified.card.sha256)
            replaced = self.load_active() if role is Role.CHAMPION else self.load_challenger()
            target = self.releases / name
            if not target.exists():
                os.rename(staging, target)
                _fsync_dir(self.releases)
            self._write_state(self._state_with(name, verified, role))
        except OSError as exc:
            if exc.errno in _DISK_FULL:
                raise ReleaseRefused(
                    Refusal.DISK_FULL, "the disk is full, so the model could not be installed"
                ) from exc
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self._clear_debris(orphans_older_than=0.0)
        return InstallOutcome(verified.release, role, dict(verified.card.metrics), replaced)

    def _verify(self, staging: Path, role: Role, trusted) -> VerifiedRelease:
        """Verify the release in ``staging`` for ``role``; a champion must also be the newest confirmed."""
        from desktop.model_delivery.trusted_keys import trusted_keys, withdrawn_keys

        verified = verify_release(
            staging,
            trusted=trusted if trusted is not None else self.trusted or trusted_keys(),
            expected=self.bundled_model().classifier.card,
            highest_sequence=self.highest(role),
            withdrawn=self.withdrawn if self.withdrawn is not None else withdrawn_keys(),
        )
        if role is Role.CHAMPION:
            check_not_superseded(verified.release, self.newest_confirmation(verified.release.registry))
        return verified

    def _state_with(self, name: str, verified: VerifiedRelease, role: Role) -> StoreState:
        """Return the state once release folder ``name`` is installed as ``role``."""
        state = self.state()
        highest = {r: dict(s) for r, s in state.highest.items()}
        highest.setdefault(role.value, {})[verified.release.registry] = verified.release.sequence
        if role is not Role.CHAMPION:
            return replace(state, challenger=name, highest=highest, ended_challenger=None)
        previous = state.active if state.active != name else state.previous
        confirmed = _with_newer(state.confirmed, verified.release, verified.card.sha256)
        return replace(state, active=name, previous=previous, highest=highest, confirmed=confirmed)

    # ----------------------------------------------------------------- freshness
    def newest_confirmation(self, registry: str) -> Confirmation | None:
        """Return the newest champion timestamp seen from ``registry`` (the bundled card counts)."""
        newest = self.state().confirmed.get(registry)
        bundled = self.bundled_model().release
        if bundled is not None and bundled.registry == registry:
            own = Confirmation(bundled.sequence, bundled.signed_at)
            with contextlib.suppress(ValueError):
                newest = own if own.is_newer_than(newest) else newest
        return newest

    def record_timestamp(self, document: Mapping, *, trusted=None) -> Timestamp | None:
        """Verify the lab's timestamp statement and keep it if it is the newest from its registry.

        Return the timestamp when it was news (None when an equal or newer one was seen, or it is not
        the champion's); raise ``ReleaseRefused`` if it is not signed by a key this laptop trusts.
        """
        from desktop.model_delivery.trusted_keys import trusted_keys, withdrawn_keys

        stamp = verify_timestamp(
            document,
            trusted if trusted is not None else self.trusted or trusted_keys(),
            self.withdrawn if self.withdrawn is not None else withdrawn_keys(),
        )
        if stamp.alias != CHAMPION_ALIAS:
            return None
        state = self.state()
        confirmation = Confirmation(stamp.sequence, stamp.signed_at)
        if not confirmation.is_newer_than(state.confirmed.get(stamp.registry)):
            return None
        self._write_state(replace(state, confirmed={**state.confirmed, stamp.registry: confirmation}))
        return stamp

    def freshness(self, model: ActiveModel | None = None, now: datetime | None = None) -> Freshness | None:
        """Return how long ago the lab last confirmed ``model`` (default: the active one).

        None for the bundled model: the installer is its confirmation, and it is never called stale.
        """
        model = model if model is not None else self.load_active()
        if model.origin is ModelOrigin.BUNDLED:
            return None
        release = model.release
        newest = self.newest_confirmation(release.registry) if release is not None else None
        return freshness_of(release, newest, now or datetime.now(UTC))

    def install_bundle(self, path: Path, role: Role = Role.CHAMPION) -> InstallOutcome:
        """Verify and install a ``.irismodel`` file."""
        return self.install(read_bundle(path), role)

    def drop_challenger(self, end: ChallengerEnd = ChallengerEnd.ENDED) -> EndedChallenger | None:
        """Stop running a challenger in shadow (the lab has none, or it is the champion itself).

        Return the challenger that ended and how (None if none ran), and keep it in the record so
        ``model status`` can say so until the lab names a new one.
        """
        state = self.state()
        if state.challenger is None:
            return None
        running = self.load_challenger()
        version = running.classifier.card.model_version if running else state.challenger
        ended = EndedChallenger(version, end)
        self._write_state(replace(state, challenger=None, ended_challenger=ended))
        self._clear_debris(orphans_older_than=0.0)
        return ended

    def use_previous(self) -> ActiveModel:
        """Go back to the previous verified release (or the bundled model); the current one stays."""
        state = self.state()
        if state.active is None:
            raise NoPreviousModel("the bundled model is already the one in use; there is no earlier model")
        self._write_state(replace(state, active=state.previous, previous=state.active))
        return self.load_active()


def _with_newer(
    confirmed: Mapping[str, Confirmation], release: Release, sha256: str
) -> dict[str, Confirmation]:
    """Return ``confirmed`` with an installed champion's own signing time, if it is the newest seen."""
    stamp = Timestamp.of_release(release, sha256)
    mine = Confirmation(stamp.sequence, stamp.signed_at)
    updated = dict(confirmed)
    with contextlib.suppress(ValueError):
        if mine.is_newer_than(updated.get(release.registry)):
            updated[release.registry] = mine
    return updated


def _default_root() -> Path:
    """Return ``<data folder>/models``; a data folder that cannot be created leaves only the bundled model."""
    try:
        return data_dir() / MODELS_FOLDER
    except OSError as exc:
        # Predicting still works; installing or saving will say why the folder is unusable.
        return Path(exc.filename or ".") / MODELS_FOLDER


def _installer_alive(staging_name: str) -> bool:
    """Tell whether the process that made a staging folder still runs (never assumed on Windows)."""
    try:
        pid = int(staging_name[len(STAGING_PREFIX) :].split("-", 1)[0])
    except ValueError:
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        return False  # os.kill(pid, 0) would interrupt that process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but belongs to someone else
    return True


def _age(path: Path, now: float) -> float:
    try:
        return now - path.stat().st_mtime
    except OSError:
        return 0.0


def _write_files(folder: Path, files: Mapping[str, bytes]) -> None:
    for name, data in files.items():
        with open(folder / name, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    _fsync_dir(folder)


def read_bundle(path: Path) -> dict[str, bytes]:
    """Return the files of a ``.irismodel`` file; raise ``ReleaseRefused`` if it is not a whole one."""
    try:
        with zipfile.ZipFile(path) as bundle:
            found = {}
            for name in RELEASE_FILES:
                try:
                    info = bundle.getinfo(name)
                except KeyError:
                    raise ReleaseRefused(
                        Refusal.NOT_A_MODEL_FILE, f"{path} is not a model release: it lacks {name}"
                    ) from None
                if info.file_size > MAX_FILE_BYTES:
                    raise ReleaseRefused(Refusal.NOT_A_MODEL_FILE, f"{path} holds an oversized {name}")
                found[name] = bundle.read(info)
            return found
    except FileNotFoundError as exc:
        raise ReleaseRefused(Refusal.NOT_A_MODEL_FILE, f"there is no file {path}") from exc
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
        raise ReleaseRefused(Refusal.TRUNCATED, f"{path} is incomplete or not a .irismodel file") from exc
    except OSError as exc:
        raise ReleaseRefused(
            Refusal.NOT_A_MODEL_FILE, f"{path} cannot be read: {exc.strerror or exc}"
        ) from exc
