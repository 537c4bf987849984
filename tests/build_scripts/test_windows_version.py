"""Each Windows executable names itself in its version resource, with the publisher the installer names."""

import re

from build_scripts.build import ROOT
from build_scripts.windows_version import COMPANY_NAME, version_numbers, version_resource


def test_the_windowed_and_the_console_exe_each_carry_their_own_name():
    app = version_resource("0.3.0", "iris-field", "Iris Field")
    cli = version_resource("0.3.0", "iris-field-cli", "Iris Field (command line)")

    assert app.strings["OriginalFilename"] == "iris-field.exe"
    assert cli.strings["OriginalFilename"] == "iris-field-cli.exe"
    assert cli.strings["InternalName"] == "iris-field-cli"
    assert cli.strings["FileDescription"] == "Iris Field (command line)"
    for resource in (app, cli):
        assert resource.strings["CompanyName"] == COMPANY_NAME
        assert resource.strings["ProductName"] == "Iris Field"
        assert resource.strings["ProductVersion"] == "0.3.0"


def test_the_company_is_the_publisher_the_installer_shows():
    installer = (ROOT / "build_scripts" / "installer" / "iris-field.iss").read_text(encoding="utf-8-sig")
    assert re.search(r"^AppPublisher=(.*)$", installer, re.MULTILINE).group(1) == COMPANY_NAME


def test_windows_gets_four_numbers_from_any_version():
    assert version_numbers("0.3.0") == (0, 3, 0, 0)
    assert version_numbers("1.2.3rc1") == (1, 2, 3, 0)
    assert version_numbers("2") == (2, 0, 0, 0)
    assert version_numbers("1.2.3.4.5") == (1, 2, 3, 4)
