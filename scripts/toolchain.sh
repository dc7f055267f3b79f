#!/usr/bin/env bash
# Moved to scripts/toolchain/toolchain.sh (issue 23); this path stays for callers that still name it.
exec bash "$(dirname "$0")/toolchain/toolchain.sh" "$@"
