"""``iris-export``: convert a registered model to ONNX, prove parity, write model + card atomically."""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from contract.exit_codes import ExitCode
from desktop.errors import IrisFieldError
from desktop.prediction.engine import Classifier
from desktop.prediction.model_card import CARD_FILENAME, ModelCard
from training import register
from training.data import LabelledData
from training.errors import ExportError, TrainingError
from training.release import signing as releases
from training.release import vetting
from training.release.card_builder import build_card
from training.release.convert import to_onnx
from training.release.parity import check, probe_rows
from training.schema import CHALLENGER, CHAMPION, MODEL_NAME, ONNX_FILENAME
from training.tracking import PROJECT_ROOT, resolve_tracking_uri, use_store

EXIT_OK = ExitCode.OK
EXIT_FAILURE = ExitCode.FAILURE
DEFAULT_OUT = PROJECT_ROOT / "assets" / "model"


@dataclass(frozen=True)
class ExportOutcome:
    """What was exported and how closely it matched."""

    version: str
    run_id: str
    onnx_path: Path
    card_path: Path
    sha256: str
    parity_rows: int
    max_abs_difference: float
    sequence: int | None = None  # the release sequence when signed
    signer: str = ""
    bundle_path: Path | None = None
    moved_alias: str = ""  # the alias pointed at this version after its release was published
    unvetted_reason: str = ""  # why it shipped although the gate did not pass it


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser of ``iris-export``."""
    parser = argparse.ArgumentParser(
        prog="iris-export",
        description=f"Export {MODEL_NAME}@{CHAMPION} (or another alias or version) to ONNX with its model "
        "card, after proving it predicts like the registered model.",
    )
    parser.add_argument(
        "--alias",
        help=f"registered model alias to export (default {CHAMPION}); with --version: point this alias "
        f"at that version once its signed release is published (e.g. --alias {CHALLENGER} --version 7 "
        "starts the field's shadow test of version 7)",
    )
    parser.add_argument("--version", help="registered model version number, instead of an alias")
    parser.add_argument(
        vetting.ALLOW_UNVETTED_OPTION,
        metavar="REASON",
        help="export a version the quality gate did not pass; REASON is written into the signed card "
        "and shown on the laptops",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="folder for iris.onnx and model_card.json (default: assets/model in the project)",
    )
    parser.add_argument(
        "--tracking-uri",
        help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI, else "
        "sqlite:///mlflow.db in the project folder)",
    )
    release = parser.add_argument_group("signed release (for delivery to the laptops)")
    release.add_argument(
        "--sign-key",
        type=Path,
        metavar="FILE",
        help="sign the release with this Ed25519 key (from `iris-keys generate`; passphrase from "
        f"${releases.PASSPHRASE_ENV})",
    )
    release.add_argument(
        "--registry",
        metavar="NAME",
        help="the registry name written into the release (default: the tracking URI)",
    )
    release.add_argument(
        "--bundle",
        type=Path,
        metavar="FILE.irismodel",
        help="also write the signed release as one file, for laptops that never get online",
    )
    return parser


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def export(
    *,
    alias: str | None,
    version: str | None,
    out: Path,
    tracking_uri: str | None,
    sign_key: Path | None = None,
    registry: str | None = None,
    bundle: Path | None = None,
    allow_unvetted: str | None = None,
) -> ExportOutcome:
    """Export one version (gate checked, ``_which`` for aliases); nothing changes unless parity holds."""
    alias, move_alias = _which(alias, version, sign_key, bundle)
    uri = resolve_tracking_uri(tracking_uri)
    signer = _signer(sign_key)
    use_store(uri)
    ref = _version_to_export(alias, version, move_alias)
    vetted = _vetting(ref, allow_unvetted)
    model = register.load_version(ref)
    onnx_bytes = to_onnx(model)

    out.mkdir(parents=True, exist_ok=True)
    # The staging folder sits inside ``out`` so the final os.replace never crosses file systems.
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=out))
    try:
        everything, card = _card(staging, ref, onnx_bytes, vetted)
        _write(staging / ONNX_FILENAME, onnx_bytes)
        _write(staging / CARD_FILENAME, card.to_json().encode("utf-8"))
        classifier = _load_as_the_app_does(staging)
        probes = np.vstack([everything.features, probe_rows(card.features, seed=int(ref.version))])
        report = check(classifier, model, probes)
        release, card_file = None, b""
        if sign_key is not None:
            rows = (classifier, probes, everything)
            release, card_file = _sign(
                staging, card, rows, (sign_key, signer, registry or uri), bundle, onnx_bytes
            )

        # Model first, card second: each file is replaced atomically; the card names the model's sha256,
        # so a reader that catches the moment between the two sees a mismatch, never a wrong prediction.
        os.replace(staging / ONNX_FILENAME, out / ONNX_FILENAME)
        os.replace(staging / CARD_FILENAME, out / CARD_FILENAME)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    _publish(ref, out, card.sha256, vetted, (release, card_file, sign_key), move_alias)
    return ExportOutcome(
        ref.version,
        ref.run_id,
        out / ONNX_FILENAME,
        out / CARD_FILENAME,
        card.sha256,
        report.rows,
        report.max_abs_difference,
        release.sequence if release else None,
        signer,
        bundle,
        move_alias or "",
        vetted.unvetted_reason,
    )


def _version_to_export(alias: str | None, version: str | None, move_alias: str | None) -> register.VersionRef:
    """Return the registered version to export (``move_alias``: the alias it will be given); refuse none."""
    ref = register.find_version(alias=None if version else alias, version=version)
    if ref is None:
        wanted = f"version {version}" if version else f"alias @{alias}"
        raise ExportError(f"the registry has no {MODEL_NAME} {wanted}; run iris-train first")
    if move_alias is not None:
        ref = replace(ref, alias=move_alias)
    return ref


def _vetting(ref: register.VersionRef, allow_unvetted: str | None) -> vetting.Vetting:
    """Return whether the gate passed the version; refuse one it did not, unless a reason is given."""
    from mlflow import MlflowClient

    tags = MlflowClient().get_model_version(MODEL_NAME, ref.version).tags
    return vetting.check(ref.version, tags, allow_unvetted)


def _card(
    staging: Path, ref: register.VersionRef, onnx_bytes: bytes, vetted: vetting.Vetting
) -> tuple[LabelledData, ModelCard]:
    """Return the run's logged rows (all of them) and the card of the exported model, with its vetting."""
    from mlflow import MlflowClient

    everything, training_rows = register.logged_data(ref.run_id, staging / "download")
    metrics = MlflowClient().get_run(ref.run_id).data.metrics
    card = build_card(
        onnx_bytes=onnx_bytes,
        training_rows=training_rows,
        metrics=metrics,
        model_version=ref.version,
        alias=ref.alias,
        run_id=ref.run_id,
    )
    return everything, replace(card, gate=vetted.gate, unvetted_reason=vetted.unvetted_reason)


