#!/usr/bin/env bash
# The Prometheus Operator CRDs this stack's monitoring family uses (PodMonitor, ServiceMonitor,
# PrometheusRule, AlertmanagerConfig), pinned, from the operator's Go module through the Go module proxy: the same
# version @kubernetes-models/prometheus-operator 6.0.0 (package.json) was generated from, so the
# typed specs in components/monitoring.ts and the served schemas agree.
#
# Usage:
#   scripts/cluster/prometheus-crds.sh            print the four CRDs as one YAML stream
#   KUBECONFIG=<file> scripts/cluster/prometheus-crds.sh
#                                         apply them (server-side: the CRDs exceed the size of
#                                         kubectl's last-applied annotation) and wait until the
#                                         API server serves them
# Env: SAPOCHE_PROMETHEUS_OPERATOR_VERSION overrides the pinned version (v0.91.0).
set -euo pipefail

MODULE="github.com/prometheus-operator/prometheus-operator"
VERSION="${SAPOCHE_PROMETHEUS_OPERATOR_VERSION:-v0.91.0}"
CRD_DIR="example/prometheus-operator-crd"
FILES=(
    monitoring.coreos.com_podmonitors.yaml
    monitoring.coreos.com_servicemonitors.yaml
    monitoring.coreos.com_prometheusrules.yaml
    monitoring.coreos.com_alertmanagerconfigs.yaml
)
CRDS=(crd/podmonitors.monitoring.coreos.com crd/servicemonitors.monitoring.coreos.com
    crd/prometheusrules.monitoring.coreos.com crd/alertmanagerconfigs.monitoring.coreos.com)

die() {
    printf 'prometheus-crds: %s\n' "$*" >&2
    exit 1
}

command -v go >/dev/null 2>&1 || die "go is needed to fetch the CRDs ($MODULE@$VERSION)"
# Outside any module, so no go.mod of the caller's directory gets involved.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dir="$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "$MODULE@$VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -n "$dir" ] || die "go mod download $MODULE@$VERSION gave no module directory"

paths=()
for f in "${FILES[@]}"; do
    [ -f "$dir/$CRD_DIR/$f" ] || die "CRD $CRD_DIR/$f not found in $MODULE@$VERSION"
    paths+=("$dir/$CRD_DIR/$f")
done

if [ -z "${KUBECONFIG:-}" ]; then
    for p in "${paths[@]}"; do
        printf -- '---\n'
        cat "$p"
    done
    exit 0
fi

command -v kubectl >/dev/null 2>&1 || die "kubectl is needed to apply the CRDs"
for p in "${paths[@]}"; do
    kubectl apply --server-side --force-conflicts -f "$p" >/dev/null
done
# `kubectl wait` fails outright on a CRD whose status has no conditions yet (a freshly created
# one, under load): ask again until each is Established, for at most 60 s.
for crd in "${CRDS[@]}"; do
    for _ in $(seq 60); do
        [ "$(kubectl get "$crd" -o jsonpath='{.status.conditions[?(@.type=="Established")].status}' 2>/dev/null)" = True ] && continue 2
        sleep 1
    done
    die "$crd not Established within 60 s"
done
echo "prometheus-crds: PodMonitor, ServiceMonitor, PrometheusRule, AlertmanagerConfig CRDs ($VERSION) established"
