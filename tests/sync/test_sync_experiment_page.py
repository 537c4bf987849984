"""Specification of how the field experiment introduces itself in the MLflow UI: the columns to add."""

from pathlib import Path

from desktop.sync.experiment_view import DESCRIPTION, METRIC_COLUMNS, TAG_COLUMNS
from desktop.sync.run_record import build_run_record
from tests.sync.history_factory import make_observation

LAB_GUIDE = Path(__file__).resolve().parents[2] / "docs" / "lab.md"


def columns_sentence() -> str:
    """Return the words that name the columns to add, as the description and the lab guide give them."""
    metrics = ", ".join(f"`{key}`" for key in METRIC_COLUMNS)
    tags = ", ".join(f"`{key}`" for key in TAG_COLUMNS)
    return f"under *Metrics* {metrics}; under *Tags* {tags}"


def test_every_column_to_add_is_a_metric_or_tag_a_synced_run_carries() -> None:
    record = build_run_record(
        make_observation(4, confirmed_species="virginica", location="Meadow 1"), device="d"
    )
    assert set(METRIC_COLUMNS) <= {m.key for m in record.metrics}
    assert set(TAG_COLUMNS) <= set(record.tag_dict)


def test_the_description_and_the_lab_guide_name_the_same_columns_to_add() -> None:
    guide = " ".join(LAB_GUIDE.read_text(encoding="utf-8").split())  # the guide wraps its lines
    assert columns_sentence() in " ".join(DESCRIPTION.split())
    assert columns_sentence() in guide
