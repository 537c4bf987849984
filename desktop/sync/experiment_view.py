"""How the field experiment presents itself in the MLflow UI: what a run is, and opened as model training."""

from __future__ import annotations

from contract import mlflow_tags
from contract import observation as fields
from contract.mlflow_tags import MlflowTag
from desktop.sync.run_record import CONFIRMED_SPECIES_TAG, SPECIES_TAG

DESCRIPTION_TAG = MlflowTag.NOTE.value  # the experiment's description, shown above its runs
# The experiment type the MLflow UI's own type selector writes. MLflow 3.17.2's UI itself decides from a
# per-browser switch (default GenAI), so the description says how to switch; see docs/lab.md.
EXPERIMENT_KIND_TAG = MlflowTag.EXPERIMENT_KIND.value
MODEL_TRAINING_KIND = mlflow_tags.MODEL_TRAINING_KIND  # shown as "Machine learning"

# The runs table's columns lab staff add by hand (its "Columns" menu; the browser remembers the choice), in
# the order they read best. The description names them; docs/screenshots/lab_screens.py shows them.
METRIC_COLUMNS = (fields.CONFIDENCE.key,)
TAG_COLUMNS = (
    SPECIES_TAG,
    CONFIRMED_SPECIES_TAG,
    *(f.key for f in (fields.OBSERVER, fields.DEVICE, fields.LOCATION)),
)


def _code_list(names: tuple[str, ...]) -> str:
    return ", ".join(f"`{name}`" for name in names)


DESCRIPTION = f"""\
**Iris Field observations.** One run per flower a botanist measured in the field with the Iris Field app, \
sent by the laptop's sync exactly once.

- **Run name**: the species and who said so: `setosa (predicted)`, `setosa (confirmed)`, or \
`virginica (confirmed; predicted setosa)` when a botanist corrected the model.
- **Parameters**: the four measurements in cm. **Metrics**: `probability.<species>`, `confidence`, \
`synced_at`.
- **Columns to add** (the **Columns** button above the table): under *Metrics* \
{_code_list(METRIC_COLUMNS)}; under *Tags* {_code_list(TAG_COLUMNS)} (the browser remembers them). \
The other tags (`predicted_species`, `model_version`, `outlier`, …) are there too.
- **Search**, e.g. `tags.species = 'virginica'`, `tags.device = 'field-laptop-7'`, \
`tags.confirmed_species != ''`.

If this page opens on a GenAI overview ("Traces"), switch to **Model training** (top left; the browser \
remembers it) or add `?workflowType=machine_learning` to the address. \
The lab's own tools read these runs: `iris-dataset` (one table of all laptops and a Darwin Core Archive), \
`iris-monitor` (drift and field accuracy), `iris-train --field-data` (learning from confirmations); \
see docs/lab.md.
"""


def experiment_tags() -> dict[str, str]:
    """Return the tags the sync gives the experiment it creates (or finds without a description)."""
    return {DESCRIPTION_TAG: DESCRIPTION, EXPERIMENT_KIND_TAG: MODEL_TRAINING_KIND}
