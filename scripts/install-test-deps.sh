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
