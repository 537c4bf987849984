"""``iris-field model …``: status, update, install, use-previous, trust, distrust — words and exit codes."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from contract.card import CardField
from contract.environment import EnvVar
from contract.exit_codes import ExitCode

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from desktop.mlflow_http.auth import Auth
    from desktop.model_delivery.freshness import Freshness
    from desktop.model_delivery.model_store import ActiveModel, EndedChallenger, InstallOutcome, ModelStore
    from desktop.model_delivery.rotation import KeyRotation
    from desktop.model_delivery.updater import UpdateResult

EXIT_OK, EXIT_FAILURE = ExitCode.OK, ExitCode.FAILURE
TRACKING_URI_ENV = EnvVar.TRACKING_URI.value


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``model`` and its subcommands (cheap: nothing heavy is imported here)."""
    model = commands.add_parser(
        "model",
        help="show, update, install or roll back the model that predicts",
        description="The model that predicts: signed releases from the lab, verified before use.",
    )
    sub = model.add_subparsers(dest="model_command", metavar="ACTION", parser_class=commands._parser_class)
    status = sub.add_parser(
        "status", help="the active model, the previous one, the challenger and the trusted keys"
    )
    status.add_argument("--json", action="store_true", help="print machine-readable JSON")
    update = sub.add_parser(
        "update", help="install the lab's newest champion (and challenger) if there is one"
    )
    update.add_argument(
        "--tracking-uri", metavar="URL", help="the lab's MLflow server (default: the sync settings)"
    )
    install = sub.add_parser(
        "install",
        help="install a .irismodel file, or take a key rotation or timestamp file the lab signed "
        "(for laptops that never get online)",
    )
    install.add_argument("file", metavar="FILE")
    sub.add_parser("use-previous", help="go back to the previous verified model (or the bundled one)")
    trust = sub.add_parser("trust", help="trust the lab public key in FILE (.pub) for signed releases")
    trust.add_argument("file", metavar="FILE")
    distrust = sub.add_parser(
        "distrust", help="stop trusting a key: releases it signed are refused from now on (also in Settings)"
    )
    distrust.add_argument("fingerprint", metavar="FINGERPRINT")
    return model


def run(args: argparse.Namespace) -> int:
    """Run one ``model`` action; return the exit code (errors are raised as ``IrisFieldError``)."""
    from desktop.cli.main import UsageError

    action = getattr(args, "model_command", None)
    if action is None:
        raise UsageError(
            "name an action: iris-field model status | update | install FILE | use-previous | trust FILE "
            "| distrust FINGERPRINT"
        )
    from desktop.model_delivery.model_store import ModelStore

    store = ModelStore()
    if action == "status":
        return print_status(store, args.json)
    if action == "update":
        return _update(store, args.tracking_uri)
    if action == "install":
        from pathlib import Path

        return _install(store, Path(args.file))
    if action == "use-previous":
        active = store.use_previous()
        print(f"Now predicting with {describe(active)}.")
        return EXIT_OK
    if action == "trust":
        from pathlib import Path

        from desktop.model_delivery.errors import KeyFileError, KeyProblem
        from desktop.model_delivery.trusted_keys import trust_key_file

        try:
            key = trust_key_file(Path(args.file))
        except KeyFileError as exc:
            if exc.problem is not KeyProblem.ALREADY_TRUSTED:
                raise
            print(f"The key {exc.facts['fingerprint']} is already trusted.")
            return EXIT_OK
        print(f"Trusted the key {key.fingerprint} for signed model releases.")
        return EXIT_OK
    if action == "distrust":
        from desktop.model_delivery.trusted_keys import distrust_key, trusted_keys

        distrust_key(args.fingerprint.strip().lower())
        print(f"Stopped trusting the key {args.fingerprint.strip().lower()}: releases it signed are refused.")
        if not trusted_keys():
            print("No key is trusted now: no new model can be installed until you trust the lab's key.")
        return EXIT_OK
    raise UsageError(f"unknown model action {action!r}")


def _install(store: ModelStore, path: Path) -> int:
    """Install a release file, or take a signed statement file (a key rotation or a timestamp)."""
    from desktop.errors import ModelError
    from desktop.model_delivery.errors import ReleaseRefused
    from desktop.model_delivery.files import take_file
    from desktop.model_delivery.statements import StatementKind

    try:
        taken = take_file(store, path)
    except ReleaseRefused as exc:
        raise ModelError(f"{exc}; nothing was installed, the model in use stays") from exc
    if taken.installed is not None:
        return _print_install(taken.installed, store)
    if taken.rotation is not None:
        print(rotation_sentence(taken.rotation))
    elif taken.timestamp is not None:
        stamp = taken.timestamp
        print(
            f"Recorded the lab's confirmation of release {stamp.sequence} from {stamp.registry} "
            f"on {stamp.signed_at[:10]}."
        )
    elif taken.kind is StatementKind.KEY_ROTATION:
        print("This key rotation was followed already; nothing changed.")
    else:
        print("The lab's timestamp is not newer than one seen before; nothing changed.")
    return EXIT_OK


