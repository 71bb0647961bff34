#!/usr/bin/env bash
# Runs the app on its defaults: SQLite under data/, simulated payments, http://127.0.0.1:3000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec cargo leptos serve --split "$@"
