"""Decide which collected files the frozen bundle keeps: the runtime only, without Qt's unused parts.

PyInstaller hands over table-of-contents entries ``(dest_name, src_name, typecode)``. The rules here
are pure functions of those entries, so they are unit-tested without building anything; the spec
applies them with the real link-time dependencies of each binary.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from desktop import languages

Entry = tuple[str, str, str]  # (dest_name, src_name, typecode), as in PyInstaller's TOC lists

# The lab side of the project; any of these inside the bundle is hundreds of MB of dead weight.
FORBIDDEN_PACKAGES = ("sklearn", "scipy", "pandas", "mlflow", "matplotlib", "skl2onnx", "onnx")

# Qt plugin types a widgets app for the desktop never loads: embedded displays, touch/evdev input,
# Wayland (the xcb plugin works on every Linux desktop through XWayland), networking (the sync uses
# urllib3, not QtNetwork), SQL, printing, QML tooling, Designer.
UNUSED_PLUGIN_TYPES = frozenset(
    {
        "designer",
        "egldeviceintegrations",
        "generic",
        "networkaccess",
        "networkinformation",
        "printsupport",
        "qmllint",
        "qmltooling",
        "sqldrivers",
        "tls",
        "vectorimageformats",
        "wayland-decoration-client",
        "wayland-graphics-integration-client",
        "wayland-graphics-integration-server",
        "wayland-inputdevice-integration",
        "wayland-shell-integration",
    }
)

# For these plugin types only the named plugins stay (name = file name without "lib" and suffix).
# Plugin types not named here or above (styles, xcbglintegrations, ...) are kept whole.
KEPT_PLUGINS = {
    # Windows, macOS, X11; "offscreen" runs the window in tests and headless smoke tests.
    "platforms": frozenset({"qwindows", "qcocoa", "qxcb", "qoffscreen"}),
    # Not "qgtk3": it drags GTK, GLib, cairo, pango and harfbuzz in (~15 MB) for native file dialogs.
    "platformthemes": frozenset({"qxdgdesktopportal"}),
    # The app's icons are SVG; ico/icns are a few kB and let Qt read the installers' icon files.
    "imageformats": frozenset({"qsvg", "qico", "qicns"}),
    "iconengines": frozenset({"qsvgicon"}),
    # Compose keys and input methods: botanists type accented place and observer names.
    "platforminputcontexts": frozenset(
        {"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"}
    ),
}

# "qtbase_de.qm", "qt_help_pt_BR.qm": a catalog name, then a language with an optional country.
_CATALOG_NAME = re.compile(r"^(?P<catalog>.+?)_(?P<language>[a-z]{2,3}(?:_[A-Z]{2})?)\.qm$")

# Qt's translation catalogs the widgets need (the standard dialogs' buttons); "qt_" is the meta catalog.
KEPT_QT_CATALOGS = ("qt", "qtbase")

# Shared libraries dropped whenever no kept binary links against them. The onnxruntime wheels for
# Linux and macOS ship the whole C API library beside the Python module, which has it linked in.
DROP_IF_UNREFERENCED = ("libonnxruntime.so*", "libonnxruntime.*dylib")

# Qt's wheels on Windows carry their own, older MSVC runtime. Whichever copy loads first serves the
# whole process, and onnxruntime crashes with Qt's; only the top-level (newest) copy may stay.
MSVC_RUNTIME = ("msvcp140*.dll", "vcruntime140*.dll", "concrt140.dll")
QT_PACKAGES = ("PySide6", "shiboken6")


@dataclass(frozen=True)
class Dropped:
    """A collected file the bundle leaves out, and why."""

    dest_name: str
    reason: str


def _parts(dest_name: str) -> tuple[str, ...]:
    return PurePosixPath(dest_name.replace("\\", "/")).parts


def basename(dest_name: str) -> str:
    """Return the file name of a TOC destination, whatever the separator."""
    return _parts(dest_name)[-1]


def qt_plugin(dest_name: str) -> tuple[str, str] | None:
    """Return (plugin type, plugin name) for a Qt plugin file, or None for any other file.

    Works for the wheels' layouts on every OS: ``PySide6/Qt/plugins/<type>/libqxcb.so`` (Linux, macOS)
    and ``PySide6/plugins/<type>/qwindows.dll`` (Windows).
    """
    parts = _parts(dest_name)
    if len(parts) < 4 or parts[0] not in QT_PACKAGES or "plugins" not in parts[:-2]:
        return None
    plugin_type = parts[parts.index("plugins") + 1]
    name = parts[-1].split(".", 1)[0]
    if name.startswith("lib"):
        name = name[3:]
    return plugin_type, name


def qt_translation(dest_name: str) -> tuple[str, str] | None:
    """Return (catalog, language) for one of Qt's ``.qm`` files, e.g. ("qtbase", "pt_BR"), else None."""
    parts = _parts(dest_name)
    if (
        len(parts) < 3
        or parts[0] not in QT_PACKAGES
        or "translations" not in parts
        or not parts[-1].endswith(".qm")
    ):
        return None
    match = _CATALOG_NAME.match(parts[-1])
    return (match["catalog"], match["language"]) if match else None