def _load_as_the_app_does(staging: Path) -> Classifier:
    """Return the exported model loaded as the app loads it; refuse one the app cannot load."""
    try:
        return Classifier.load(staging)
    except IrisFieldError as exc:
        raise ExportError(f"the app cannot load the exported model: {exc}") from None


def _sign(
    staging: Path,
    card: ModelCard,
    rows: tuple[Classifier, np.ndarray, LabelledData],
    signing: tuple[Path, str, str],
    bundle: Path | None,
    onnx_bytes: bytes,
) -> tuple[releases.Release, bytes]:
    """Sign the release; put its card in ``staging`` (and the bundle at ``bundle``); return both.

    ``rows`` are the exported model, the parity probes and the run's data, which the release's reference
    rows and data fingerprint come from; ``signing`` is the key, its fingerprint and the registry's address.
    """
    classifier, probes, everything = rows
    sign_key, signer, registry = signing
    release = releases.new_release(
        card=card,
        registry=registry,
        sequence=releases.next_sequence(),
        signer=signer,
        rows=releases.reference_rows(classifier, probes),
        data_fingerprint=everything.fingerprint(),
    )
    card_file = releases.card_bytes(releases.signed_card(card, release, sign_key))
    _write(staging / CARD_FILENAME, card_file)
    if bundle is not None:
        releases.write_bundle(bundle, onnx_bytes, card_file)
    return release, card_file


