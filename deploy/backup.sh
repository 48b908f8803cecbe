#!/usr/bin/env bash
# Back up the Stepwell database, then prove the backup restores.
#
#   deploy/backup.sh BACKUP_DIR
#
# Writes BACKUP_DIR/stepwell-YYYYmmddTHHMMSSZ.dump (pg_dump custom format) from
# $STEPWELL_DATABASE_URL, restores it into a scratch database with deploy/restore-test.sh,
# and deletes dumps older than $STEPWELL_BACKUP_KEEP_DAYS (default 14). Exits non-zero,
# leaving older dumps alone, when the dump or its restore test fails. Run it daily from
# cron or a timer, and copy BACKUP_DIR off the machine (the dumps hold patient records:
# keep them encrypted at rest).
set -euo pipefail

dir=${1:?usage: deploy/backup.sh BACKUP_DIR}
: "${STEPWELL_DATABASE_URL:?set STEPWELL_DATABASE_URL (postgres://...)}"
keep_days=${STEPWELL_BACKUP_KEEP_DAYS:-14}
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$dir"
umask 077
dump="$dir/stepwell-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --no-owner --file="$dump.partial" "$STEPWELL_DATABASE_URL"
mv "$dump.partial" "$dump"
echo "backup written: $dump ($(du -h "$dump" | cut -f1))"

"$here/restore-test.sh" "$dump"

find "$dir" -maxdepth 1 -name 'stepwell-*.dump' -mtime +"$keep_days" -print -delete
