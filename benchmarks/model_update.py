"""Section 9: model updates from a local mlflow server — the app's check and install vs MLflow's client."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from benchmarks.context import Context
from benchmarks.report import Figure, Section, speedup
from benchmarks.server import mlflow_server
from benchmarks.timing import Distribution
from contract.registry import CARD_FILENAME, EXPORT_FOLDER, MODEL_NAME, ONNX_FILENAME, ReleaseTag


def _publish(url: str, model_dir: Path, work: Path) -> tuple[dict, str]:
    """Sign the workspace's export and publish it as iris-export does: artifacts, version, alias, tags."""
    from mlflow import MlflowClient

    from desktop.model_delivery.signing import load_public_key
    from training.release import keys
    from training.release import signing as release

    keys.generate(work / "keys")
    folder = work / "release"
    shutil.copytree(model_dir, folder)
    release.sign_folder(
        folder,
        work / "keys" / keys.PRIVATE_KEY_FILENAME,
        registry=url,
        sequence=1,
        allow_unvetted="benchmark: signed only to be measured",  # used only if the gate never passed it
    )
    client = MlflowClient(url)
    experiment = client.create_experiment("model-update-benchmark")
    run = client.create_run(experiment)
    for name in (ONNX_FILENAME, CARD_FILENAME):
        client.log_artifact(run.info.run_id, str(folder / name), EXPORT_FOLDER)
    client.set_terminated(run.info.run_id)
    client.create_registered_model(MODEL_NAME)
    version = client.create_model_version(MODEL_NAME, f"{run.info.artifact_uri}/export", run.info.run_id)
    client.set_registered_model_alias(MODEL_NAME, "champion", version.version)
    for key, value in ((ReleaseTag.SEQUENCE, "1"), (ReleaseTag.REGISTRY, url)):
        client.set_model_version_tag(MODEL_NAME, version.version, key, value)
    public = load_public_key(work / "keys" / keys.PUBLIC_KEY_FILENAME)
    return {public.fingerprint: public}, run.info.run_id


def run(ctx: Context) -> Section:
    """Measure an update check when nothing changed and a full update (download, verify, install)."""
    title = "9. Model update"
    check_name, full_name = (
        "update check, nothing new (app)",
        "full update: download + verify + install (app)",
    )
    if ctx.quick:
        reason = "skipped: quick mode (a second mlflow server would double the CI's server start-up)"
        return Section(
            "model_update",
            title,
            (Figure.skip(check_name, "ms", reason), Figure.skip(full_name, "s", reason)),
        )
    from mlflow import MlflowClient
    from mlflow.artifacts import download_artifacts

    from desktop.model_delivery.model_store import ModelStore
    from desktop.model_delivery.registry_client import RegistryClient
    from desktop.model_delivery.updater import UpdateStatus, check_for_update

    model_dir = ctx.workspace().model_dir
    work = ctx.work / "model-update"
    with mlflow_server(work / "server") as url:
        trusted, run_id = _publish(url, model_dir, work)
        client = RegistryClient(url)
        installed = []

        def full_update(i: int) -> float:
            fresh = ModelStore(work / f"laptop-{i}" / "models", trusted=trusted)
            start = time.perf_counter()
            result = check_for_update(fresh, client)
            elapsed = time.perf_counter() - start
            installed.append(result.status)
            return elapsed

        def mlflow_download(i: int) -> float:
            start = time.perf_counter()
            for name in (CARD_FILENAME, ONNX_FILENAME):
                download_artifacts(
                    run_id=run_id,
                    artifact_path=f"export/{name}",
                    dst_path=str(work / f"dl-{i}"),
                    tracking_uri=url,
                )
            return time.perf_counter() - start

        rounds = 10
        full = [full_update(i) for i in range(rounds)]
        peer_full = [mlflow_download(i) for i in range(rounds)]
        assert all(s is UpdateStatus.INSTALLED for s in installed), installed
        current = ModelStore(work / "laptop-0" / "models", trusted=trusted)
        mlflow_client = MlflowClient(url)
        check_samples, peer_samples, requests = [], [], []
        for _ in range(100):
            client.requests_made = 0
            start = time.perf_counter()
            status = check_for_update(current, client).status
            check_samples.append((time.perf_counter() - start) * 1e3)
            requests.append(client.requests_made)
            assert status is UpdateStatus.CURRENT
            start = time.perf_counter()
            mlflow_client.get_model_version_by_alias(MODEL_NAME, "champion")
            peer_samples.append((time.perf_counter() - start) * 1e3)
        client.close()
    check, peer_check = Distribution.of(check_samples), Distribution.of(peer_samples)
    update, peer_update = Distribution.of(full), Distribution.of(peer_full)
    figures = (
        Figure.measured(
            check_name,
            "ms",
            check,
            ratio=speedup(peer_check, check),
            ratio_label="faster than MlflowClient alias lookup",
            note=f"{max(requests)} request(s), nothing downloaded",
        ),
        Figure.measured("get_model_version_by_alias (MlflowClient, peer)", "ms", peer_check),
        Figure.measured(
            full_name,
            "s",
            update,
            ratio=speedup(peer_update, update),
            ratio_label="faster than mlflow download_artifacts (same 2 files, unchecked)",
        ),
        Figure.measured("download_artifacts of card + ONNX (MLflow, peer)", "s", peer_update),
    )
    notes = (
        "Against a local `mlflow server` (SQLite, one worker, artifact proxy) here; the release is "
        "the workspace's export signed with a key made for the run. The full update starts from an empty "
        "model store each round: alias, run, both files, signature, sha256, schema, ONNX session, reference "
        "rows, fsync and rename.",
    )
    return Section("model_update", title, figures, notes)