def forbidden_package(dest_name: str) -> str | None:
    """Return the forbidden package a destination belongs to (``onnx/``, not ``onnxruntime/``), else None."""
    top = _parts(dest_name)[0]
    for package in FORBIDDEN_PACKAGES:
        # Top-level folders, their .dist-info/.libs siblings (e.g. scipy.libs), and top-level modules.
        if top == package or top.split(".")[0] == package or top.split("-")[0] == package:
            return package
    return None


def unwanted(entry: Entry, *, windows: bool) -> str | None:
    """Return why an entry must not be bundled, or None if it stays (dependencies are judged later)."""
    dest_name = entry[0]
    name = basename(dest_name).lower()
    package = forbidden_package(dest_name)
    if package is not None:
        return f"training-only package {package}"
    plugin = qt_plugin(dest_name)
    if plugin is not None:
        plugin_type, plugin_name = plugin
        if plugin_type in UNUSED_PLUGIN_TYPES:
            return f"unused Qt plugin type {plugin_type}"
        kept = KEPT_PLUGINS.get(plugin_type)
        if kept is not None and plugin_name not in kept:
            return f"unused Qt {plugin_type} plugin"
    translation = qt_translation(dest_name)
    if translation is not None:
        catalog, language = translation
        if catalog not in KEPT_QT_CATALOGS:
            return f"Qt catalog {catalog} of a module the app does not use"
        # Qt's catalogs are kept for the app's languages only (desktop/languages.py), any country.
        if languages.spoken(language) is None:
            return "Qt translation for a language the app does not offer"
    if (
        windows
        and _parts(dest_name)[0] in QT_PACKAGES
        and any(fnmatch.fnmatch(name, pattern) for pattern in MSVC_RUNTIME)
    ):
        return "Qt's copy of the MSVC runtime would shadow the one onnxruntime needs"
    return None


def _is_root(entry: Entry) -> bool:
    """Tell whether an entry is loaded on its own (Python, an extension, a Qt plugin), not as a dependency."""
    name = basename(entry[0]).lower()
    return (
        entry[2] != "BINARY" or qt_plugin(entry[0]) is not None or name.startswith(("libpython", "python3"))
    )


