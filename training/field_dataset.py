"""``iris-dataset``: every field observation on the lab's server as one table, a DwC-A and a snapshot."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from contract.exit_codes import ExitCode
from contract.registry import Experiment
from training import command_failures, dwca, field_runs, field_table, tracking
from training import field_schema as fs
from training.errors import TrainingError

EXIT_OK = ExitCode.OK
EXIT_FAILURE = ExitCode.FAILURE
STATE_FILE = "iris-dataset.json"
DWCA_FILE = "observations-dwca.zip"
DATASET_NAME = Experiment.FIELD.value  # the snapshot is named after what it holds
SNAPSHOT_CONTEXT = "snapshot"
# A later run asks for runs sent since its previous start, less this margin: laptops' clocks (read while
# online, so usually set by the network) may run behind the lab's by this much and nothing is missed.
CLOCK_MARGIN_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class SnapshotState:
    """What the last run of ``iris-dataset`` in a folder read, and where its snapshot was logged."""

    tracking_uri: str
    experiment: str
    experiment_id: str
    fetched_at_ms: int
    rows: int
    snapshot_run_id: str
    digest: str

    @classmethod
    def read(cls, folder: Path) -> SnapshotState | None:
        """Return the folder's state, or None if it has none (or an unreadable one: then fetch it all)."""
        try:
            return cls(**json.loads((folder / STATE_FILE).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None


@dataclass(frozen=True)
class DatasetOutcome:
    """What one run of ``iris-dataset`` produced."""

    rows: int
    fetched: int
    deleted: int
    devices: int
    confirmed: int
    incremental: bool
    snapshot_run_id: str
    digest: str


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser of ``iris-dataset``."""
    parser = argparse.ArgumentParser(
        prog="iris-dataset",
        description="Collect every field observation the laptops synced into one table "
        f"({field_table.PARQUET_FILE}, {field_table.CSV_FILE}) and a Darwin Core Archive ({DWCA_FILE}); "
        f"log the snapshot as a dataset input of a run in experiment {fs.SNAPSHOT_EXPERIMENT!r}. "
        "A later run into the same folder fetches only what changed.",
        epilog="Exit status: 0 written, 1 failure, 2 invalid options.",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the snapshot")
    parser.add_argument(
        "--experiment",
        default=fs.FIELD_EXPERIMENT,
        metavar="NAME",
        help="the experiment the laptops sync to (default %(default)s)",
    )
    parser.add_argument(
        "--tracking-uri", help="the lab's MLflow server (default: $MLFLOW_TRACKING_URI, else the local store)"
    )
    parser.add_argument("--full", action="store_true", help="fetch every observation again, not just changes")
    parser.add_argument(
        "--license",
        choices=tuple(dwca.LICENCES),
        default=dwca.DEFAULT_LICENCE,
        help="the archive's licence, written into eml.xml (default %(default)s; GBIF takes only these)",
    )
    parser.add_argument(
        "--contact",
        type=_contact,
        metavar='"NAME <EMAIL>"',
        help="the data set's creator and contact in eml.xml (default: the lab, without a person)",
    )
    return parser


def _contact(text: str) -> dwca.Contact:
    try:
        return dwca.Contact.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _write_files(folder: Path, table, published_ms: int, publishing: dict | None = None) -> None:
    """Write table, CSV and archive; each file is replaced whole, so a reader never sees half of one."""
    from datetime import UTC, datetime

    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".iris-dataset-", dir=folder))
    try:
        field_table.write_parquet(table, staging / field_table.PARQUET_FILE)
        field_table.write_csv(table, staging / field_table.CSV_FILE)
        published = datetime.fromtimestamp(published_ms / 1000, UTC)
        (staging / DWCA_FILE).write_bytes(
            dwca.archive_bytes(table, published=published, **(publishing or {}))
        )
        for name in (field_table.PARQUET_FILE, field_table.CSV_FILE, DWCA_FILE):
            (staging / name).replace(folder / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _log_snapshot(uri: str, experiment_id: str, table, folder: Path, outcome: dict) -> tuple[str, str]:
    """Log the snapshot as a dataset input of a run in the field-data experiment; return (run id, digest)."""
    import mlflow

    snapshot_experiment = tracking.use_experiment(uri, fs.SNAPSHOT_EXPERIMENT, fs.LAB_EXPERIMENT_TAGS)
    dataset = mlflow.data.from_pandas(
        table, source=f"{uri.rstrip('/')}/#/experiments/{experiment_id}", name=DATASET_NAME
    )
    name = f"snapshot of {len(table)} observations"
    with mlflow.start_run(experiment_id=snapshot_experiment, run_name=name) as run:
        mlflow.log_input(dataset, context=SNAPSHOT_CONTEXT)
        mlflow.log_params({"source_experiment_id": experiment_id, "incremental": outcome["incremental"]})
        mlflow.log_metrics({k: v for k, v in outcome.items() if k != "incremental"})
        mlflow.set_tags({"dataset_digest": dataset.digest})
        for name in (field_table.PARQUET_FILE, DWCA_FILE):
            mlflow.log_artifact(str(folder / name), "snapshot")
        return run.info.run_id, dataset.digest


def collect(
    *,
    tracking_uri: str | None,
    experiment: str,
    out: Path,
    full: bool = False,
    clock_margin_ms: int = CLOCK_MARGIN_MS,
    publishing: dict | None = None,
) -> DatasetOutcome:
    """Fetch, merge, write and log one snapshot; raise ``TrainingError`` on a problem the user can fix.

    A later call fetches the runs sent since the previous began, less ``clock_margin_ms``; ``full``: all.
    """
    from mlflow import MlflowClient

    tracking.limit_http_retries()
    uri = tracking.resolve_tracking_uri(tracking_uri)
    tracking.quiet_mlflow()
    client = MlflowClient(uri)
    found = client.get_experiment_by_name(experiment)
    if found is None:
        raise TrainingError(
            f"the server at {uri} has no experiment {experiment!r}: no laptop synced to it yet"
        )
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise TrainingError(f"{out} is a file, not a folder")
    started = int(time.time() * 1000)
    state = None if full else SnapshotState.read(out)
    same_source = state is not None and (state.tracking_uri, state.experiment_id) == (
        uri,
        found.experiment_id,
    )
    previous = field_table.read(out) if same_source else None
    since = state.fetched_at_ms - clock_margin_ms if same_source and previous is not None else None
    fetched = field_runs.fetch(client, found.experiment_id, changed_since_ms=since)
    table = field_table.merge(previous, fetched)
    _write_files(out, table, started, publishing)

    figures = {
        "observations": len(table),
        "fetched": len(fetched.rows),
        "deleted_runs": len(fetched.deleted_run_ids),
        "devices": int(table[fs.DEVICE].nunique()),
        "observers": int(table[fs.OBSERVER].nunique()),
        "confirmed": len(field_table.confirmed(table)),
        "located": len(field_table.located(table)),
        "incremental": since is not None,
    }
    run_id, digest = _log_snapshot(uri, found.experiment_id, table, out, figures)
    new_state = SnapshotState(uri, experiment, found.experiment_id, started, len(table), run_id, digest)
    (out / STATE_FILE).write_text(json.dumps(asdict(new_state), indent=2) + "\n", encoding="utf-8")
    return DatasetOutcome(
        rows=len(table),
        fetched=len(fetched.rows),
        deleted=len(fetched.deleted_run_ids),
        devices=figures["devices"],
        confirmed=figures["confirmed"],
        incremental=since is not None,
        snapshot_run_id=run_id,
        digest=digest,
    )


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run ``iris-dataset``; return the exit status."""
    args = build_parser().parse_args(argv)
    out = out or sys.stdout
    try:
        outcome = collect(
            tracking_uri=args.tracking_uri,
            experiment=args.experiment,
            out=args.out,
            full=args.full,
            publishing={"licence": args.license, "contact": args.contact},
        )
    except Exception as exc:
        said = command_failures.sentence(exc, writing=args.out)
        if said is None:
            raise
        print(f"iris-dataset: {said}", file=sys.stderr)
        return EXIT_FAILURE
    how = "changes fetched" if outcome.incremental else "all fetched"
    print(
        f"{outcome.rows} observations from {outcome.devices} laptops ({outcome.confirmed} confirmed; "
        f"{outcome.fetched} runs {how}, {outcome.deleted} deleted runs left out) in {args.out}\n"
        f"Snapshot {outcome.digest} logged as run {outcome.snapshot_run_id} "
        f"in experiment {fs.SNAPSHOT_EXPERIMENT!r}.",
        file=out,
    )
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
