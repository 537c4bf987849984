"""The sync's status-bar words: Offline / Syncing k of n / All synced (time) / Sync stopped (why: tooltip).

A problem's full sentence is long (what happened and what to do), longer still in German: the status bar
shows a few words and its tooltip the sentence, so a narrow window cuts nothing that matters.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QObject

from desktop.sync.worker import Phase, SyncProgress
from desktop.ui.history_model import local_time
from desktop.ui.sync_words import sync_headline, sync_problem_text


def status_text(progress: SyncProgress | None, locale: QLocale, configured: bool = True) -> str:
    """Return the short text the status bar shows for this progress snapshot."""
    if not configured:
        return QCoreApplication.translate("SyncStatus", "Sync off")
    if progress is None or progress.phase is Phase.CONNECTING:
        return QCoreApplication.translate("SyncStatus", "Connecting…")
    if progress.phase is Phase.OFFLINE:
        return QCoreApplication.translate("SyncStatus", "Offline")
    if progress.phase is Phase.SYNCING:
        return QCoreApplication.translate("SyncStatus", "Syncing {done} of {total}").format(
            done=progress.done, total=progress.total
        )
    if progress.phase is Phase.BUSY:
        return QCoreApplication.translate("SyncStatus", "Another sync is running")
    if progress.phase is Phase.RETRYING:
        return QCoreApplication.translate("SyncStatus", "Server problem: trying again")
    if progress.phase is Phase.ERROR:
        return sync_headline(progress.problem)
    # DONE
    if progress.unsynced:
        return SyncCounts().not_synced(progress.unsynced)
    if progress.last_synced_at:
        return QCoreApplication.translate("SyncStatus", "All synced ({time})").format(
            time=local_time(progress.last_synced_at, locale)
        )
    return QCoreApplication.translate("SyncStatus", "All synced")


def status_tooltip(progress: SyncProgress | None, server: str) -> str:
    """Return the longer explanation shown when the pointer rests on the status text."""
    lines = (
        [QCoreApplication.translate("SyncStatus", "Server: {server}").format(server=server)]
        if server
        else [QCoreApplication.translate("SyncStatus", "No sync server is set.")]
    )
    if progress is None:
        return "\n".join(lines)
    if progress.message:
        lines.append(said(progress))
    if progress.retry_in:
        lines.append(
            QCoreApplication.translate("SyncStatus", "Next try in {seconds} s.").format(
                seconds=round(progress.retry_in)
            )
        )
    if progress.phase is Phase.DONE and progress.unsynced:
        if progress.failed:
            lines.append(SyncCounts().failed(progress.failed))
        if progress.elsewhere:
            lines.append(SyncCounts().elsewhere(progress.elsewhere))
    return "\n".join(lines)


class SyncCounts(QObject):
    """The texts that count observations, in their plural forms (lupdate reads those from ``tr``)."""

    def not_synced(self, count: int) -> str:
        """Return how many observations are not on the server (the status bar)."""
        return self.tr("%Ln not synced", "", count)

    def failed(self, count: int) -> str:
        """Return how many failed for good (the tooltip)."""
        return self.tr("%Ln failed: the history shows why on each row.", "", count)

    def elsewhere(self, count: int) -> str:
        """Return how many belong to another server or experiment (the tooltip)."""
        return self.tr("%Ln belong(s) to another server or experiment: see the Sync menu.", "", count)


def said(progress: SyncProgress) -> str:
    """Return the progress's problem in the current language (its English message if it has no words)."""
    return sync_problem_text(progress.problem, progress.facts, progress.message)
