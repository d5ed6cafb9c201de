#!/usr/bin/env bash
# Install OpenLink Virtuoso (Debian package virtuoso-opensource, 7.2) for tests/test_push_virtuoso.py.
# Idempotent: does nothing when virtuoso-t is already on PATH. Uses apt-get only.
#
# The package asks (debconf) for a password for the *system* instance's dba/dav users. We answer
# it with an empty password, non-interactively: the system instance then stays disabled (no daemon
# left on ports 1111/8890). The tests start their own server on a fresh database in a temp folder,
# where dba's password is always "dba", whatever was answered here.
set -euo pipefail

if command -v virtuoso-t >/dev/null 2>&1; then
    echo "virtuoso-t already installed: $(command -v virtuoso-t)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

printf '%s\n' \
    'virtuoso-opensource-7 virtuoso-opensource-7/dba-password password' \
    'virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password' \
    | $SUDO debconf-set-selections

$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends virtuoso-opensource

command -v virtuoso-t
test -f /etc/virtuoso-opensource-7/virtuoso.ini
