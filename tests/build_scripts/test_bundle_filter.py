"""The bundle filter keeps the runtime and drops Qt's unused parts with the libraries only they need."""

from build_scripts.bundle_filter import Entry, forbidden_package, prune, qt_plugin, qt_translation

SITE = "/venv/site-packages"


def _binary(dest: str) -> Entry:
    return (dest, f"{SITE}/{dest}", "BINARY")


def _links(graph: dict[str, set[str]]):
    """Return an ``imports_of`` that answers from a made-up link graph keyed by file name."""

    def imports_of(src: str) -> set[str]:
        return graph.get(src.rsplit("/", 1)[-1], set())

    return imports_of


LINUX_BINARIES = [
    _binary("PySide6/Qt/lib/libQt6Core.so.6"),
    _binary("PySide6/Qt/lib/libQt6Gui.so.6"),
    _binary("PySide6/Qt/lib/libQt6DBus.so.6"),
    _binary("PySide6/Qt/lib/libQt6WaylandClient.so.6"),
    _binary("PySide6/Qt/plugins/platforms/libqxcb.so"),
    _binary("PySide6/Qt/plugins/platforms/libqwayland.so"),
    _binary("PySide6/Qt/plugins/platforms/libqvnc.so"),
    _binary("PySide6/Qt/plugins/platformthemes/libqgtk3.so"),
    _binary("PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so"),
    _binary("PySide6/Qt/plugins/imageformats/libqsvg.so"),
    _binary("PySide6/Qt/plugins/imageformats/libqjpeg.so"),
    _binary("libglib-2.0.so.0"),
    _binary("libgtk-3.so.0"),
    _binary("libcairo.so.2"),
    _binary("libjpeg.so.62"),
    _binary("libdbus-1.so.3"),
    _binary("libpython3.11.so.1.0"),
    _binary("onnxruntime/capi/libonnxruntime.so.1.23.2"),
    ("onnxruntime/capi/onnxruntime_pybind11_state.so", f"{SITE}/onnxruntime_pybind11_state.so", "EXTENSION"),
    ("PySide6/QtGui.abi3.so", f"{SITE}/QtGui.abi3.so", "EXTENSION"),
]
LINUX_DATAS = [
    ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
    ("libQt6WaylandClient.so.6", "PySide6/Qt/lib/libQt6WaylandClient.so.6", "SYMLINK"),
    ("PySide6/Qt/translations/qtbase_de.qm", f"{SITE}/qtbase_de.qm", "DATA"),
    ("PySide6/Qt/translations/qtbase_fr.qm", f"{SITE}/qtbase_fr.qm", "DATA"),
    ("PySide6/Qt/translations/qt_help_de.qm", f"{SITE}/qt_help_de.qm", "DATA"),
    ("assets/model/iris.onnx", "/repo/assets/model/iris.onnx", "DATA"),
]
LINUX_LINKS = {
    "libQt6Gui.so.6": {"libQt6Core.so.6", "libQt6DBus.so.6", "libglib-2.0.so.0"},
    "libQt6Core.so.6": {"libglib-2.0.so.0"},
    "libQt6DBus.so.6": {"libQt6Core.so.6", "libdbus-1.so.3"},
    "libqxcb.so": {"libQt6Gui.so.6"},
    "libqwayland.so": {"libQt6WaylandClient.so.6", "libQt6Gui.so.6"},
    "libQt6WaylandClient.so.6": {"libQt6Gui.so.6"},
    "libxdg-shell.so": {"libQt6WaylandClient.so.6"},
    "libqgtk3.so": {"libgtk-3.so.0", "libglib-2.0.so.0", "libQt6Gui.so.6"},
    "libgtk-3.so.0": {"libcairo.so.2", "libglib-2.0.so.0"},
    "libqjpeg.so": {"libjpeg.so.62", "libQt6Gui.so.6"},
    "libqsvg.so": {"libQt6Gui.so.6"},
    "QtGui.abi3.so": {"libQt6Gui.so.6"},
}


def _prune_linux():
    links = _links(LINUX_LINKS)
    binaries, datas, dropped = prune(LINUX_BINARIES, LINUX_DATAS, imports_of=links, windows=False)
    return {e[0] for e in binaries}, {e[0] for e in datas}, {d.dest_name: d.reason for d in dropped}


def test_the_gtk_theme_goes_with_the_libraries_only_it_needs_but_shared_ones_stay():
    kept, _, dropped = _prune_linux()
    assert "PySide6/Qt/plugins/platformthemes/libqgtk3.so" in dropped
    assert {"libgtk-3.so.0", "libcairo.so.2"} <= dropped.keys()
    assert dropped["libcairo.so.2"] == "only needed by dropped files"
    # GLib is needed by QtCore itself, so it stays although the GTK theme needed it too.
    assert "libglib-2.0.so.0" in kept


def test_wayland_plugins_and_their_qt_library_go_but_x11_and_dbus_stay():
    kept, datas, dropped = _prune_linux()
    assert "PySide6/Qt/plugins/platforms/libqwayland.so" in dropped
    assert "PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so" in dropped
    assert "PySide6/Qt/lib/libQt6WaylandClient.so.6" in dropped
    assert "PySide6/Qt/plugins/platforms/libqxcb.so" in kept
    assert {"PySide6/Qt/lib/libQt6DBus.so.6", "libdbus-1.so.3"} <= kept


def test_a_link_to_a_dropped_library_goes_too_and_a_link_to_a_kept_one_stays():
    _, datas, dropped = _prune_linux()
    assert dropped["libQt6WaylandClient.so.6"] == "link to a dropped file"
    assert "libQt6Core.so.6" in datas


