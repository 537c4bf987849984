"""Confirmed field observations as training rows: read from an ``iris-dataset`` snapshot, checked, lineage.

Only rows whose device signature ``iris-dataset`` found ``verified`` are learned from, unless the caller
includes the unverified ones too (``iris-train --include-unverified``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from desktop.signing.observation_signature import Integrity
from training.data import LabelledData, Split
from training.dataset.collect import DATASET_NAME, SnapshotState
from training.errors import DataError
from training.field import schema as fs
from training.field import table as field_table
from training.schema import CLASSES, FEATURES

TRAINING_CONTEXT = "training"


@dataclass(frozen=True)
class FieldSnapshot:
    """The confirmed observations of one snapshot, ready to train on, and where they came from."""

    data: LabelledData
    observation_ids: tuple[str, ...]
    folder: Path
    observations: int  # rows in the snapshot, confirmed or not
    duplicate_ids: int  # rows dropped because their observation id came earlier
    unverified: int  # confirmed rows left out: not verified (altered, unsigned, unknown-key); 0 if included
    include_unverified: bool
    state: SnapshotState | None
    table: pd.DataFrame  # the whole snapshot, as logged by iris-dataset


def _check(row: pd.Series, source: str) -> None:
    """Raise ``DataError`` unless the row's species is known and its measurements are plausible."""
    where = f"{source}: observation {row[fs.ID]}"
    if row[fs.CONFIRMED] not in CLASSES:
        raise DataError(f"{where}: species {row[fs.CONFIRMED]!r} is not one of {', '.join(CLASSES)}")
    for spec in FEATURES:
        value = float(row[spec.name])
        if math.isnan(value):
            raise DataError(f"{where}: {spec.name} is missing")
        if not spec.plausible_min < value <= spec.plausible_max:
            raise DataError(
                f"{where}: {spec.name} {value:g} {spec.unit} is outside the plausible range "
                f"(more than {spec.plausible_min:g} and at most {spec.plausible_max:g} {spec.unit})"
            )


def load(folder: Path, *, include_unverified: bool = False) -> FieldSnapshot:
    """Read the confirmed, verified observations of a snapshot folder; raise ``DataError`` if unusable.

    ``include_unverified`` takes every confirmed row, whatever its integrity.
    """
    folder = Path(folder)
    try:
        table = field_table.read(folder)
    except (OSError, ValueError) as exc:
        raise DataError(f"the field snapshot in {folder} cannot be read: {exc}") from None
    if table is None:
        raise DataError(
            f"{folder} holds no {field_table.PARQUET_FILE}; run iris-dataset --out {folder} first"
        )
    unique = table.drop_duplicates(subset=[fs.ID], keep="first")
    confirmed = field_table.confirmed(unique).reset_index(drop=True)
    if confirmed.empty:
        raise DataError(
            f"no observation in the field snapshot {folder} has a species confirmed by a botanist"
        )
    trusted = confirmed[fs.INTEGRITY] == str(Integrity.VERIFIED)
    unverified = 0 if include_unverified else int((~trusted).sum())
    if not include_unverified:
        confirmed = confirmed[trusted].reset_index(drop=True)
    if confirmed.empty:
        raise DataError(
            f"none of the {unverified} confirmed observations in the field snapshot {folder} is verified "
            "(see its integrity column); train on them anyway with --include-unverified"
        )
    for _, row in confirmed.iterrows():
        _check(row, f"the field snapshot {folder}")
    data = LabelledData(
        confirmed[[f.name for f in FEATURES]].to_numpy(dtype=np.float64),
        np.array([CLASSES.index(s) for s in confirmed[fs.CONFIRMED]], dtype=np.int64),
        f"field:{folder}",
    )
    return FieldSnapshot(
        data=data,
        observation_ids=tuple(confirmed[fs.ID]),
        folder=folder,
        observations=len(unique),
        duplicate_ids=len(table) - len(unique),
        unverified=unverified,
        include_unverified=include_unverified,
        state=SnapshotState.read(folder),
        table=table,
    )


def log_lineage(snapshot: FieldSnapshot, parts: Split, field_offset: int) -> None:
    """Log, into the active run, which snapshot fed it and how many of its rows sit on each side."""
    import mlflow

    test_rows = int((parts.test_rows >= field_offset).sum())
    source = snapshot.state.tracking_uri if snapshot.state else str(snapshot.folder)
    dataset = mlflow.data.from_pandas(snapshot.table, source=source, name=DATASET_NAME)
    mlflow.log_input(dataset, context=TRAINING_CONTEXT)
    mlflow.log_params(
        {
            "field_rows": len(snapshot.data),
            "field_train_rows": len(snapshot.data) - test_rows,
            "field_test_rows": test_rows,
            "field_snapshot_observations": snapshot.observations,
            "field_duplicate_ids_dropped": snapshot.duplicate_ids,
            "field_unverified_left_out": snapshot.unverified,
            "field_include_unverified": snapshot.include_unverified,
        }
    )
    tags = {"field_snapshot_digest": dataset.digest}
    if snapshot.state is not None:
        tags["field_snapshot_run_id"] = snapshot.state.snapshot_run_id
    mlflow.set_tags(tags)
    ids = pd.DataFrame(
        {
            fs.ID: snapshot.observation_ids,
            "split": np.where(
                np.isin(np.arange(len(snapshot.data)) + field_offset, parts.test_rows), "test", "train"
            ),
        }
    )
    mlflow.log_text(ids.to_csv(index=False), "data/field_observations.csv")
