#!/usr/bin/env bash
# Moved to scripts/cluster/local.sh (issue 23); this path stays for callers that still name it.
exec bash "$(dirname "$0")/cluster/local.sh" "$@"
