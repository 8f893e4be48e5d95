#!/bin/sh
# W&B Server (wandb/local) stand-in: see README.md for the STANDIN_* variables.
# STANDIN_DEFAULT_MODE is the image's own (the :dirty tag is built with crash); STANDIN_MODE overrides it
MODE=${STANDIN_MODE:-${STANDIN_DEFAULT_MODE:-normal}}
READY_DELAY=${STANDIN_READY_DELAY:-2}
HEARTBEAT=${STANDIN_HEARTBEAT:-5}
BURST=${STANDIN_BURST_LINES:-0}
# crash mode's last line: wandb/local's own, from wandb/server#16 (see README.md)
FATAL_LINE=${STANDIN_FATAL_LINE:-"panic: Dirty database version 1. Fix and force version."}
ERROR_AT=${STANDIN_ERROR_AT:-}
ERROR_LINE=${STANDIN_ERROR_LINE:-"ERROR: lost connection to MySQL server during query"}
READY_FLAG=/tmp/standin-ready
pids=""

now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
json() { printf '{"level":"%s","ts":"%s","logger":"%s","msg":"%s"}\n' "$1" "$(now)" "$2" "$3"; }

shutdown() {
  echo "*** Received SIGTERM, shutting down W&B server"
  # shellcheck disable=SC2086 # the list of PIDs is meant to split
  kill $pids 2>/dev/null
  json info gorilla "shutdown complete"
  exit 0
}
trap shutdown TERM INT
if [ "${STANDIN_IGNORE_TERM:-0}" = 1 ]; then
  # A server that does not exit on SIGTERM: `docker stop` waits its timeout, then SIGKILL (exit 137).
  trap 'echo "*** Received SIGTERM, ignoring it"' TERM
fi

rm -f "$READY_FLAG"
if [ "$MODE" = crash ]; then
  # wandb/local's start-up up to a dirty schema, verbatim from wandb/server#16 (lines left out, none changed)
  echo "*** Running /etc/my_init.d/00_regen_ssh_host_keys.sh..."
  echo "*** Running /etc/my_init.d/01_enable-services.sh..."
  echo "*** Copying services to runit"
  echo "*** Enabling production mode"
  echo "*** Running /etc/my_init.d/02_load-settings.sh..."
  echo "*** Loading settings..."
  echo "*** Booting runit daemon..."
  echo "*** Runit started as PID 36"
  echo "*** Starting wandb servers..."
  echo "*** Migrating database..."
  echo "$FATAL_LINE"
  exit 1
fi
if [ -n "${STANDIN_SCENARIO:-}" ]; then
  # A real failure: the corpus case's log lines, verbatim (tests/diagnosis_corpus/NAME.toml has the
  # source), then exit 1 as the server does, or serve on with STANDIN_SCENARIO_THEN=run.
  if [ ! -f "/scenarios/$STANDIN_SCENARIO.log" ]; then
    echo "stand-in: no scenario $STANDIN_SCENARIO (one per tests/diagnosis_corpus/*.toml)" >&2
    exit 2
  fi
  cat "/scenarios/$STANDIN_SCENARIO.log"
  [ "${STANDIN_SCENARIO_THEN:-exit}" = run ] || exit 1
fi
echo "*** Starting W&B server (wandb/local stand-in, mode=$MODE)"
echo "*** Loading settings from /vol/env"
json info local "license: none found, running with default limits"
echo "*** Connecting to MySQL ... ok"
echo "Running migrations..."

if [ "$MODE" = oom ]; then
  echo "*** Loading the model cache into memory"
  # awk doubles a string until the memory limit stops it; exec makes it PID 1, so the kernel's
  # OOM kill ends the container (exit 137, State.OOMKilled true).
  exec awk 'BEGIN { s = "0123456789abcdef"; while (1) s = s s }'
fi

nc -ll -p 8080 -e /http.sh &
pids="$pids $!"
json info gorilla "Starting gorilla"
echo "*** Starting nginx on :8080"

if [ "$BURST" -gt 0 ] 2>/dev/null; then
  # One awk process writes the lines; a shell loop would be far too slow for 1M lines.
  awk -v n="$BURST" 'BEGIN { for (i = 1; i <= n; i++)
    printf "log line %06d {\"level\":\"info\",\"logger\":\"burst\",\"msg\":\"request served\"}\n", i }' &
  pids="$pids $!"
  wait $!
fi

if [ "$MODE" = never-ready ]; then
  ( sleep "$READY_DELAY"; echo "migration 0042: waiting for table lock on runs" ) &
else
  ( sleep "$READY_DELAY"
    echo "migration 0042 applied"
    echo "migrations complete (version 42)"
    touch "$READY_FLAG"
    json info gorilla "W&B server ready on :8080" ) &
fi
pids="$pids $!"

if [ -n "$ERROR_AT" ]; then
  ( sleep "$ERROR_AT"; echo "$ERROR_LINE" ) &
  pids="$pids $!"
fi

beat=0
while :; do
  if [ "$HEARTBEAT" = 0 ]; then
    sleep 3600 &
  else
    sleep "$HEARTBEAT" &
  fi
  sleeper=$!
  pids="$pids $sleeper"
  wait "$sleeper"
  pids=${pids% "$sleeper"}
  if [ "$HEARTBEAT" != 0 ]; then
    beat=$((beat + 1))
    json info gorilla "heartbeat $beat"
  fi
done
