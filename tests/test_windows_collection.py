"""The Windows collection check fails on a module-level import of a module Windows lacks, and only then.

.ci/run runs it over the whole suite (tests/windows_collection.py); here it runs over small test
folders written for the purpose, in a fresh interpreter as CI runs it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.windows_collection import ROOT, WINDOWS_LACKS, is_project_file


def _collect(folder: Path) -> subprocess.CompletedProcess[str]:
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    command = [sys.executable, "-m", "tests.windows_collection", "--project", str(folder), "--"]
    command += [str(folder), "-c", str(folder / "pytest.ini"), "--rootdir", str(folder)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_a_module_level_import_in_a_conftest_helper_fails_the_check(tmp_path: Path):
    # As tests/conftest.py imported tests/postgres_cluster.py, which imported pwd.
    (tmp_path / "cluster_helper.py").write_text("import pwd\n", encoding="utf-8")
    (tmp_path / "conftest.py").write_text(
        "import sys\nsys.path.insert(0, __import__('os').path.dirname(__file__))\nimport cluster_helper\n",
        encoding="utf-8",
    )
    (tmp_path / "test_ok.py").write_text("def test_ok():\n    pass\n", encoding="utf-8")

    result = _collect(tmp_path)

    assert result.returncode != 0
    assert "cluster_helper.py imports pwd" in result.stderr


def test_each_module_windows_lacks_is_refused_to_test_modules(tmp_path: Path):
    for module in WINDOWS_LACKS:
        (tmp_path / f"test_uses_{module}.py").write_text(
            f"import {module}\n\ndef test_it():\n    assert {module}\n", encoding="utf-8"
        )
    result = _collect(tmp_path)
    assert result.returncode != 0
    for module in WINDOWS_LACKS:
        assert f"test_uses_{module}.py imports {module}" in result.stderr


def test_a_from_import_in_a_test_module_fails_the_check(tmp_path: Path):
    (tmp_path / "test_locks.py").write_text(
        "from fcntl import flock\n\ndef test_lock():\n    assert flock\n", encoding="utf-8"
    )
    result = _collect(tmp_path)
    assert result.returncode != 0
    assert "test_locks.py imports fcntl" in result.stderr


def test_an_import_where_it_is_used_passes_and_the_tests_are_collected(tmp_path: Path):
    (tmp_path / "test_accounts.py").write_text(
        "import sys\n\n"
        "def test_home():\n"
        "    if sys.platform != 'win32':\n"
        "        import pwd\n"
        "        assert pwd.getpwuid\n",
        encoding="utf-8",
    )
    result = _collect(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "test_accounts.py::test_home" in result.stdout


def test_installed_packages_are_not_the_projects_code():
    assert is_project_file(str(ROOT / "tests" / "postgres_cluster.py"), ROOT)
    assert not is_project_file(str(ROOT / ".venv" / "lib" / "site-packages" / "filelock.py"), ROOT)
    assert not is_project_file("/usr/lib/python3.11/getpass.py", ROOT)
    assert not is_project_file(None, ROOT)
