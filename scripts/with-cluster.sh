#!/usr/bin/env bash
# Moved to scripts/cluster/with-cluster.sh (issue 23); this path stays for callers that still name it.
exec bash "$(dirname "$0")/cluster/with-cluster.sh" "$@"
