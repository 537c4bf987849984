"""``iris-dataset``: every field observation on the lab's server as one table, a DwC-A and a snapshot."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from contract.exit_codes import ExitCode
from contract.registry import Experiment
from desktop.signing.observation_signature import Integrity
from training import command_failures, tracking
from training.accounts import device_keys
from training.dataset import dwca
from training.errors import TrainingError
from training.field import runs as field_runs
from training.field import schema as fs
from training.field import table as field_table

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities import Experiment as MlflowExperiment

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
    trust: str = ""  # what the integrity column rests on: "first use", or "list <digest>" (--device-keys)

    def write(self, folder: Path) -> None:
        """Keep this state in ``folder`` for the next run."""
        (folder / STATE_FILE).write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

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
    integrity: dict[str, int] = field(default_factory=dict)  # rows per integrity value, every value named


def _starting_point(
    out: Path, state: SnapshotState | None, source: tuple[str, str], key_list: Path | None
) -> tuple[object | None, device_keys.DeviceKeyBook]:
    """Return the previous table to update (None: fetch every run) and the key book to judge runs by."""
    keys = device_keys.for_snapshot(out, key_list)
    if state is None:
        return None, keys
    if (state.tracking_uri, state.experiment_id) != source:  # another server or experiment
        return None, device_keys.DeviceKeyBook() if keys.learns else keys
    previous = field_table.read(out) if state.trust == keys.trust else None
    if previous is not None and (previous[fs.INTEGRITY] == "").any():
        previous = None  # a snapshot from before signatures: every run is judged afresh
    return previous, keys


def integrity_metrics(table) -> dict[str, int]:
    """Return the integrity counts as the snapshot run's metrics (``integrity_unknown_key``, …)."""
    return {f"integrity_{value.replace('-', '_')}": n for value, n in integrity_counts(table).items()}


def integrity_counts(table) -> dict[str, int]:
    """Return how many rows have each integrity value (every value named, zeros included)."""
    counts = table[fs.INTEGRITY].value_counts()
    return {str(value): int(counts.get(str(value), 0)) for value in Integrity}


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
        "--device-keys",
        type=Path,
        metavar="FILE",
        help="the lab's list of trusted device keys (JSON, as the snapshot's "
        f"{device_keys.KEYS_FILE}); default: trust each device's first key seen (kept in "
        f"DIR/{device_keys.KEYS_FILE})",
    )
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


def _write_files(
    folder: Path, table, published_ms: int, keys: device_keys.DeviceKeyBook, publishing: dict | None = None
) -> None:
    """Write table, CSV, archive and a first-use key book; each file is replaced whole, never half seen."""
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
        names = [field_table.PARQUET_FILE, field_table.CSV_FILE, DWCA_FILE]
        if keys.learns:
            (staging / device_keys.KEYS_FILE).write_text(keys.to_json(), encoding="utf-8")
            names.append(device_keys.KEYS_FILE)
        for name in names:
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
    key_list: Path | None = None,
    publishing: dict | None = None,
) -> DatasetOutcome:
    """Fetch, judge, merge, write and log one snapshot; raise ``TrainingError`` on a problem the user can fix.

    Fetches what changed since the last call (less ``clock_margin_ms``); ``full`` or a new ``key_list``: all.
    """
    from mlflow import MlflowClient

    tracking.limit_http_retries()
    uri = tracking.resolve_tracking_uri(tracking_uri)
    tracking.quiet_mlflow()
    client = MlflowClient(uri)
    found = _experiment(client, uri, experiment)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise TrainingError(f"{out} is a file, not a folder")
    started = int(time.time() * 1000)
    state = None if full else SnapshotState.read(out)
    previous, keys = _starting_point(out, state, (uri, found.experiment_id), key_list)
    since = state.fetched_at_ms - clock_margin_ms if previous is not None else None
    fetched = field_runs.fetch(client, found.experiment_id, changed_since_ms=since, keys=keys)
    table = field_table.merge(previous, fetched)
    _write_files(out, table, started, keys, publishing)

    figures = {
        "observations": len(table),
        "fetched": len(fetched.rows),
        "deleted_runs": len(fetched.deleted_run_ids),
        "devices": int(table[fs.DEVICE].nunique()),
        "observers": int(table[fs.OBSERVER].nunique()),
        "confirmed": len(field_table.confirmed(table)),
        "located": len(field_table.located(table)),
        **integrity_metrics(table),
        "incremental": since is not None,
    }
    run_id, digest = _log_snapshot(uri, found.experiment_id, table, out, figures)
    SnapshotState(
        uri, experiment, found.experiment_id, started, len(table), run_id, digest, keys.trust
    ).write(out)
    return DatasetOutcome(
        rows=len(table),
        fetched=len(fetched.rows),
        deleted=len(fetched.deleted_run_ids),
        devices=figures["devices"],
        confirmed=figures["confirmed"],
        incremental=since is not None,
        snapshot_run_id=run_id,
        digest=digest,
        integrity=integrity_counts(table),
    )


def _experiment(client: MlflowClient, uri: str, experiment: str) -> MlflowExperiment:
    """Return the laptops' experiment on the server; refuse one that does not exist (yet)."""
    found = client.get_experiment_by_name(experiment)
    if found is None:
        raise TrainingError(
            f"the server at {uri} has no experiment {experiment!r}: no laptop synced to it yet"
        )
    return found


def integrity_line(outcome: DatasetOutcome, folder: Path, key_list: Path | None) -> str:
    """Return the one line of integrity counts the terminal shows, and what trust they rest on."""
    counts = ", ".join(f"{count} {value}" for value, count in outcome.integrity.items())
    basis = f"each device's first key trusted, kept in {folder / device_keys.KEYS_FILE}"
    return f"Integrity: {counts} ({'keys from --device-keys' if key_list else basis})."


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
            key_list=args.device_keys,
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
        f"{integrity_line(outcome, args.out, args.device_keys)}\n"
        f"Snapshot {outcome.digest} logged as run {outcome.snapshot_run_id} "
        f"in experiment {fs.SNAPSHOT_EXPERIMENT!r}.",
        file=out,
    )
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