def _closure(
    names: Iterable[str], imports_of: Callable[[str], set[str]], by_name: dict[str, list[Entry]]
) -> set[str]:
    """Return the names of all bundled libraries reachable by linking from ``names`` (themselves included)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for entry in by_name.get(name, ()):
            if entry[2] == "SYMLINK":
                continue
            todo.extend(imports_of(entry[1]) - seen)
    return seen


def prune(
    binaries: list[Entry],
    datas: list[Entry],
    *,
    imports_of: Callable[[str], set[str]],
    windows: bool,
) -> tuple[list[Entry], list[Entry], list[Dropped]]:
    """Return (binaries, datas, dropped): the unwanted entries and the libraries only they needed removed.

    ``imports_of(src_name)`` returns the file names a binary links against (lower-case on Windows).
    A library is an orphan when a dropped file reaches it by linking and no kept file does.
    """
    by_name = _by_name(binaries, windows=windows)
    dropped, unwanted_names, unreferenced = _judge_binaries(binaries, windows=windows)
    dropped += _orphans(by_name, unwanted_names, unreferenced, imports_of)
    dropped += [Dropped(e[0], reason) for e in datas if (reason := unwanted(e, windows=windows)) is not None]
    dropped += _belonging_to_dropped(binaries + datas, dropped)
    gone = {d.dest_name for d in dropped}
    kept_binaries = [e for e in binaries if e[0] not in gone]
    kept_datas = [e for e in datas if e[0] not in gone]
    return kept_binaries, kept_datas, dropped


def _library_key(dest_name: str, *, windows: bool) -> str:
    """Return the name a binary is linked by: its file name, lower-case on Windows."""
    name = basename(dest_name)
    return name.lower() if windows else name


def _by_name(binaries: list[Entry], *, windows: bool) -> dict[str, list[Entry]]:
    """Return the binaries grouped by the name other binaries link them by."""
    by_name: dict[str, list[Entry]] = {}
    for entry in binaries:
        by_name.setdefault(_library_key(entry[0], windows=windows), []).append(entry)
    return by_name


def _judge_binaries(binaries: list[Entry], *, windows: bool) -> tuple[list[Dropped], set[str], set[str]]:
    """Return the unwanted binaries (as dropped, and by name) and the names to drop if nothing links them."""
    dropped: list[Dropped] = []
    unwanted_names: set[str] = set()
    unreferenced: set[str] = set()
    for entry in binaries:
        name = _library_key(entry[0], windows=windows)
        reason = unwanted(entry, windows=windows)
        if reason is not None:
            dropped.append(Dropped(entry[0], reason))
            unwanted_names.add(name)
        elif not _is_root(entry) and any(fnmatch.fnmatch(name, p) for p in DROP_IF_UNREFERENCED):
            unreferenced.add(name)
    return dropped, unwanted_names, unreferenced


def _orphans(
    by_name: dict[str, list[Entry]],
    unwanted_names: set[str],
    unreferenced: set[str],
    imports_of: Callable[[str], set[str]],
) -> list[Dropped]:
    """Return the libraries reachable from what goes, or unreferenced, unless reachable from what stays."""
    candidates = {
        name
        for name in _closure(unwanted_names | unreferenced, imports_of, by_name)
        if name in by_name and not any(_is_root(e) for e in by_name[name])
    } | unreferenced
    seeds = set(by_name) - candidates - unwanted_names
    needed = _closure(seeds, imports_of, by_name)
    orphans = candidates - needed - unwanted_names
    dropped: list[Dropped] = []
    for name in sorted(orphans):
        reason = "no kept file links against it" if name in unreferenced else "only needed by dropped files"
        dropped.extend(Dropped(e[0], reason) for e in by_name[name] if e[2] != "SYMLINK")
    return dropped


def _belonging_to_dropped(entries: list[Entry], dropped: list[Dropped]) -> list[Dropped]:
    """Return the links to dropped files and the other files of dropped macOS frameworks, transitively.

    Links (PyInstaller keeps them among the datas) and a framework's other files must go with the
    binary they belong to, or they would dangle and break code signing.
    """
    gone = {d.dest_name for d in dropped}
    frameworks = {_framework(name) for name in gone} - {None}
    following: list[Dropped] = []
    changed = True
    while changed:
        changed = False
        for entry in entries:
            reason = None if entry[0] in gone else _follows_dropped(entry, gone, frameworks)
            if reason is not None:
                following.append(Dropped(entry[0], reason))
                gone.add(entry[0])
                changed = True
    return following


def _follows_dropped(entry: Entry, gone: set[str], frameworks: set[str | None]) -> str | None:
    """Return why ``entry`` must go with what is gone (a link to it, a part of its framework), else None."""
    if entry[2] == "SYMLINK" and _link_target(entry) in gone:
        return "link to a dropped file"
    if _framework(entry[0]) in frameworks:
        return "part of a dropped framework"
    return None


def _link_target(entry: Entry) -> str:
    """Return the destination a SYMLINK entry points to (its source is relative to the link's folder)."""
    link = PurePosixPath(entry[0].replace("\\", "/"))
    return posixpath.normpath(str(link.parent / entry[1].replace("\\", "/")))


def _framework(dest_name: str) -> str | None:
    """Return the ``.../Name.framework`` folder a destination lies in (macOS), else None."""
    parts = _parts(dest_name)
    for depth, part in enumerate(parts[:-1]):
        if part.endswith(".framework"):
            return "/".join(parts[: depth + 1])
    return None
