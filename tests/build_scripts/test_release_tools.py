"""The release workflow's macOS helpers: hdiutil retried, notarization with Apple's log on refusal, stapling.

hdiutil, notarytool, stapler and ditto exist on macOS only; here small stand-ins on PATH play them,
recording every call, so the control flow (retry, log on refusal, staple the app itself) is checked.
The real tools run in the release workflow's macOS jobs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from build_scripts import notarize
from build_scripts.build import ROOT

RETRY_SH = ROOT / "build_scripts" / "installer" / "retry.sh"
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="stand-ins are POSIX scripts")


def stand_in(folder: Path, name: str, body: str) -> None:
    """Write an executable Python script called ``name`` that logs its arguments to calls.jsonl."""
    script = folder / name
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys\n"
        f"with open({str(folder / 'calls.jsonl')!r}, 'a') as log:\n"
        f"    log.write(json.dumps([{name!r}, *sys.argv[1:]]) + '\\n')\n" + textwrap.dedent(body)
    )
    script.chmod(0o755)


def calls(folder: Path) -> list[list[str]]:
    log = folder / "calls.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


@pytest.fixture
def tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")
    for name, value in (
        ("APPLE_ID", "lab@example.org"),
        ("APPLE_TEAM_ID", "TEAM1"),
        ("APPLE_APP_PASSWORD", "pw"),
    ):
        monkeypatch.setenv(name, value)
    return folder


def test_retry_runs_a_busy_command_again_until_it_succeeds(tools: Path, tmp_path: Path):
    counter = tmp_path / "attempts"
    stand_in(
        tools,
        "hdiutil",
        f"""
        path = {str(counter)!r}
        n = int(open(path).read()) + 1 if os.path.exists(path) else 1
        open(path, 'w').write(str(n))
        if n < 3:
            print('hdiutil: create failed - Resource busy', file=sys.stderr)
            sys.exit(1)
        """,
    )
    result = subprocess.run(
        ["bash", "-c", f"source {RETRY_SH} && RETRY_DELAY_S=0 retry 5 hdiutil create x.dmg"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert len(calls(tools)) == 3
    assert "attempt 2 of 5" in result.stderr


def test_retry_gives_up_after_the_last_attempt(tools: Path):
    stand_in(tools, "hdiutil", "sys.exit(1)\n")
    result = subprocess.run(
        ["bash", "-c", f"source {RETRY_SH} && RETRY_DELAY_S=0 retry 3 hdiutil detach /Volumes/x"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert len(calls(tools)) == 3
    assert "failed 3 times" in result.stderr


def notary_stand_ins(tools: Path, status: str) -> None:
    answer = {"id": "f00d-1234", "status": status, "message": "Processing complete"}
    stand_in(
        tools,
        "xcrun",
        f"""
        if sys.argv[1:3] == ['notarytool', 'submit']:
            print(json.dumps({answer!r}))
            sys.exit(0 if {status!r} == 'Accepted' else 1)
        if sys.argv[1:3] == ['notarytool', 'log']:
            print('{{"issues": [{{"path": "Iris Field.app/Contents/MacOS/iris-field",'
                  ' "message": "The signature does not include a secure timestamp."}}]}}')
        """,
    )
    stand_in(tools, "ditto", "open(sys.argv[-1], 'wb').write(b'PK')\n")


def test_an_app_is_zipped_notarized_and_stapled_itself(tools: Path, tmp_path: Path):
    notary_stand_ins(tools, "Accepted")
    app = tmp_path / "Iris Field.app"
    (app / "Contents").mkdir(parents=True)

    assert notarize.main([str(app)]) == 0

    made = calls(tools)
    assert made[0][:4] == ["ditto", "-c", "-k", "--keepParent"]
    submitted = next(c for c in made if c[1:3] == ["notarytool", "submit"])
    assert submitted[3].endswith("Iris Field.zip")
    assert ["xcrun", "stapler", "staple", str(app)] in made
    assert ["xcrun", "stapler", "validate", str(app)] in made


def test_a_refusal_prints_apples_log_and_staples_nothing(
    tools: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    notary_stand_ins(tools, "Invalid")
    dmg = tmp_path / "iris-field-0.3.0-macos-arm64.dmg"
    dmg.write_bytes(b"image")

    assert notarize.main([str(dmg)]) == 1

    out, err = capsys.readouterr()
    assert "does not include a secure timestamp" in out
    assert calls(tools)[-1][:4] == ["xcrun", "notarytool", "log", "f00d-1234"]
    assert not any(c[1] == "stapler" for c in calls(tools))
    assert err.startswith("notarize.py: Apple did not notarize iris-field-0.3.0-macos-arm64.dmg: Invalid")
    assert len(err.strip().splitlines()) == 1


def test_missing_credentials_are_named(tools: Path, tmp_path: Path, monkeypatch, capsys):
    monkeypatch.delenv("APPLE_TEAM_ID")
    dmg = tmp_path / "x.dmg"
    dmg.write_bytes(b"image")
    assert notarize.main([str(dmg)]) == 1
    assert "set APPLE_TEAM_ID to notarize" in capsys.readouterr().err
