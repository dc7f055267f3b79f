#!/usr/bin/env bash
# Installs the Debian packages the behaviour tests run for real (design.md, "Behaviour, not only
# shape"), when a command they provide is missing:
#   redis-server, redis-sentinel (Redis nodes and Sentinels), haproxy (the redis-sp proxy tier),
#   prometheus-redis-exporter (redis_exporter beside each Redis and Sentinel),
#   promtool from prometheus (the alert rules' unit tests, npm run test:monitoring),
#   amtool and prometheus-alertmanager from prometheus-alertmanager (the inhibition tests).
#
# The tests start their own processes on loopback with their own ports and data directories, so
# no system service may keep running after the install: a package's postinst can start one
# (systemd machines, or init scripts without a policy-rc.d) bound to 6379/26379, which would
# collide with the tests and leave a passwordless Redis on the machine. Each such service is
# stopped and disabled.
#
# To add a package: one line in PACKAGES, "<command> <package> [service...]".
# Usage: scripts/toolchain/behaviour-tools.sh   (as root, or with sudo available)
set -euo pipefail

# command-to-check  debian-package  system-services-its-postinst-may-start
PACKAGES=(
    "redis-server redis-server redis-server"
    "redis-sentinel redis-sentinel redis-sentinel"
    "haproxy haproxy haproxy"
    "prometheus-redis-exporter prometheus-redis-exporter prometheus-redis-exporter"
    "promtool prometheus prometheus"
    "amtool prometheus-alertmanager prometheus-alertmanager"
)

die() {
    printf 'behaviour-tools: %s\n' "$*" >&2
    exit 1
}

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo: cannot install packages"
    SUDO=(sudo -n)
fi

missing=()
services=()
for entry in "${PACKAGES[@]}"; do
    read -r cmd pkg svcs <<<"$entry"
    # redis-server/haproxy live in /usr/sbin or /usr/bin depending on the package version.
    if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ] && [ ! -x "/usr/bin/$cmd" ]; then
        missing+=("$pkg")
        for s in $svcs; do services+=("$s"); done
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "behaviour-tools: all present"
    exit 0
fi

command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get to install them"
echo "behaviour-tools: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq || die "apt-get update failed"
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install ${missing[*]} failed"

# Stop and disable what the postinst may have started (a no-op where policy-rc.d forbade it).
for s in "${services[@]}"; do
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        "${SUDO[@]}" systemctl disable --now "$s" >/dev/null 2>&1 || true
    elif [ -x "/etc/init.d/$s" ]; then
        "${SUDO[@]}" "/etc/init.d/$s" stop >/dev/null 2>&1 || true
        command -v update-rc.d >/dev/null 2>&1 && "${SUDO[@]}" update-rc.d "$s" disable >/dev/null 2>&1 || true
    fi
done

for entry in "${PACKAGES[@]}"; do
    read -r cmd pkg _ <<<"$entry"
    command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || [ -x "/usr/bin/$cmd" ] ||
        die "$pkg installed but $cmd is not on PATH"
done
# A service that survived the stop above would make the tests flaky: say so instead.
for port in 6379 26379 9121 9093 9094; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "something still listens on 127.0.0.1:$port after the install (a system service?)"
    fi
done
echo "behaviour-tools: installed ${missing[*]}"