def test_unused_image_formats_and_their_codec_library_go_while_svg_stays():
    kept, _, dropped = _prune_linux()
    assert {"PySide6/Qt/plugins/imageformats/libqjpeg.so", "libjpeg.so.62"} <= dropped.keys()
    assert "PySide6/Qt/plugins/imageformats/libqsvg.so" in kept


def test_the_onnxruntime_c_library_goes_when_the_python_module_does_not_link_it():
    _, _, dropped = _prune_linux()
    assert dropped["onnxruntime/capi/libonnxruntime.so.1.23.2"] == "no kept file links against it"


def test_the_onnxruntime_c_library_stays_when_the_python_module_links_it():
    links = dict(LINUX_LINKS, **{"onnxruntime_pybind11_state.so": {"libonnxruntime.so.1.23.2"}})
    binaries, _, _ = prune(LINUX_BINARIES, LINUX_DATAS, imports_of=_links(links), windows=False)
    assert "onnxruntime/capi/libonnxruntime.so.1.23.2" in {e[0] for e in binaries}


def test_libpython_and_python_extensions_are_never_orphans():
    kept, _, _ = _prune_linux()
    extension = "onnxruntime/capi/onnxruntime_pybind11_state.so"
    assert {"libpython3.11.so.1.0", "PySide6/QtGui.abi3.so", extension} <= kept


def test_only_qtbase_translations_for_the_app_languages_stay_and_the_model_too():
    _, datas, dropped = _prune_linux()
    assert "PySide6/Qt/translations/qtbase_de.qm" in datas
    assert "PySide6/Qt/translations/qtbase_fr.qm" in dropped
    assert "PySide6/Qt/translations/qt_help_de.qm" in dropped
    assert "assets/model/iris.onnx" in datas


def test_on_windows_qts_copy_of_the_msvc_runtime_goes_and_the_top_level_one_stays():
    binaries = [
        _binary("PySide6/Qt6Core.dll"),
        _binary("PySide6/msvcp140.dll"),
        _binary("PySide6/vcruntime140_1.dll"),
        _binary("shiboken6/MSVCP140.dll"),
        _binary("msvcp140.dll"),
        _binary("vcruntime140_1.dll"),
        _binary("PySide6/plugins/platforms/qwindows.dll"),
        _binary("PySide6/plugins/platforms/qdirect2d.dll"),
        ("onnxruntime/capi/onnxruntime_pybind11_state.pyd", f"{SITE}/ort.pyd", "EXTENSION"),
    ]
    links = {
        "Qt6Core.dll": {"msvcp140.dll", "vcruntime140_1.dll"},
        "qwindows.dll": {"qt6core.dll"},
        "ort.pyd": {"msvcp140.dll"},
    }
    kept_entries, _, dropped_entries = prune(binaries, [], imports_of=_links(links), windows=True)
    kept = {e[0] for e in kept_entries}
    dropped = {d.dest_name for d in dropped_entries}
    assert {"PySide6/msvcp140.dll", "PySide6/vcruntime140_1.dll", "shiboken6/MSVCP140.dll"} <= dropped
    assert {"msvcp140.dll", "vcruntime140_1.dll", "PySide6/Qt6Core.dll"} <= kept
    assert "PySide6/plugins/platforms/qwindows.dll" in kept
    assert "PySide6/plugins/platforms/qdirect2d.dll" in dropped


def test_a_dropped_macos_framework_leaves_no_info_plist_or_link_behind():
    binaries = [
        _binary("PySide6/Qt/lib/QtCore.framework/Versions/A/QtCore"),
        _binary("PySide6/Qt/lib/QtOpenGL.framework/Versions/A/QtOpenGL"),
        _binary("PySide6/Qt/plugins/platforms/libqcocoa.dylib"),
        _binary("PySide6/Qt/plugins/platforms/libqminimal.dylib"),
    ]
    datas = [
        ("PySide6/Qt/lib/QtOpenGL.framework/Resources/Info.plist", f"{SITE}/Info.plist", "DATA"),
        ("PySide6/Qt/lib/QtOpenGL.framework/QtOpenGL", "Versions/Current/QtOpenGL", "SYMLINK"),
        ("PySide6/Qt/lib/QtCore.framework/Resources/Info.plist", f"{SITE}/Info.plist", "DATA"),
    ]
    links = {"libqminimal.dylib": {"QtOpenGL", "QtCore"}, "libqcocoa.dylib": {"QtCore"}}
    kept_binaries, kept_datas, _ = prune(binaries, datas, imports_of=_links(links), windows=False)
    kept = {e[0] for e in kept_binaries + kept_datas}
    assert not any("QtOpenGL.framework" in name for name in kept)
    assert "PySide6/Qt/lib/QtCore.framework/Resources/Info.plist" in kept


def test_training_packages_are_recognised_but_onnxruntime_is_not_onnx():
    assert forbidden_package("sklearn/base.py") == "sklearn"
    assert forbidden_package("scipy.libs/libopenblas.so") == "scipy"
    assert forbidden_package("mlflow-3.1.0.dist-info/METADATA") == "mlflow"
    assert forbidden_package("onnx/onnx_cpp2py_export.so") == "onnx"
    assert forbidden_package("onnxruntime/capi/onnxruntime_pybind11_state.so") is None


def test_plugin_and_translation_names_are_read_from_every_wheel_layout():
    assert qt_plugin("PySide6/Qt/plugins/platforms/libqxcb.so") == ("platforms", "qxcb")
    assert qt_plugin("PySide6\\plugins\\platforms\\qwindows.dll") == ("platforms", "qwindows")
    assert qt_plugin("PySide6/Qt/lib/libQt6Core.so.6") is None
    assert qt_translation("PySide6/Qt/translations/qt_help_pt_BR.qm") == ("qt_help", "pt_BR")
    assert qt_translation("assets/translations/iris_field_de.qm") is None
