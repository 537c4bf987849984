"""The contract between laptop and lab: declared once, imported everywhere, and followed by both sides."""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import replace
from enum import Enum
from pathlib import Path

import pytest

from contract import card, environment, mlflow_api, mlflow_tags, registry
from contract import observation as fields
from desktop.model_delivery.release import ModelStamp, ShadowPrediction
from desktop.sync.run_record import build_run_record
from tests.sync.history_factory import make_observation
from training.field import schema as field_schema

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "contract"
# Where the laptop and the lab live: none of them may spell a contract name itself.
SOURCES = ("desktop", "training", "build_scripts", "benchmarks")


def _values(module: object) -> set[str]:
    found: set[str] = set()
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, Enum):
            found.update(str(member.value) for member in value)
        elif isinstance(value, str) and not value.startswith("_") and len(value) > 6:
            found.add(value)
    return found


# Names other formats of the project use for their own, not the observation's: the model card, the
# release block of a signed release and MLflow's REST answers each name a model_name or model_version.
COINCIDENCES = {fields.MODEL_NAME.name, fields.MODEL_VERSION.name}


def _observation_names() -> set[str]:
    """Return the observation's names, keys, CSV headers and Darwin Core terms that are its alone.

    A family's key counts by its prefix (``probability.``). Plain words (note, device, species…) mean
    other things elsewhere too, so only names with ``_``, ``.`` or a capital, longer than 6, are kept.
    """
    found: set[str] = set()
    for field in fields.FIELDS:
        for name in (field.name, field.key, field.csv_header, field.dwc_term):
            if name and name.endswith("{}"):
                name = name.removesuffix("{}")
            if name and "{}" not in name and len(name) > 6 and re.search(r"[_.A-Z]", name):
                found.add(name)
    return found - COINCIDENCES


# Names distinctive enough that a string literal equal to one is a second spelling, never a coincidence.
# "refused" is also a word of the updater's and the sync's own outcomes, so only the pass value is checked.
_CONTRACT_NAMES = (
    _values(registry) | _values(mlflow_tags) | _values(environment) | _values(mlflow_api) | _values(card)
)
SHARED_NAMES = sorted(
    (_CONTRACT_NAMES | _observation_names())
    - {str(a) for a in registry.Alias}
    - {card.GateVerdict.REFUSED.value}
)


def _string_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def _sources() -> list[Path]:
    return sorted(p for folder in SOURCES for p in (ROOT / folder).rglob("*.py"))


def test_the_contract_imports_only_the_standard_library() -> None:
    for path in sorted(CONTRACT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                root = node.module.split(".")[0]
            elif isinstance(node, ast.Import):
                root = node.names[0].name.split(".")[0]
            else:
                continue
            assert root in sys.stdlib_module_names or root in {"contract", "__future__"}, (path, root)


@pytest.mark.parametrize("source", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_spells_a_shared_name_itself(source: Path) -> None:
    spelled = [(line, text) for line, text in _string_literals(source) if text in SHARED_NAMES]
    assert not spelled, (
        f"{source.relative_to(ROOT)} spells contract names; import them from contract/: {spelled}"
    )


def test_the_gate_and_card_names_are_the_contract_s() -> None:
    from desktop.prediction.model_card import GATE_PASSED, ModelCard
    from training.release import vetting

    assert card.GateVerdict.PASSED in SHARED_NAMES and card.CardField.UNVETTED_REASON in SHARED_NAMES
    assert GATE_PASSED == card.GateVerdict.PASSED and vetting.GATE_TAG == card.GateTag.VERDICT
    assert vetting.UNVETTED_TAG == card.GateTag.UNVETTED_REASON
    assert {str(f) for f in card.CardField} <= set(ModelCard.__dataclass_fields__)
    assert vetting.gate_tags(True, ())[vetting.GATE_TAG] == "passed"


def _observation_with_everything():
    stamp = ModelStamp("https://lab.example/", "iris-classifier", "7", "cd" * 32, 3)
    challenger = ShadowPrediction(stamp, "versicolor", {"setosa": 0.1, "versicolor": 0.8, "virginica": 0.1})
    obs = make_observation(1, confirmed_species="versicolor", note="n", location="Alp")
    return replace(
        obs,
        latitude=47.1,
        longitude=8.2,
        model_registry="https://lab.example/",
        model_sequence=2,
        challenger=challenger,
    )


def _declared(key: str) -> bool:
    for field in fields.FIELDS:
        if field.family:
            prefix, suffix = field.key.split("{}")
            if key.startswith(prefix) and key.endswith(suffix) and len(key) > len(prefix) + len(suffix):
                return True
        elif key == field.key:
            return True
    return key in {str(tag) for tag in mlflow_tags.MlflowTag}


def test_every_key_of_a_synced_run_is_declared_in_the_contract() -> None:
    record = build_run_record(_observation_with_everything(), device="field-laptop-A")
    keys = [k for k, _ in record.params] + [m.key for m in record.metrics] + [k for k, _ in record.tags]
    undeclared = [k for k in keys if not _declared(k)]
    assert not undeclared, f"the sync writes keys the contract does not declare: {undeclared}"


def test_every_run_key_the_lab_reads_is_one_the_laptop_writes() -> None:
    record = build_run_record(_observation_with_everything(), device="field-laptop-A")
    written = {k for k, _ in record.params} | {m.key for m in record.metrics} | {k for k, _ in record.tags}
    read = {
        value
        for name, value in vars(field_schema).items()
        if name.endswith(("_TAG", "_METRIC")) and name != "RUN_DESCRIPTION_TAG"
    }
    prefixes = {value for name, value in vars(field_schema).items() if name.endswith("_PREFIX")}
    assert read <= written, f"the lab reads keys no laptop writes: {sorted(read - written)}"
    for prefix in prefixes:
        assert any(key.startswith(prefix) for key in written), prefix


def test_the_observation_names_checked_for_second_spellings_include_keys_headers_and_terms() -> None:
    checked = set(SHARED_NAMES)
    assert {"observation_id", "observed_at", "created_at", "predicted_species", "probability."} <= checked
    assert {"occurrenceID", "eventDate", "decimalLatitude", "measurementValue", "synced_at"} <= checked


def test_each_field_has_one_name_and_families_hold_one_placeholder() -> None:
    names = [f.name for f in fields.FIELDS]
    assert len(names) == len(set(names))
    assert len({f.key for f in fields.FIELDS}) == len(fields.FIELDS)
    for field in fields.FIELDS:
        assert field.key.count("{}") in (0, 1)


def test_the_device_signs_what_the_botanist_saw_and_said() -> None:
    signed = {f.name for f in fields.FIELDS if f.signed}
    assert {
        "measurement",
        "predicted_species",
        "confirmed_species",
        "observed_at",
        "observer",
        "device",
    } <= signed
    assert {"location", "latitude", "longitude", "note", "model_sha256", "model_registry"} <= signed
    assert not {"synced_at", "species", "app_version"} & signed  # derived or the sync's own
