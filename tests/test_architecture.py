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
    assert "desktop.store" in report["modules"]
