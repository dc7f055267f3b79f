#!/usr/bin/env bash
# A local Kubernetes control plane on loopback only, for real `pulumi preview/up` runs:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (fake nodes whose pods
#   become Running/Ready without containers), plus 6 fake nodes, the KEDA CRDs, a StorageClass
#   `standard` and pre-made PersistentVolumes.
#
# Usage: scripts/cluster.sh up|down|status
# Binaries come from PATH or from the toolchain (scripts/toolchain.sh).
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
  [ "${#missing[@]}" -eq 0 ] || die "not found on PATH: ${missing[*]} (run scripts/toolchain.sh and source the env.sh it prints)"
}

# ---- process management ----------------------------------------------------------------------------
pid_of() {
  local f="$PIDS/$1.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid: the process must run the component's binary.
  case "$(basename "$(readlink -f "/proc/$pid/exe" 2>/dev/null || echo none)")" in
    "$1"|"$1 (deleted)") printf '%s\n' "$pid" ;;
    *) return 1 ;;
  esac
}

start() {
  local name="$1"
  shift
  if pid="$(pid_of "$name")"; then
    log "$name already running (pid $pid)"
    return 0
  fi
  log "starting $name (log: $LOGS/$name.log)"
  # setsid: own process group, not tied to the calling terminal.
  setsid "$name" "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
}

stop() {
  local name="$1" pid i
  pid="$(pid_of "$name")" || { rm -f "$PIDS/$name.pid"; return 0; }
  log "stopping $name (pid $pid)"
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop in 10 s: SIGKILL"
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDS/$name.pid"
}

fail_component() {
  local name="$1" what="$2"
  printf '[cluster] ERROR: %s failed: %s\n' "$name" "$what" >&2
  if [ -f "$LOGS/$name.log" ]; then
    printf '[cluster] ---- last 30 lines of %s ----\n' "$LOGS/$name.log" >&2
    tail -n 30 "$LOGS/$name.log" >&2
  fi
  exit 1
}

# wait_for NAME DESCRIPTION COMMAND...: retry COMMAND until it succeeds, the process dies, or timeout.
wait_for() {
  local name="$1" what="$2" deadline
  shift 2
  deadline=$((SECONDS + TIMEOUT))
  while ! "$@" >/dev/null 2>&1; do
    case "$name" in
      etcd|kube-apiserver|kube-controller-manager|kube-scheduler|kwok)
        pid_of "$name" >/dev/null || fail_component "$name" "process exited while waiting for $what" ;;
    esac
    [ "$SECONDS" -lt "$deadline" ] || fail_component "$name" "timed out after ${TIMEOUT}s waiting for $what"
    sleep 0.5
  done
}

# ---- certificates ----------------------------------------------------------------------------------
cert() { # cert NAME SUBJECT [SAN] : key + cert signed by the local CA
  local name="$1" subj="$2" san="${3:-}"
  [ -f "$PKI/$name.crt" ] && return 0
  openssl genrsa -out "$PKI/$name.key" 2048 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [ -n "$san" ]; then
      echo "extendedKeyUsage=serverAuth"
      echo "subjectAltName=$san"
    else
      echo "extendedKeyUsage=clientAuth"
    fi
  } >"$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

make_pki() {
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  if [ ! -f "$PKI/ca.crt" ]; then
    log "generating CA, serving, client and service-account keys in $PKI"
    openssl genrsa -out "$PKI/ca.key" 2048 2>/dev/null
    openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=sapoche-local-ca" -days 3650 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
      -out "$PKI/ca.crt" 2>/dev/null
  fi
  cert apiserver "/CN=kube-apiserver" \
    "IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  cert admin "/O=system:masters/CN=sapoche-admin"
  cert kube-controller-manager "/CN=system:kube-controller-manager"
  cert kube-scheduler "/CN=system:kube-scheduler"
  if [ ! -f "$PKI/sa.key" ]; then
    openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  fi
}

