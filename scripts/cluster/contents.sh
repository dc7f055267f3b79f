#!/usr/bin/env bash
# What cluster.sh (sourced) puts in the cluster: kwok stages, fake nodes, storage, CRDs.
kwok_stages() {
  local out="$STATE/kwok-stages.yaml" dir="" f
  # Prefer the stage definitions cached by scripts/toolchain/toolchain.sh next to the kwok binary.
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

