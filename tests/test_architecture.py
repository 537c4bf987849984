"""The architecture rules hold: the runtime never loads training libraries, the core never loads Qt."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DESKTOP = ROOT / "desktop"
TRAINING_ONLY = ("sklearn", "skl2onnx", "onnx", "pandas", "mlflow", "matplotlib", "scipy", "training")
QT = ("PySide6", "shiboken6")


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def _desktop_sources() -> list[Path]:
    return sorted(DESKTOP.rglob("*.py"))


@pytest.mark.parametrize("source", _desktop_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_desktop_module_imports_no_training_library(source: Path) -> None:
    forbidden = _imported_roots(source) & set(TRAINING_ONLY)
    assert not forbidden, f"{source.relative_to(ROOT)} imports {sorted(forbidden)}"


@pytest.mark.parametrize(
    "source",
    [p for p in _desktop_sources() if "ui" not in p.relative_to(DESKTOP).parts],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_core_module_imports_no_qt(source: Path) -> None:
    forbidden = _imported_roots(source) & set(QT)
    assert not forbidden, f"{source.relative_to(ROOT)} imports Qt: {sorted(forbidden)}"


# Runs in a fresh interpreter where Qt and the training libraries cannot be imported at all,
# so a lazy import hidden in a function body fails too, not just a top-level one.
_BLOCKED_RUN = """
import importlib, json, pkgutil, sys
BLOCKED = set(json.loads(sys.argv[1]))

class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is blocked by the architecture test")
        return None

sys.meta_path.insert(0, Blocker())
import desktop
names = [m.name for m in pkgutil.walk_packages(desktop.__path__, "desktop.")
         if ".ui" not in m.name and not m.name.endswith("__main__")]
for name in names:
    importlib.import_module(name)
from desktop.main import main
code = main(["predict", "5.1", "3.5", "1.4", "0.2", "--json"])
print(json.dumps({"modules": names, "code": code}))
"""


def test_core_and_command_line_run_with_qt_and_training_libraries_unimportable(tmp_path: Path) -> None:
    env = {"IRIS_FIELD_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", _BLOCKED_RUN, json.dumps(QT + TRAINING_ONLY)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["code"] == 0
    assert "desktop.prediction.engine" in report["modules"]
    assert "desktop.history.store" in report["modules"]


# ----------------------------------------------------------------- the layers of the house
# Lowest first: a module imports the contract, its own layer and the layers below, never one above
# (function bodies and type hints count too). Each entry is a module or package under desktop/.
CORE = (
    "desktop",  # the package itself: its version
    "desktop.app_log",
    "desktop.atomic_file",
    "desktop.errors",
    "desktop.file_kinds",
    "desktop.history",
    "desktop.languages",
    "desktop.location",
    "desktop.mlflow_http",  # the HTTP core of the sync and the model delivery: imports no layer above
    "desktop.observation_extras",
    "desktop.paths",
    "desktop.prediction",
    "desktop.prefetch",  # an iterator's items made ahead by a thread: the salvage's and the CSV save's
    "desktop.resources",
    "desktop.self_test",
    "desktop.settings",
    "desktop.tables.measurement_table",  # the measurements' reader, which the prediction's rules share
)
# The command line and the window: only they put the parts together.
EDGE = ("desktop.__main__", "desktop.cli", "desktop.main", "desktop.ui")
# Everything else under desktop/ sits between: the sync, the model delivery, the tables, the signing.
# Known arrows from the core into that middle, each a data module that imports nothing above the core:
CORE_MAY_IMPORT = {
    # the release that predicted is saved with each observation (ModelStamp, ShadowPrediction)
    "desktop.model_delivery.release": "data of a release",
    "desktop.model_delivery.errors": "the refusal kinds release.py names",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str:
    def within(names: tuple[str, ...]) -> bool:
        return any(module == n or (n != "desktop" and module.startswith(n + ".")) for n in names)

    if module == "contract" or module.startswith("contract."):
        return "contract"
    if within(EDGE):
        return "edge"
    if within(CORE):
        return "core"
    return "middle"


_RANK = {"contract": 0, "core": 1, "middle": 2, "edge": 3}


def _imported_modules(text: str) -> set[str]:
    tree = ast.parse(text)
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            # ``from desktop import store`` names a module, not an attribute
            modules.update(
                f"{node.module}.{a.name}" for a in node.names if node.module in ("desktop", "contract")
            )
    return {m for m in modules if m.split(".")[0] in ("desktop", "contract")}


def _upward_imports(importer: str, text: str) -> list[str]:
    rank = _RANK[_layer(importer)]
    found = []
    for module in sorted(_imported_modules(text)):
        if (ROOT / module.replace(".", "/")).is_dir() or (ROOT / (module.replace(".", "/") + ".py")).exists():
            target = module
        else:
            target = module.rsplit(".", 1)[0]  # an attribute of a module: ``from desktop import __version__``
        if _RANK[_layer(target)] > rank and not (_layer(importer) == "core" and target in CORE_MAY_IMPORT):
            found.append(f"{importer} ({_layer(importer)}) imports {target} ({_layer(target)})")
    return found


def test_the_layers_are_named_as_the_tree_has_them() -> None:
    for name in (*CORE, *EDGE, *CORE_MAY_IMPORT):
        path = ROOT / name.replace(".", "/")
        assert path.is_dir() or path.with_suffix(".py").exists(), f"{name} is listed in a layer but gone"


@pytest.mark.parametrize(
    "source",
    sorted([*DESKTOP.rglob("*.py"), *(ROOT / "contract").rglob("*.py")]),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_import_runs_back_up(source: Path) -> None:
    ups = _upward_imports(_module_name(source), source.read_text(encoding="utf-8"))
    assert not ups, "\n".join(ups)


def test_the_layer_check_sees_an_arrow_back_up() -> None:
    assert _upward_imports("desktop.history.store", "from desktop.sync.states import Stage\n")
    assert _upward_imports("desktop.errors", "def f():\n    from desktop.cli import run\n")
    assert _upward_imports("desktop.sync.worker", "from desktop.ui import app\n")
    assert _upward_imports("contract.registry", "import desktop.paths\n")
    assert _upward_imports("desktop.history.store", "from desktop import cli\n")
    assert not _upward_imports("desktop.sync.worker", "from desktop.history.store import ObservationStore\n")
    assert not _upward_imports(
        "desktop.history.codec", "from desktop.model_delivery.release import ModelStamp\n"
    )


_HISTORY_ALONE = """
import importlib, json, pkgutil, sys
import desktop.history
for m in pkgutil.walk_packages(desktop.history.__path__, "desktop.history."):
    importlib.import_module(m.name)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("desktop", "contract"))))
"""


def test_the_history_loads_without_the_sync_the_command_line_or_the_window() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _HISTORY_ALONE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert "desktop.history.store" in loaded
    assert [m for m in loaded if _RANK[_layer(m)] > _RANK["core"] and m not in CORE_MAY_IMPORT] == [
        "desktop.model_delivery"  # the package of release.py (its __init__ holds only a docstring)
    ]
