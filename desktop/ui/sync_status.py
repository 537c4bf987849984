"""The sync's status-bar words: Offline / Syncing k of n / All synced (time) / the problem in plain words."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale

from desktop.sync.worker import Phase, SyncProgress
from desktop.ui.history_model import local_time
from desktop.ui.i18n import sentence


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
    if progress.phase in (Phase.ERROR, Phase.RETRYING):
        return sentence(progress.message)
    # DONE
    if progress.unsynced:
        return QCoreApplication.translate("SyncStatus", "{count} not synced").format(count=progress.unsynced)
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
        lines.append(sentence(progress.message))
    if progress.retry_in:
        lines.append(
            QCoreApplication.translate("SyncStatus", "Next try in {seconds} s.").format(
                seconds=round(progress.retry_in)
            )
        )
    if progress.phase is Phase.DONE and progress.unsynced:
        if progress.failed:
            lines.append(
                QCoreApplication.translate(
                    "SyncStatus", "{count} failed: the history shows why on each row."
                ).format(count=progress.failed)
            )
        if progress.elsewhere:
            lines.append(
                QCoreApplication.translate(
                    "SyncStatus", "{count} belong to another server or experiment: see the Sync menu."
                ).format(count=progress.elsewhere)
            )
    return "\n".join(lines)
