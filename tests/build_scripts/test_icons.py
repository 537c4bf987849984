"""The installers' icons are rendered from the app's SVG into valid .ico and .icns containers."""

import struct
from pathlib import Path

from PySide6.QtGui import QImage

from build_scripts.icons import ICNS_TYPES, ICO_SIZES, write_icons

ROOT = Path(__file__).resolve().parents[2]
SVG = ROOT / "assets" / "icons" / "iris-field.svg"


def test_the_ico_holds_every_windows_size_as_a_decodable_png(qapp, tmp_path: Path):
    ico = write_icons(SVG, tmp_path)["ico"].read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", ico)
    assert (reserved, kind, count) == (0, 1, len(ICO_SIZES))
    sizes = []
    for index in range(count):
        width, height, _, _, _, _, length, offset = struct.unpack_from("<BBBBHHII", ico, 6 + 16 * index)
        image = QImage.fromData(ico[offset : offset + length], "PNG")
        side = width or 256
        assert (image.width(), image.height()) == (side, height or 256)
        sizes.append(side)
    assert sizes == sorted(ICO_SIZES)


def test_the_icns_declares_its_length_and_holds_a_png_per_element(qapp, tmp_path: Path):
    icns = write_icons(SVG, tmp_path)["icns"].read_bytes()
    assert icns[:4] == b"icns"
    assert struct.unpack_from(">I", icns, 4)[0] == len(icns)
    position, kinds = 8, []
    while position < len(icns):
        kind, length = icns[position : position + 4], struct.unpack_from(">I", icns, position + 4)[0]
        image = QImage.fromData(icns[position + 8 : position + length], "PNG")
        assert image.width() == dict(ICNS_TYPES)[kind]
        kinds.append(kind)
        position += length
    assert kinds == [kind for kind, _ in ICNS_TYPES]


def test_the_png_is_the_icon_at_256_pixels_and_not_empty(qapp, tmp_path: Path):
    image = QImage(str(write_icons(SVG, tmp_path)["png"]))
    assert (image.width(), image.height()) == (256, 256)
    # The tile is opaque in the middle: the SVG was really drawn, not a transparent square.
    assert image.pixelColor(128, 128).alpha() == 255
