#!/usr/bin/env bash
# A local Kubernetes control plane on loopback only, for real `pulumi preview/up` runs:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (fake nodes whose pods
#   become Running/Ready without containers), plus 6 fake nodes, the KEDA and Prometheus Operator
#   CRDs, a StorageClass
#   `standard` and pre-made PersistentVolumes.
#
# Usage: scripts/cluster/cluster.sh up|down|status
# Binaries come from PATH or from the toolchain (scripts/toolchain/toolchain.sh).
# Environment (all optional):
#   SAPOCHE_CLUSTER_DIR      state dir (certs, etcd data, logs, pids, kubeconfig); default ~/.cache/sapoche-cluster
#   SAPOCHE_APISERVER_PORT   default 6443
#   SAPOCHE_ETCD_PORT        default 2379 (peer port is this + 1)
#   SAPOCHE_KCM_PORT         default 10257    SAPOCHE_SCHEDULER_PORT  default 10259
#   SAPOCHE_NODES            number of fake nodes, default 6
#   SAPOCHE_PVS              number of 20Gi PersistentVolumes, default 24
#   SAPOCHE_CLUSTER_TIMEOUT  seconds to wait for each health check, default 120
set -euo pipefail

STATE="${SAPOCHE_CLUSTER_DIR:-$HOME/.cache/sapoche-cluster}"
API_PORT="${SAPOCHE_APISERVER_PORT:-6443}"
ETCD_PORT="${SAPOCHE_ETCD_PORT:-2379}"
ETCD_PEER_PORT="$((ETCD_PORT + 1))"
KCM_PORT="${SAPOCHE_KCM_PORT:-10257}"
SCHED_PORT="${SAPOCHE_SCHEDULER_PORT:-10259}"
NODES="${SAPOCHE_NODES:-6}"
PVS="${SAPOCHE_PVS:-24}"
TIMEOUT="${SAPOCHE_CLUSTER_TIMEOUT:-120}"
KEDA_MODULE="github.com/kedacore/keda/v2"
KEDA_VERSION="${SAPOCHE_KEDA_VERSION:-v2.21.0}"
KWOK_MODULE_VERSION="v0.8.0"
HOST=127.0.0.1
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

PKI="$STATE/pki"
LOGS="$STATE/logs"
PIDS="$STATE/pids"
KUBECONFIG_FILE="$STATE/kubeconfig"
# hostPath root of the fake PersistentVolumes: under /tmp, one per state dir.
PV_ROOT="${SAPOCHE_PV_DIR:-/tmp/sapoche-pv-$(printf '%s' "$STATE" | cksum | cut -d' ' -f1)}"

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { printf '[cluster] ERROR: %s\n' "$*" >&2; exit 1; }

find_tools() {
  local tc="${SAPOCHE_TOOLCHAIN_DIR:-$HOME/.cache/sapoche-toolchain}" b missing=()
  if ! command -v kube-apiserver >/dev/null 2>&1 && [ -f "$tc/env.sh" ]; then
    # shellcheck disable=SC1091
    . "$tc/env.sh"
  fi
  for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok openssl curl; do
    command -v "$b" >/dev/null 2>&1 || missing+=("$b")
  done
  [ "${#missing[@]}" -eq 0 ] || die "not found on PATH: ${missing[*]} (run scripts/toolchain/toolchain.sh and source the env.sh it prints)"
}

LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=cluster/processes.sh
. "$LIB/processes.sh"
# shellcheck source=cluster/pki.sh
. "$LIB/pki.sh"
# shellcheck source=cluster/contents.sh
. "$LIB/contents.sh"

# ---- health checks ---------------------------------------------------------------------------------
etcd_healthy() { curl -fsS "http://$HOST:$ETCD_PORT/health" | grep -q '"health":"true"'; }
api_ready() {
  curl -fsS --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "https://$HOST:$API_PORT/readyz" | grep -q '^ok$'
}
kcm_healthy() { curl -fsSk "https://$HOST:$KCM_PORT/healthz" | grep -q '^ok$'; }
sched_healthy() { curl -fsSk "https://$HOST:$SCHED_PORT/healthz" | grep -q '^ok$'; }
k() { kubectl --kubeconfig "$KUBECONFIG_FILE" "$@"; }
nodes_ready() {
  local n
  n="$(k get nodes -l type=kwok -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' \
    | grep -c '^True$')"
  [ "$n" -ge "$NODES" ]
}
default_sa() { k -n default get serviceaccount default; }
crds_established() {
  k wait --for=condition=Established --timeout=5s \
    crd/scaledobjects.keda.sh crd/triggerauthentications.keda.sh crd/clustertriggerauthentications.keda.sh
}

