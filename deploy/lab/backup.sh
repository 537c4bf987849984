#!/bin/sh
# Back up the lab server: each database with pg_dump (custom format), then the artifact folder as a
# tarball, into BACKUP_DIR/<UTC time>/; keep BACKUP_KEEP_DAYS days. Repeats every BACKUP_EVERY_SECONDS;
# 0 backs up once and exits with pg_dump's or tar's failure, if any.
# The databases go first: every artifact they refer to is already on disk when the tarball is made.
# Connection: the usual libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD).
set -u
BACKUP_DIR=${BACKUP_DIR:?set BACKUP_DIR}
BACKUP_DATABASES=${BACKUP_DATABASES:-mlflow}
BACKUP_ARTIFACTS=${BACKUP_ARTIFACTS:-}
BACKUP_EVERY_SECONDS=${BACKUP_EVERY_SECONDS:-86400}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-14}

backup_once() {
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    partial="$BACKUP_DIR/$stamp.partial"
    rm -rf "$BACKUP_DIR"/*.partial
    mkdir -p "$partial" || return 1
    for database in $BACKUP_DATABASES; do
        pg_dump --format=custom --file="$partial/$database.dump" "$database" || return 1
    done
    if [ -n "$BACKUP_ARTIFACTS" ]; then
        tar -C "$BACKUP_ARTIFACTS" -czf "$partial/artifacts.tar.gz" . || return 1
    fi
    # Only a complete backup loses its .partial suffix.
    mv "$partial" "$BACKUP_DIR/$stamp" || return 1
    echo "backup complete: $BACKUP_DIR/$stamp"
    find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name '2*Z' -mtime +"$BACKUP_KEEP_DAYS" \
        -exec rm -rf {} +
}

while :; do
    if ! backup_once; then
        echo "backup FAILED at $(date -u +%Y-%m-%dT%H:%M:%SZ)" >&2
        [ "$BACKUP_EVERY_SECONDS" -eq 0 ] && exit 1
    fi
    [ "$BACKUP_EVERY_SECONDS" -eq 0 ] && exit 0
    sleep "$BACKUP_EVERY_SECONDS"
done
