#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine: pnpm (the version the lock file was made with)
# and the workspace's packages, including the native build of better-sqlite3.
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM_VERSION=12.4.2
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi
# node-gyp (better-sqlite3's build) must find Node's headers; where the system Node ships them, use those
# instead of downloading them (pnpm ignores npm's own nodedir setting).
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi
pnpm install --frozen-lockfile
# The packages' JavaScript (dist/): `pnpm mbz` runs the built bin.
pnpm build
