"""Languages and number formats: which translations to load, and how numbers and names are shown."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLibraryInfo, QLocale, QTranslator

from desktop import languages
from desktop.prediction.model_card import Feature
from desktop.resources import asset_path

# The bundled card's words, listed here only so lupdate offers them for translation. A card with other
# features still works: its own label is shown as written.
_CARD_WORDS = (
    QT_TRANSLATE_NOOP("ModelCard", "Sepal length"),
    QT_TRANSLATE_NOOP("ModelCard", "Sepal width"),
    QT_TRANSLATE_NOOP("ModelCard", "Petal length"),
    QT_TRANSLATE_NOOP("ModelCard", "Petal width"),
)


def locale_for(language: str) -> QLocale:
    """Return the locale for a settings language ("system" or a code from ``desktop.languages``)."""
    if language != languages.FOLLOW_SYSTEM:
        return QLocale(language)
    system = QLocale.system()
    # A bare POSIX "C" locale (no LANG set, e.g. a minimal Linux session) formats dates as "23 11 2026";
    # Qt's own default, US English, reads better and uses the same decimal point.
    if system.language() == QLocale.Language.C:
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return system


class Translations:
    """Installs the app's and Qt's own translators for one language, replacing earlier ones."""

    def __init__(self, app: QCoreApplication):
        """Remember the application whose translators this object manages."""
        self._app = app
        self._installed: list[QTranslator] = []
        self.locale = QLocale(QLocale.Language.English)

    def apply(self, language: str) -> QLocale:
        """Switch to ``language``; Qt then sends every widget a LanguageChange event."""
        for translator in self._installed:
            self._app.removeTranslator(translator)
        self._installed.clear()
        locale = locale_for(language)
        QLocale.setDefault(locale)
        # Only a listed language is loaded, Qt's dialogs included: a French system gets an English
        # window with English dialogs, never a mix. English loads its catalogue of plural forms.
        code = languages.catalogue_code(locale.name())
        catalogues = [(f"{languages.CATALOGUE_BASENAME}_{code}", str(asset_path("translations")))]
        if code != languages.SOURCE.code:
            qt_folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            catalogues.append((f"qtbase_{code}", qt_folder))
        for name, folder in catalogues:
            translator = QTranslator(self._app)
            if translator.load(name, folder):  # a missing catalogue leaves that part English
                self._app.installTranslator(translator)
                self._installed.append(translator)
        self.locale = locale
        return locale


def card_word(text: str) -> str:
    """Return a word from the model card in the current language (as written if untranslated)."""
    return QCoreApplication.translate("ModelCard", text)


def feature_label(feature: Feature) -> str:
    """Return a feature's label in the current language."""
    return card_word(feature.label)


def species_name(species: str) -> str:
    """Return the botanical name shown for a class, e.g. "setosa" -> "Iris setosa" (Latin, untranslated)."""
    return species if species.lower().startswith("iris") else f"Iris {species}"


def format_percent(probability: float, locale: QLocale) -> str:
    """Return a probability as a whole percentage in the locale's style ("97%", "97 %").

    A value no probability has (damage a salvage kept: 1e88, infinity) is shown as what it is, not raised.
    """
    try:
        percent = float(probability) * 100
        number = locale.toString(round(percent)) if abs(percent) < 2**53 else _any_number(percent, locale)
    except OverflowError:  # an integer beyond any float
        number = str(probability * 100)
    return QCoreApplication.translate("Format", "%1%").replace("%1", number)


def format_number(value: float, locale: QLocale, decimals: int = 1) -> str:
    """Return a measurement in the locale's number format (5.8 or 5,8); any stored number, never raised."""
    try:
        return locale.toString(float(value), "f", decimals)
    except (OverflowError, ValueError):
        return _any_number(value, locale)


def _any_number(value: float, locale: QLocale) -> str:
    """Return a number of any size, or not a number at all, in the locale's style (1,2e+90; inf)."""
    try:
        return locale.toString(float(value), "g", 3)
    except OverflowError:  # an integer beyond any float
        return str(value)


def sentence(message: str) -> str:
    """Turn a core error message (lower-case, no full stop) into a sentence for a dialog."""
    text = message.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
