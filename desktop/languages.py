"""The languages Iris Field speaks: the one list that settings, dialog, translation loader and bundle read.

Adding a language means adding its catalogue ``assets/translations/iris_field_<code>.ts`` (and ``.qm``)
and one ``Language`` line below; nothing else lists languages (see assets/translations/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """A language of the window: its ISO 639-1 code and its name written in itself."""

    code: str  # as in iris_field_<code>.qm and Qt's qtbase_<code>.qm
    name: str  # "Deutsch", not "German": someone who cannot read the current language still finds theirs


# English is the source language: its texts are in the code; its catalogue holds only the plural forms
# ("1 observation", "2 observations") of texts written once with "%n observation(s)".
SOURCE = Language("en", "English")
LANGUAGES: tuple[Language, ...] = (
    SOURCE,
    Language("de", "Deutsch"),
)
# The settings value that means "whatever the operating system is set to".
FOLLOW_SYSTEM = "system"
CATALOGUE_BASENAME = "iris_field"


def codes() -> tuple[str, ...]:
    """Return the code of every language the window speaks, English first."""
    return tuple(language.code for language in LANGUAGES)


def translated() -> tuple[Language, ...]:
    """Return the languages whose catalogue translates every text (every one but the source language)."""
    return tuple(language for language in LANGUAGES if language != SOURCE)


def catalogue_code(locale_name: str) -> str:
    """Return the language whose catalogue a locale loads: a listed one, else English (its plural forms)."""
    return spoken(locale_name) or SOURCE.code


def setting_choices() -> tuple[str, ...]:
    """Return the values the language setting may hold: "system" or a language's code."""
    return (FOLLOW_SYSTEM, *codes())


def spoken(locale_name: str) -> str | None:
    """Return the code of the listed language a locale name ("de_AT", "de-CH", "fr") asks for, if any."""
    code = locale_name.replace("-", "_").split("_")[0].lower()
    return code if code in codes() else None


def catalogue_name(language: Language, suffix: str = ".ts") -> str:
    """Return the file name of a language's catalogue, e.g. "iris_field_de.ts"."""
    return f"{CATALOGUE_BASENAME}_{language.code}{suffix}"
