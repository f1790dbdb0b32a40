#!/usr/bin/env bash
# Cross-verification of vcengine against Digital Bazaar's JS libraries. See README.md.
# Usage: conformance/interop/run.sh [--created DATETIME] [--vcengine PATH | --no-vcengine]
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
exec node run.mjs "$@"