def rotation_sentence(rotation: KeyRotation) -> str:
    """Return what following a key rotation changed."""
    return (
        f"The lab replaced its signing key {rotation.old_key} by {rotation.new_key} "
        f"({rotation.rotated_at[:10]}): releases signed with {rotation.old_key} are refused from now on."
    )


def freshness_sentence(freshness: Freshness) -> str:
    """Return how long ago the lab confirmed the model, with a warning once that is longer than allowed."""
    days = freshness.age_days
    ago = "today" if days == 0 else ("1 day ago" if days == 1 else f"{days} days ago")
    when = freshness.confirmed_at.date().isoformat()
    if not freshness.stale:
        period = freshness.period_days
        return f"Confirmed by the lab: {ago} ({when}); to be confirmed again within {period} days."
    return (
        f"Warning: the lab last confirmed this model {ago} ({when}), longer than the "
        f"{freshness.period_days} days its card allows. It still predicts; connect to the lab's server "
        "(`iris-field model update`) or ask the lab for a current model file."
    )


def describe(model: ActiveModel) -> str:
    """Return one line naming a model: name, version, release and where it came from."""
    card = model.classifier.card
    text = f"{card.model_name} v{card.model_version}"
    if model.release is not None:
        release = model.release
        text += f" (release {release.sequence} from {release.registry}, {release.released_at[:10]})"
    return text + (" — the bundled model" if model.origin == "bundled" else "")


def status_document(store: ModelStore, now: datetime | None = None) -> dict[str, Any]:
    """Return what ``model status --json`` prints (``now``: the clock, for how old a confirmation is)."""
    from desktop.model_delivery.trusted_keys import list_trusted_keys, withdrawn_keys

    active = store.load_active()
    state = store.state()
    challenger = store.load_challenger()
    freshness = store.freshness(active, now)
    return {
        "active": _model_json(active),
        "confirmed": None
        if freshness is None
        else {
            "confirmed_at": freshness.confirmed_at.isoformat(timespec="seconds"),
            "age_days": freshness.age_days,
            "confirm_within_days": freshness.period_days,
            "stale": freshness.stale,
        },
        "note": active.note,
        "previous": state.previous,
        "bundled": _model_json(store.bundled_model()),
        "challenger": _model_json(challenger) if challenger else None,
        "ended_challenger": state.ended_challenger.to_dict() if state.ended_challenger else None,
        "trusted_keys": [
            {"fingerprint": k.fingerprint, "origin": k.origin.value} for k in list_trusted_keys()
        ],
        "withdrawn_keys": [
            {"fingerprint": w.fingerprint, "withdrawn_at": w.withdrawn_at, "replaced_by": w.replaced_by}
            for w in withdrawn_keys().values()
        ],
    }


def _model_json(model: ActiveModel) -> dict[str, Any]:
    card = model.classifier.card
    release = model.release
    return model.stamp.to_dict() | {
        "origin": model.origin.value,
        "alias": release.alias if release else card.alias,
        "released_at": release.released_at if release else "",
        "signer": release.signer if release else "",
        "metrics": card.metrics,
        CardField.GATE.value: card.gate,
        CardField.UNVETTED_REASON.value: card.unvetted_reason,
    }


def print_status(store: ModelStore, as_json: bool = False, now: datetime | None = None) -> int:
    """Print ``model status`` (``now``: the clock, for how old the lab's confirmation is)."""
    document = status_document(store, now)
    if as_json:
        json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    active = store.load_active()
    print(f"Active model: {describe(active)}")
    freshness = store.freshness(active, now)
    if freshness is not None:
        print(freshness_sentence(freshness))
    if active.note:
        print(f"Note: {active.note}")
    _print_unvetted(active)
    challenger = store.load_challenger()
    if challenger:
        print(f"Challenger (in shadow): {describe(challenger)}")
        _print_unvetted(challenger)
    elif store.state().ended_challenger is not None:
        print(f"Challenger: {ended_sentence(store.state().ended_challenger)}")
    print(
        "Previous model: "
        + (
            "installed, `iris-field model use-previous` goes back to it"
            if document["previous"]
            else "the bundled model"
        )
    )
    keys = document["trusted_keys"]
    print("Trusted keys: " + (", ".join(f"{k['fingerprint']} ({k['origin']})" for k in keys) or "none"))
    withdrawn = document["withdrawn_keys"]
    if withdrawn:
        print(
            "Withdrawn keys: "
            + ", ".join(
                f"{w['fingerprint']} ({w['withdrawn_at'][:10]}"
                + (f", replaced by {w['replaced_by']})" if w["replaced_by"] else ")")
                for w in withdrawn
            )
        )
    return EXIT_OK


def _print_unvetted(model: ActiveModel) -> None:
    """Say when the lab shipped a model its quality gate did not pass, with the lab's reason."""
    reason = model.classifier.card.unvetted_reason
    if reason:
        print(f"  Not passed by the lab's quality gate; the lab shipped it because: {reason}")


