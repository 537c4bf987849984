"""Runtime hook replacing PyInstaller's PySide6 one: the same set-up, but Qt is loaded only when the app asks.

PyInstaller's hook imports PySide6.QtCore at every start to register an embedded qt.conf, which
loads Qt and its 39 MB of ICU libraries even for `iris-field predict` (about 0.1 s, and against
the rule that the command line never loads Qt). Here the environment is prepared at start (cheap),
and the qt.conf is registered right after the app's own first import of PySide6.QtCore.
"""


def _pyi_rthook() -> None:
    import importlib.abc
    import importlib.util
    import os
    import sys

    qt_dir = os.path.join(sys._MEIPASS, "PySide6")
    if not sys.platform.startswith("win"):
        qt_dir = os.path.join(qt_dir, "Qt")
    os.environ["QT_PLUGIN_PATH"] = os.path.join(qt_dir, "plugins")
    if sys.platform.startswith("win"):
        # Qt's plugins find their Qt DLLs through PATH (as in PyInstaller's own hook).
        os.environ["PATH"] = sys._MEIPASS + os.pathsep + os.environ.get("PATH", "")

    class RegisterQtConfAfterQtCore(importlib.abc.MetaPathFinder):
        """Finds nothing itself; wraps the loader of PySide6.QtCore to run the qt.conf set-up after it."""

        def find_spec(self, name, path=None, target=None):
            if name != "PySide6.QtCore":
                return None
            sys.meta_path.remove(self)  # once, and no recursion into ourselves below
            spec = importlib.util.find_spec(name)
            if spec is None or spec.loader is None:
                return spec
            exec_module = spec.loader.exec_module

            def exec_then_register(module):
                exec_module(module)
                from _pyi_rth_utils import qt as qt_rth_utils

                qt_rth_utils.create_embedded_qt_conf("PySide6", qt_dir)

            spec.loader.exec_module = exec_then_register
            return spec

    sys.meta_path.insert(0, RegisterQtConfAfterQtCore())


_pyi_rthook()
del _pyi_rthook