kubeconfig_for() { # kubeconfig_for FILE CERTNAME
  local file="$1" who="$2"
  [ -f "$file" ] && return 0
  KUBECONFIG="$file" kubectl config set-cluster sapoche-local --server="https://$HOST:$API_PORT" \
    --certificate-authority="$PKI/ca.crt" --embed-certs=true >/dev/null
  KUBECONFIG="$file" kubectl config set-credentials "$who" --client-certificate="$PKI/$who.crt" \
    --client-key="$PKI/$who.key" --embed-certs=true >/dev/null
  KUBECONFIG="$file" kubectl config set-context sapoche-local --cluster=sapoche-local --user="$who" >/dev/null
  KUBECONFIG="$file" kubectl config use-context sapoche-local >/dev/null
  chmod 600 "$file"
}

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

# ---- cluster contents ------------------------------------------------------------------------------
kwok_stages() {
  local out="$STATE/kwok-stages.yaml" dir="" f
  # Prefer the stage definitions cached by scripts/toolchain.sh next to the kwok binary.
  dir="$(dirname "$(readlink -f "$(command -v kwok)")")/../share/stage"
  if [ ! -d "$dir" ]; then
    command -v go >/dev/null 2>&1 || die "kwok stage definitions not found and go is not installed"
    dir="$(cd "$STATE" && go mod download -json "sigs.k8s.io/kwok@$KWOK_MODULE_VERSION" \
      | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')/kustomize/stage"
  fi
  : >"$out"
  for f in node/fast/node-initialize.yaml node/heartbeat/node-heartbeat.yaml \
    pod/general/pod-create.yaml pod/general/pod-init-container-running.yaml \
    pod/general/pod-init-container-completed.yaml pod/general/pod-ready.yaml \
    pod/general/pod-complete.yaml pod/general/pod-delete.yaml; do
    [ -f "$dir/$f" ] || die "kwok stage $dir/$f not found"
    {
      printf -- '---\n'
      cat "$dir/$f"
      printf '\n'
    } >>"$out"
  done
  printf '%s\n' "$out"
}

apply_nodes() {
  local i zones=(zone-a zone-b zone-c) out="$STATE/nodes.yaml"
  : >"$out"
  for i in $(seq 0 $((NODES - 1))); do
    cat >>"$out" <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    node.alpha.kubernetes.io/ttl: "0"
    kwok.x-k8s.io/node: fake
  labels:
    type: kwok
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: kwok-node-$i
    node-role.kubernetes.io/agent: ""
    topology.kubernetes.io/zone: ${zones[$((i % 3))]}
status:
  capacity: {cpu: "32", memory: 128Gi, pods: "110", ephemeral-storage: 500Gi}
  allocatable: {cpu: "32", memory: 128Gi, pods: "110", ephemeral-storage: 500Gi}
  nodeInfo:
    architecture: amd64
    operatingSystem: linux
    kubeletVersion: fake
    kubeProxyVersion: fake
EOF
  done
  k apply -f "$out" >/dev/null
}

apply_storage() {
  local i out="$STATE/storage.yaml"
  cat >"$out" <<EOF
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: Immediate
reclaimPolicy: Retain
EOF
  for i in $(seq -w 1 "$PVS"); do
    mkdir -p "$PV_ROOT/pv-$i"
    cat >>"$out" <<EOF
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: sapoche-pv-$i
  labels: {type: local-fake}
spec:
  capacity: {storage: 20Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: standard
  hostPath: {path: $PV_ROOT/pv-$i, type: DirectoryOrCreate}
EOF
  done
  k apply -f "$out" >/dev/null
}

apply_keda_crds() {
  local dir f
  command -v go >/dev/null 2>&1 || die "go is needed to fetch the KEDA CRDs ($KEDA_MODULE@$KEDA_VERSION)"
  dir="$(cd "$STATE" && go mod download -json "$KEDA_MODULE@$KEDA_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')/config/crd/bases"
  for f in keda.sh_scaledobjects.yaml keda.sh_triggerauthentications.yaml keda.sh_clustertriggerauthentications.yaml; do
    [ -f "$dir/$f" ] || die "KEDA CRD $dir/$f not found"
    k apply --server-side --force-conflicts -f "$dir/$f" >/dev/null
  done
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

  log "applying $NODES fake nodes, StorageClass standard + $PVS PersistentVolumes, KEDA CRDs ($KEDA_VERSION)"
  apply_nodes
  apply_storage
  apply_keda_crds
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
