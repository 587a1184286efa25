#!/usr/bin/env bash
# Run the full test suite N times in a row on MariaDB with Redis and log each outcome (issue 19: "20 consecutive
# full runs"). Run 1 starts half a second before a minute boundary. Run 2 runs under libfaketime (Debian's
# `faketime`): the clock of every process it starts is set back (or forward) so that it reads 23:58:00 UTC on the
# last day of a month when the run starts, so the run crosses midnight at a month end. The others run plainly.
# libfaketime breaks Python 3.11's timed waits (a thread join with a timeout hangs or a sleep fails with EINVAL,
# whichever clocks it fakes), so run 2 leaves out the tests marked `realtime` (they wait on deadlines and read no
# date: the health probe, the mail worker process, the replication tests' two gunicorn instances); every other run
# includes them.
#
#   DATABASE_URL=mysql://root@127.0.0.1:3306/sx_NAME REDIS_URL=redis://127.0.0.1:6379/N \
#     scripts/repeat-suite.sh 20 /tmp/repeat-suite.log
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
LOG=${2:-repeat-suite.log}
# Two minutes before midnight: the suite takes 4-5 minutes here, so run 2 crosses midnight (into 1 December) early
# in the run, with tests collected on 30 November still running on the 1st.
MONTH_END=${MONTH_END:-2026-11-30 23:58:00}
: "${DATABASE_URL:?set DATABASE_URL to your own MariaDB database}"
: "${REDIS_URL:?set REDIS_URL to your own Redis database}"

passed=0
for run in $(seq 1 "$RUNS"); do
  mode=plain
  prefix=()
  select=()
  if [ "$run" -eq 1 ]; then
    mode="started just before a minute boundary"
    python3 -c 'import time; time.sleep(60 - time.time() % 60 - 0.5)'
  elif [ "$run" -eq 2 ]; then
    # A relative offset, not an absolute start ("@..."): with a start time, every process the run starts later
    # (gunicorn servers, manage.py) starts its own clock at the month end again, so a server started a few seconds
    # after another runs that far behind it, and refuses the tokens the other issued as not yet valid.
    offset=$(( $(date -ud "$MONTH_END" +%s) - $(date +%s) ))
    [ "$offset" -ge 0 ] && offset="+$offset"
    mode="faketime from $MONTH_END UTC (offset ${offset} s, one clock for every process)"
    prefix=(env TZ=UTC faketime -f "$offset")
    select=(-m "not realtime")
  fi
  started=$(date -u +%FT%T.%3NZ)
  out=$(mktemp)
  "${prefix[@]}" .venv/bin/pytest -q -p no:cacheprovider "${select[@]}" >"$out" 2>&1
  rc=$?
  summary=$(tail -n 1 "$out")
  [ "$rc" -eq 0 ] && passed=$((passed + 1))
  clock=""
  [ ${#prefix[@]} -gt 0 ] && clock=" (its clock read $("${prefix[@]}" date -u +%FT%T) at the end)"
  echo "run $run/$RUNS ($mode) started $started ended $(date -u +%FT%T.%3NZ)$clock rc=$rc: $summary" >>"$LOG"
  if [ "$rc" -ne 0 ]; then
    grep -E '^(FAILED|ERROR)' "$out" | head -20 >>"$LOG"
    cp "$out" "$LOG.run$run.txt"
  fi
  rm -f "$out"
  echo "passed so far: $passed of $run" >>"$LOG"
done
