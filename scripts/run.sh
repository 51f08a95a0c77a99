#!/usr/bin/env bash
# `make run`: the web server, and next to it the scheduler process that builds the reports
# (web workers never do). Ctrl-C or SIGTERM stops both; the scheduler finishes a build in hand.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
export FLASK_APP=${FLASK_APP:-app.py}

pids=()
stop() {
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    wait || true
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Both in the background, so that this shell can take the signal and stop them both.
"$BIN/flask" scheduler &
pids+=($!)
"$BIN/flask" run --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}" &
web=$!
pids+=("$web")
wait "$web"
