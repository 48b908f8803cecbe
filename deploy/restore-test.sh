#!/usr/bin/env bash
# Restore a backup into a scratch database and check it; the live database is not touched.
#
#   deploy/restore-test.sh DUMP_FILE
#
# Creates the database stepwell_restore_<time> on the server of $STEPWELL_DATABASE_URL
# (its user needs CREATEDB), restores DUMP_FILE into it, then checks that
#   - every migration is there (`stepwell migrate --check`),
#   - the audit trail verifies, event by event (`stepwell audit verify`),
# prints a few row counts, and drops the scratch database. Exit code 0 means the backup
# restores into a working Stepwell. $STEPWELL_COMMAND is the stepwell command to use
# (default: stepwell).
set -euo pipefail

dump=${1:?usage: deploy/restore-test.sh DUMP_FILE}
: "${STEPWELL_DATABASE_URL:?set STEPWELL_DATABASE_URL (postgres://...)}"
read -r -a stepwell <<< "${STEPWELL_COMMAND:-stepwell}"
[ -s "$dump" ] || { echo "restore test: $dump is missing or empty" >&2; exit 1; }

live=${STEPWELL_DATABASE_URL%%\?*}       # no ?options
query=${STEPWELL_DATABASE_URL#"$live"}    # ?sslmode=... or empty
scratch="stepwell_restore_$(date -u +%Y%m%d%H%M%S)_$$"
scratch_url="${live%/*}/$scratch$query"

createdb --maintenance-db="$STEPWELL_DATABASE_URL" "$scratch"
trap 'dropdb --maintenance-db="$STEPWELL_DATABASE_URL" --if-exists "$scratch"' EXIT

pg_restore --no-owner --no-privileges --exit-on-error --dbname="$scratch_url" "$dump"
STEPWELL_DATABASE_URL=$scratch_url "${stepwell[@]}" migrate --check
STEPWELL_DATABASE_URL=$scratch_url "${stepwell[@]}" audit verify
psql --no-psqlrc --quiet --tuples-only --dbname="$scratch_url" --command="
  SELECT 'restored rows: '
    || (SELECT count(*) FROM patients_patient) || ' patients, '
    || (SELECT count(*) FROM patients_episode) || ' episodes, '
    || (SELECT count(*) FROM privacy_auditevent) || ' audit events'"
echo "restore test passed: $dump restores into a working Stepwell"
