#!/usr/bin/env bash
# The classic runner: load-tests an MCP server with mcpload's classic suite.
# Without --host it starts mcpload's embedded reference server.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: ./run_mcp_load_test.sh [--host URL] [--users N] [--spawn-rate N] [--time DURATION] [--headless] [-- EXTRA mcpload run OPTIONS]

  --host URL        target server (base URL or MCP endpoint); default: the embedded reference server
  --users N         concurrent users (default 10)
  --spawn-rate N    users started per second (default 2)
  --time DURATION   run time, e.g. 60s, 5m (default 60s)
  --headless        print stats to the console instead of opening the web UI
  --help            this help

Reports go to results/run_*.csv and results/run.json.
USAGE
}

cd "$(dirname "$0")"
host="" users=10 spawn_rate=2 time=60s headless=() extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --host) host="${2:?--host needs a URL}"; shift 2 ;;
    --users) users="${2:?--users needs a number}"; shift 2 ;;
    --spawn-rate) spawn_rate="${2:?--spawn-rate needs a number}"; shift 2 ;;
    --time) time="${2:?--time needs a duration}"; shift 2 ;;
    --headless) headless=(--headless); shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "error: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

if [ ! -d node_modules ] || [ ! -f dist/cli/main.js ]; then
  echo "installing dependencies (npm ci)..." >&2
  npm ci --no-audit --no-fund >&2
fi

args=(run -u "$users" -r "$spawn_rate" -t "$time" --csv results/run --json results/run.json "${headless[@]}")
[ -n "$host" ] && args+=(--host "$host")
exec node bin/mcpload.js "${args[@]}" "${extra[@]}"
