"""The log file: crashes of the main and worker threads land in it; an unwritable folder is no crash."""

import subprocess
import sys
from pathlib import Path

from desktop.app_log import BACKUP_COUNT, LOG_FILENAME, MAX_BYTES

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"IRIS_FIELD_HOME": str(home), "PATH": "/usr/bin:/bin", "SYSTEMROOT": "C:\\Windows"}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_an_uncaught_exception_is_written_to_the_log_with_its_traceback(tmp_path: Path):
    code = (
        "from desktop import app_log\n"
        "app_log.configure()\n"
        "def measure_flower():\n"
        "    raise RuntimeError('the field crashed')\n"
        "measure_flower()\n"
    )
    result = _run(code, tmp_path)
    assert result.returncode == 1
    log = (tmp_path / "logs" / LOG_FILENAME).read_text(encoding="utf-8")
    assert "iris-field" in log and "started (from source" in log
    assert "CRITICAL" in log and "Unexpected error" in log
    assert "in measure_flower" in log and "RuntimeError: the field crashed" in log
    # The previous hook still runs: the console keeps its traceback too.
    assert "RuntimeError: the field crashed" in result.stderr


def test_a_crash_in_a_worker_thread_is_logged_with_the_threads_name(tmp_path: Path):
    code = (
        "import threading\n"
        "from desktop import app_log\n"
        "app_log.configure()\n"
        "def push(): raise ConnectionError('server vanished')\n"
        "t = threading.Thread(target=push, name='sync-worker'); t.start(); t.join()\n"
    )
    result = _run(code, tmp_path)
    assert result.returncode == 0  # a dying worker does not end the program
    log = (tmp_path / "logs" / LOG_FILENAME).read_text(encoding="utf-8")
    assert "Unexpected error in thread sync-worker" in log
    assert "ConnectionError: server vanished" in log


def test_an_unwritable_log_folder_leaves_the_program_running_and_silent(tmp_path: Path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be", encoding="utf-8")
    code = "from desktop import app_log\nprint(app_log.configure())\nprint('still running')\n"
    result = _run(code, blocker)
    assert result.returncode == 0
    assert result.stdout.split() == ["None", "still", "running"]
    assert result.stderr == ""


def test_configuring_twice_writes_each_record_once(tmp_path: Path):
    code = (
        "import logging\n"
        "from desktop import app_log\n"
        "app_log.configure(); app_log.configure()\n"
        "logging.getLogger('iris_field.test').warning('one line only')\n"
    )
    assert _run(code, tmp_path).returncode == 0
    log = (tmp_path / "logs" / LOG_FILENAME).read_text(encoding="utf-8")
    assert log.count("one line only") == 1
    assert log.count("started") == 1


def test_the_log_rotates_instead_of_growing_without_bound(tmp_path: Path):
    code = (
        "import logging\n"
        "from desktop import app_log\n"
        "app_log.configure()\n"
        "line = 'x' * 1000\n"
        f"for _ in range({(BACKUP_COUNT + 2) * MAX_BYTES // 1000}):\n"
        "    logging.getLogger('iris_field.test').info(line)\n"
    )
    assert _run(code, tmp_path).returncode == 0
    files = sorted((tmp_path / "logs").iterdir())
    assert len(files) == BACKUP_COUNT + 1
    assert all(f.stat().st_size <= MAX_BYTES for f in files)
