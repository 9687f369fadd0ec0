#!/usr/bin/env bash
# Set everything up (if needed) and render the default clip into renders/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/calcanim render limit-climb "$@"
