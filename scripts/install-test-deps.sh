#!/usr/bin/env bash
# What the test suite needs beyond npm packages, installed when missing, so that the README's
# test command passes on a fresh machine. Debian packages come from apt-get (needs root, as on
# CI); without root it says what to install and stops.
set -euo pipefail

missing=()
# The share viewer is tested in a real browser: Debian's chromium, driven by playwright-core.
[ -x /usr/bin/chromium ] || missing+=(chromium)
# The share server's PostgreSQL store is tested against a real server: the tests run initdb and
# pg_ctl themselves (test/server/pg-cluster.ts), found via pg_config or Debian's folders.
has_initdb() {
  local bindir
  bindir="$(pg_config --bindir 2>/dev/null || true)"
  [ -n "$bindir" ] && [ -x "$bindir/initdb" ] && return 0
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}
has_initdb || missing+=(postgresql)

# The OpenCode round trip runs the real opencode binary (npm's opencode-ai, pinned). It is not a
# devDependency: its package lists a binary package per platform, and the lock file npm writes on
# one platform lacks the others', so `npm ci` refused the lock. Installed here, beside the tests.
OPENCODE_VERSION=1.18.33
opencode_dir="$(cd "$(dirname "$0")/.." && pwd)/.cache/opencode"
if [ "$("$opencode_dir/node_modules/.bin/opencode" --version 2>/dev/null || true)" != "$OPENCODE_VERSION" ]; then
  echo "installing opencode-ai@$OPENCODE_VERSION into .cache/opencode (npm)…" >&2
  npm install --prefix "$opencode_dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "opencode-ai@$OPENCODE_VERSION" >/dev/null
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "The tests need these Debian packages: ${missing[*]}" >&2
  echo "Install them (sudo apt-get install -y ${missing[*]}) and run again." >&2
  exit 1
fi
echo "installing ${missing[*]} (apt-get)…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
