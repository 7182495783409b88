#!/usr/bin/env bash
# Builds the web app in release mode and serves it on http://127.0.0.1:${PORT:-8080}/
# Installs what it needs first (see scripts/setup.sh); a second run skips the installs.
#   scripts/serve.sh            # port 8080
#   PORT=9000 scripts/serve.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh
setup_build

PORT="${PORT:-8080}"
kl_log "building and serving on http://127.0.0.1:$PORT/ (Ctrl-C to stop)"
exec trunk serve --release --address 127.0.0.1 --port "$PORT" --no-autoreload --disable-address-lookup