# ---- commands --------------------------------------------------------------------------------------
cmd_up() {
  local t0=$SECONDS
  find_tools
  mkdir -p "$STATE" "$LOGS" "$PIDS" "$STATE/etcd"
  chmod 700 "$STATE/etcd"
  make_pki
  kubeconfig_for "$KUBECONFIG_FILE" admin
  kubeconfig_for "$STATE/kube-controller-manager.kubeconfig" kube-controller-manager
  kubeconfig_for "$STATE/kube-scheduler.kubeconfig" kube-scheduler

  start etcd --name sapoche --data-dir "$STATE/etcd" \
    --listen-client-urls "http://$HOST:$ETCD_PORT" --advertise-client-urls "http://$HOST:$ETCD_PORT" \
    --listen-peer-urls "http://$HOST:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://$HOST:$ETCD_PEER_PORT" \
    --initial-cluster "sapoche=http://$HOST:$ETCD_PEER_PORT" --unsafe-no-fsync --log-level warn
  wait_for etcd "http://$HOST:$ETCD_PORT/health" etcd_healthy

  start kube-apiserver --etcd-servers "http://$HOST:$ETCD_PORT" \
    --bind-address "$HOST" --advertise-address "$HOST" --secure-port "$API_PORT" \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --service-account-issuer "https://kubernetes.default.svc.cluster.local" \
    --service-cluster-ip-range 10.8.0.0/16 --service-node-port-range 30000-32767 \
    --authorization-mode Node,RBAC --allow-privileged=true \
    --endpoint-reconciler-type none --profiling=false
  wait_for kube-apiserver "https://$HOST:$API_PORT/readyz" api_ready

  start kube-controller-manager --kubeconfig "$STATE/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig "$STATE/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig "$STATE/kube-controller-manager.kubeconfig" \
    --bind-address "$HOST" --secure-port "$KCM_PORT" \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --use-service-account-credentials=true --controllers '*' --leader-elect=false \
    --service-cluster-ip-range 10.8.0.0/16 --profiling=false
  start kube-scheduler --kubeconfig "$STATE/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig "$STATE/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig "$STATE/kube-scheduler.kubeconfig" \
    --bind-address "$HOST" --secure-port "$SCHED_PORT" --leader-elect=false --profiling=false
  local stages
  stages="$(kwok_stages)"
  start kwok --kubeconfig "$KUBECONFIG_FILE" --manage-all-nodes=true --config "$stages" \
    --node-ip "$HOST"
  wait_for kube-controller-manager "https://$HOST:$KCM_PORT/healthz" kcm_healthy
  wait_for kube-scheduler "https://$HOST:$SCHED_PORT/healthz" sched_healthy

  log "applying $NODES fake nodes, StorageClass standard + $PVS PersistentVolumes, KEDA CRDs ($KEDA_VERSION), Prometheus Operator CRDs"
  apply_nodes
  apply_storage
  apply_keda_crds
  # The monitoring family's PodMonitor / ServiceMonitor / PrometheusRule need their CRDs.
  KUBECONFIG="$KUBECONFIG_FILE" bash "$LIB/prometheus-crds.sh" >/dev/null
  wait_for kwok "$NODES nodes Ready" nodes_ready
  wait_for kube-controller-manager "ServiceAccount default/default" default_sa
  wait_for kube-apiserver "KEDA CRDs Established" crds_established
  log "up in $((SECONDS - t0))s; state in $STATE"
  printf 'export KUBECONFIG=%s\n' "$KUBECONFIG_FILE"
}

cmd_down() {
  local i
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    stop "${COMPONENTS[$i]}"
  done
  if [ -d "$STATE" ]; then
    log "removing $STATE"
    rm -rf "$STATE"
  fi
  rm -rf "$PV_ROOT"
}

cmd_status() {
  local c pid rc=0 health
  for c in "${COMPONENTS[@]}"; do
    if pid="$(pid_of "$c")"; then
      case "$c" in
        etcd) etcd_healthy 2>/dev/null && health=healthy || health=UNHEALTHY ;;
        kube-apiserver) api_ready 2>/dev/null && health=ready || health=NOT-READY ;;
        kube-controller-manager) kcm_healthy 2>/dev/null && health=healthy || health=UNHEALTHY ;;
        kube-scheduler) sched_healthy 2>/dev/null && health=healthy || health=UNHEALTHY ;;
        kwok) health=running ;;
      esac
      printf '%-24s pid %-8s %s\n' "$c" "$pid" "$health"
      case "$health" in UNHEALTHY|NOT-READY) rc=1 ;; esac
    else
      printf '%-24s %s\n' "$c" "stopped"
      rc=1
    fi
  done
  if [ "$rc" = 0 ] && command -v kubectl >/dev/null 2>&1; then
    printf 'nodes Ready: %s\n' "$(k get nodes --no-headers 2>/dev/null | grep -c ' Ready ' || true)"
    printf 'kubeconfig: %s\n' "$KUBECONFIG_FILE"
  fi
  return "$rc"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) find_tools >/dev/null 2>&1 || true; cmd_status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
