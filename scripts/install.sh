#!/usr/bin/env bash
# Installs what o2c-bots needs, idempotently; scripts/setup.sh and scripts/test.sh both call it.
#
#  1. Debian packages: Chromium (the bots' browser), PostgreSQL, Dovecot (the tests start
#     their own servers on loopback ports), poppler-utils and ImageMagick (PDF pages as
#     images), DejaVu fonts (generated documents), and Python's venv module. Only missing
#     ones are installed; services that packages would start are kept from starting.
#  2. .venv in the checkout, with the project installed editable with its test extra.
#     Re-installed only when pyproject.toml changed since the last install.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PACKAGES=(python3 python3-venv python3-pip chromium postgresql dovecot-imapd poppler-utils imagemagick
          fonts-dejavu-core openssl ca-certificates nodejs xvfb xdotool)
# Tryton's web client for the tests comes from npm. NodeSource's nodejs carries its own npm
# (and conflicts with Debian's npm package); Debian's nodejs needs the npm package.
command -v npm >/dev/null || PACKAGES+=(npm)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

missing_packages() {
    local package
    for package in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || echo "$package"
    done
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else
        echo "error: installing Debian packages needs root; run as root or install: $*" >&2
        exit 1
    fi
}

install_debian_packages() {
    if ! command -v dpkg-query >/dev/null; then
        say "not a Debian system: install by hand ${PACKAGES[*]}"
        return
    fi
    local missing
    missing="$(missing_packages | tr '\n' ' ')"
    if [ -z "${missing// /}" ]; then
        return
    fi
    say "installing Debian packages: $missing"
    # Keep postgresql and dovecot from starting as services: the tests run their own
    # servers on free ports, and a system service would only hold ports and memory.
    local guard=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        guard=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' | as_root tee "$guard" >/dev/null
        as_root chmod 755 "$guard"
    fi
    # shellcheck disable=SC2086  # $missing is a list of package names
    if ! { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
           as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing; }; then
        [ -n "$guard" ] && as_root rm -f "$guard"
        echo "error: apt-get could not install: $missing" >&2
        exit 1
    fi
    [ -n "$guard" ] && as_root rm -f "$guard"
    # Where no policy-rc.d was honoured (a booted systemd machine), stop what started.
    for service in postgresql dovecot; do
        if command -v systemctl >/dev/null && systemctl is-active --quiet "$service" 2>/dev/null; then
            as_root systemctl stop "$service" || true
            as_root systemctl disable "$service" >/dev/null 2>&1 || true
        fi
    done
}

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null &&
           "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return
        fi
    done
    echo "error: o2c-bots needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)" >&2
    exit 1
}

make_venv() {
    if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
        local python
        python="$(find_python)"
        say "creating $VENV with $python"
        "$python" -m venv "$VENV"
        "$VENV/bin/python" -m pip install -q --upgrade pip
    fi
    # The stamp records which pyproject.toml was installed, so repeated runs are quick.
    local stamp="$VENV/.o2c-installed" wanted
    wanted="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1) $ROOT"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ] || ! "$VENV/bin/python" -c 'import bots, pytest' 2>/dev/null; then
        say "installing o2c-bots and its test tools into $VENV"
        "$VENV/bin/python" -m pip install -q -e "$ROOT[test]"
        echo "$wanted" >"$stamp"
    fi
}

# `o2c record` runs Playwright's codegen, which starts Google Chrome at /opt/google/chrome/chrome
# (`--channel chrome`); Debian's Chromium there does the same job.
link_chrome_for_codegen() {
    if [ ! -e /opt/google/chrome/chrome ] && [ -x /usr/bin/chromium ]; then
        as_root mkdir -p /opt/google/chrome && as_root ln -s /usr/bin/chromium /opt/google/chrome/chrome
    fi
}

install_debian_packages
link_chrome_for_codegen
make_venv