def ended_sentence(ended: EndedChallenger) -> str:
    """Return what happened to the challenger that stopped running in shadow, in the window's words."""
    from desktop.model_delivery.model_store import ChallengerEnd

    if ended.end is ChallengerEnd.PROMOTED:
        return f"the challenger v{ended.version} became the champion; it no longer runs in shadow."
    return f"the lab ended the challenger v{ended.version}; it no longer runs in shadow."


def _tracking_uri(given: str | None) -> tuple[str, Auth]:
    """Return the server URL and the authentication the sync would use for it."""
    import os

    from desktop.errors import InputError
    from desktop.settings import Settings
    from desktop.sync.credentials import auth_for

    settings = Settings.load()
    uri = given or os.environ.get(TRACKING_URI_ENV, "") or settings.tracking_uri
    if not uri:
        raise InputError("no MLflow server given: pass --tracking-uri URL or set one in the sync settings")
    return uri, auth_for(uri, settings)


def _update(store: ModelStore, given: str | None) -> int:
    from desktop.model_delivery.registry_client import RegistryClient
    from desktop.model_delivery.updater import UpdateStatus, update_all

    uri, auth = _tracking_uri(given)
    client = RegistryClient(uri, auth)
    try:
        results = update_all(store, client)
    finally:
        client.close()
    code = EXIT_OK
    for result in results:
        for rotation in result.rotations:
            print(rotation_sentence(rotation))
        _print_update(result, store)
        if result.status is UpdateStatus.REFUSED or (
            result.status is UpdateStatus.NO_RELEASE and result.role == "champion"
        ):
            code = EXIT_FAILURE
    return code


def update_after_sync(uri: str, auth: Auth) -> None:
    """After a sync pass reached the lab's server: install a newer signed release, as the window does.

    Says only what changed or was refused; "current" and "no release yet" stay quiet, and nothing here
    changes the sync's exit code (the observations are what `iris-field sync` answers for).
    """
    from desktop.model_delivery.errors import RegistryUnreachable
    from desktop.model_delivery.model_store import ModelStore
    from desktop.model_delivery.registry_client import RegistryClient
    from desktop.model_delivery.updater import UpdateStatus, update_all

    store = ModelStore()
    try:
        client = RegistryClient(uri, auth)
        try:
            results = update_all(store, client)
        finally:
            client.close()
    except RegistryUnreachable as exc:
        print(f"iris-field sync: the model update check did not run: {exc}.", file=sys.stderr)
        return
    for result in results:
        for rotation in result.rotations:
            print(rotation_sentence(rotation))
        if result.status in (UpdateStatus.INSTALLED, UpdateStatus.REFUSED, UpdateStatus.ENDED):
            _print_update(result, store)


def _print_update(result: UpdateResult, store: ModelStore) -> None:
    from desktop.model_delivery.model_store import Role
    from desktop.model_delivery.updater import UpdateStatus

    name = result.role.value
    if result.status is UpdateStatus.REFUSED:
        print(
            f"iris-field: error: the {name} release was refused: {result.refusal}; nothing changed.",
            file=sys.stderr,
        )
        return
    if result.status is UpdateStatus.ENDED and result.ended is not None:
        text = ended_sentence(result.ended)
        print(text[0].upper() + text[1:])
        return
    if result.status is UpdateStatus.NO_RELEASE:
        if result.role is Role.CHAMPION:
            print(
                f"iris-field: error: the lab has no signed @{name} release yet; the model stays "
                f"{describe(store.load_active())}.",
                file=sys.stderr,
            )
        return
    if result.status is UpdateStatus.CURRENT:
        current = store.load_active() if result.role is Role.CHAMPION else store.load_challenger()
        what = describe(current) if current else f"v{result.version}"
        print(f"The {name} is current: {what}.")
        return
    assert result.outcome is not None
    _print_install(result.outcome, store)


def update_sentence(outcome: InstallOutcome) -> str:
    """Return what changed with an install, in the words of the window's note."""
    release = outcome.release
    if outcome.role == "challenger":
        return f"New challenger v{release.version} from the lab runs in shadow."
    text = f"New model v{release.version} from the lab"
    new_cv = outcome.card_metrics.get("cv_accuracy_mean")
    before = outcome.replaced
    old_cv = before.classifier.card.metrics.get("cv_accuracy_mean") if before else None
    if new_cv is not None:
        text += f": cross-validated accuracy {new_cv:.2f}"
        if old_cv is not None:
            text += f", was {old_cv:.2f}"
    text += "."
    if outcome.replaced_other_registry and before is not None:
        origin = before.release.registry if before.release else "an unsigned export"
        text += f" It is the first release from {release.registry} and replaces the model from {origin}."
    return text


def _print_install(outcome: InstallOutcome, store: ModelStore | None = None) -> int:
    release = outcome.release
    print(update_sentence(outcome))
    print(
        f"Installed {release.model_name} v{release.version} as {outcome.role.value} "
        f"(release {release.sequence} from {release.registry}, signed by {release.signer})."
    )
    freshness = store.freshness() if store is not None and outcome.role == "champion" else None
    if freshness is not None:
        print(freshness_sentence(freshness))  # an old file from a USB stick says so at once
    return EXIT_OK