def _publish(
    ref: register.VersionRef,
    out: Path,
    sha256: str,
    vetted: vetting.Vetting,
    signed: tuple[releases.Release | None, bytes, Path | None],
    move_alias: str | None,
) -> None:
    """Log the files on the version's run, tag it, record the release and its timestamp, then move the alias.

    ``signed`` is the release (None for an unsigned export), its signed card's bytes and the key that
    signed it, which also signs the release's first timestamp (docs/model-delivery.md, freshness).
    """
    from mlflow import MlflowClient

    release, card_file, sign_key = signed
    client = MlflowClient()
    client.log_artifact(ref.run_id, str(out / ONNX_FILENAME), register.EXPORT_ARTIFACT_DIR)
    client.log_artifact(ref.run_id, str(out / CARD_FILENAME), register.EXPORT_ARTIFACT_DIR)
    exported = {releases.EXPORTED_SHA256_TAG: sha256}
    if vetted.unvetted_reason:
        exported[vetting.UNVETTED_TAG] = vetted.unvetted_reason
    register.tag_version(ref.version, exported)
    if release is not None and sign_key is not None:
        # Last: laptops compare these tags, so they name a release only once its files are on the server.
        stamp = releases.signed_timestamp(releases.Timestamp.of_release(release, sha256), sign_key)
        releases.record_release(ref.version, release, hashlib.sha256(card_file).hexdigest(), stamp)
    if move_alias is not None:
        register.set_alias(move_alias, ref.version)


def _which(
    alias: str | None, version: str | None, sign_key: Path | None, bundle: Path | None
) -> tuple[str | None, str | None]:
    """Return (alias to export, alias to move afterwards); raise ``ExportError`` for options that clash."""
    move_alias = alias if version and alias else None
    if move_alias is not None and sign_key is None:
        raise ExportError(f"moving @{move_alias} needs --sign-key: laptops install signed releases only")
    if bundle is not None and sign_key is None:
        raise ExportError("--bundle needs --sign-key: laptops install signed releases only")
    if bundle is not None and bundle.suffix != releases.BUNDLE_SUFFIX:
        raise ExportError(f"the bundle file name must end in {releases.BUNDLE_SUFFIX}")
    return alias or (None if version else CHAMPION), move_alias


def _signer(sign_key: Path | None) -> str:
    """Return the signing key's fingerprint (checked before anything is converted), or "" when unsigned."""
    if sign_key is None:
        return ""
    try:
        return releases.signer_fingerprint(sign_key)
    except IrisFieldError as exc:
        raise ExportError(str(exc)) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``iris-export``; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        outcome = export(
            alias=args.alias,
            version=args.version,
            out=args.out,
            tracking_uri=args.tracking_uri,
            sign_key=args.sign_key,
            registry=args.registry,
            bundle=args.bundle,
            allow_unvetted=args.allow_unvetted,
        )
    except TrainingError as exc:
        print(f"iris-export: nothing was written: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:
        # The tracking store's own errors (unreachable server, locked or foreign database) are the
        # environment's fault, not a bug: say so in one sentence. Anything else is a bug: keep its traceback.
        if not type(exc).__module__.startswith("mlflow"):
            raise
        reason = str(getattr(exc, "message", exc)).strip().splitlines()[0]
        print(
            f"iris-export: nothing was written: the MLflow tracking store failed: {reason}", file=sys.stderr
        )
        return EXIT_FAILURE
    print(
        f"Exported {MODEL_NAME} version {outcome.version} (run {outcome.run_id})\n"
        f"Parity: {outcome.parity_rows} rows, same species, largest probability difference "
        f"{outcome.max_abs_difference:.1e}\n"
        f"Wrote {outcome.onnx_path} (sha256 {outcome.sha256[:12]}…) and {outcome.card_path}"
    )
    if outcome.sequence is not None:
        print(f"Signed release {outcome.sequence} of version {outcome.version} with key {outcome.signer}")
    if outcome.bundle_path is not None:
        print(f"Wrote the release file {outcome.bundle_path}")
    if outcome.moved_alias:
        print(f"{MODEL_NAME}@{outcome.moved_alias} is now version {outcome.version}.")
    if outcome.unvetted_reason:
        print(f"Shipped without a gate pass, for the reason written into the card: {outcome.unvetted_reason}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
