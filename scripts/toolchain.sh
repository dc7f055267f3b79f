#!/usr/bin/env bash
# Provides pinned versions of the real tools the project runs against:
#   pulumi + pulumi-language-nodejs (+ the pulumi-analyzer-policy launcher of the same release),
#   pulumi-resource-kubernetes, etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
#   kubectl, kwok, actionlint.
#
# A piece already on PATH at the pinned version is used as is. Otherwise it is built from Go modules
# through the module proxy, each in its own wrapper module (templates in scripts/toolchain/<piece>/),
# and cached outside the repo in ${SAPOCHE_TOOLCHAIN_DIR}/<piece>-<version>/bin. A warm run takes
# seconds. The last line printed is `source <dir>/env.sh`.
#
# Usage: scripts/toolchain.sh [--print-env] [piece...]
#   --print-env   print the path of env.sh (after making sure the toolchain is there)
#   piece...      only these pieces (pulumi kubernetes-provider etcd kubernetes kwok actionlint)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TEMPLATES="$HERE/toolchain"
TC="${SAPOCHE_TOOLCHAIN_DIR:-$HOME/.cache/sapoche-toolchain}"
mkdir -p "$TC"
TC="$(cd "$TC" && pwd)"
BUILD="$TC/build"
BIN="$TC/bin"
export PULUMI_HOME="${SAPOCHE_PULUMI_HOME:-$TC/pulumi-home}"
export PULUMI_SKIP_UPDATE_CHECK=true

# ---- pinned versions -------------------------------------------------------------------------------
# Pulumi CLI + Node language host. The host of CLI >= 3.69 lives in its own Go module
# (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) that has no tags; the module
# proxy reachable here refuses it at every query (403), so the newest consistent CLI + host pair that
# can be built from served modules is v3.68.0, whose host is the package
# github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs. Where a newer Pulumi is
# installed normally (get.pulumi.com), set SAPOCHE_PULUMI_VERSION to its version to use it from PATH.
PULUMI_VERSION="${SAPOCHE_PULUMI_VERSION:-3.68.0}"
# Kubernetes provider: the only served version of provider/v4 is this commit of 2026-01-15, which is
# after release v4.24.1 (2025-11-24) and before release v4.25.0 (tag on 2026-01-16). Its semver is
# the one Go derives for a commit after v4.24.1; the binary is stamped with exactly that.
K8S_PROVIDER_MODULE_VERSION="v4.0.0-20260115033456-f47bc2d6f199"
K8S_PROVIDER_VERSION="4.24.2-0.20260115033456-f47bc2d6f199"
ETCD_VERSION="3.6.16"
KUBE_VERSION="1.37.2"
KWOK_VERSION="0.8.0"
ACTIONLINT_VERSION="1.7.12"

ALL_PIECES=(pulumi kubernetes-provider etcd kubernetes kwok actionlint)

# ---- helpers ---------------------------------------------------------------------------------------
log() { printf '[toolchain] %s\n' "$*" >&2; }
die() { printf '[toolchain] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

SUMMARY=()
record() { SUMMARY+=("$(printf '%-20s %-44s %8ss  %s' "$1" "$2" "$3" "$4")"); }

# Find a command on PATH that is not one of our own links (so a sourced env.sh does not count).
find_on_path() {
  local name="$1" dir p
  local IFS=:
  for dir in $PATH; do
    [ -n "$dir" ] || continue
    p="$dir/$name"
    if [ -x "$p" ] && [ ! -d "$p" ]; then
      case "$(readlink -f "$p")" in
        "$TC"/*) continue ;;
      esac
      printf '%s\n' "$p"
      return 0
    fi
  done
  return 1
}

go_env_setup() {
  command -v go >/dev/null 2>&1 || die "go is not installed (needed to build missing pieces)"
  export CGO_ENABLED=0
  export GOFLAGS="-p=2 ${GOFLAGS:-}"
  export GOFLAGS="${GOFLAGS% }"
  local gov
  gov="$(go env GOVERSION)"
  case "$gov" in
    go1.2[6-9]*|go1.[3-9]*) ;;
    *) die "Go >= 1.26 is needed (found $gov)";;
  esac
}

# prepare_wrapper PIECE: copy the committed wrapper module to a fresh build dir.
prepare_wrapper() {
  local piece="$1" dir="$BUILD/$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  cp -R "$TEMPLATES/$piece/." "$dir/"
  chmod -R u+w "$dir"
  printf '%s\n' "$dir"
}

# gobuild DIR OUT LDFLAGS TAGS PKG...: static, stripped, -trimpath build (OUT ending in / is a dir).
gobuild() {
  local dir="$1" out="$2" ldflags="$3" tags="$4"
  shift 4
  mkdir -p "$(dirname "$out.")"
  (cd "$dir" && nice -n 10 go build -mod=mod -p 2 -trimpath -tags "$tags" -ldflags "-s -w $ldflags" -o "$out" "$@")
}

# finish PIECE VERSION: mark the cache entry complete.
finish() { date -u +%FT%TZ > "$TC/$1-$2/.complete"; }
cached() { [ -f "$TC/$1-$2/.complete" ]; }

link() { ln -sfn "$1" "$BIN/$2"; }

# ---- pieces ----------------------------------------------------------------------------------------
piece_pulumi() {
  local v="$PULUMI_VERSION" dest="$TC/pulumi-$PULUMI_VERSION" t0 p
  t0="$(now)"
  if p="$(find_on_path pulumi)" && [ "$("$p" version 2>/dev/null)" = "v$v" ] \
      && [ -x "$(dirname "$(readlink -f "$p")")/pulumi-language-nodejs" ]; then
    local d
    d="$(dirname "$(readlink -f "$p")")"
    for b in pulumi pulumi-language-nodejs pulumi-analyzer-policy pulumi-resource-pulumi-nodejs; do
      [ -e "$d/$b" ] && link "$d/$b" "$b"
    done
    record pulumi "v$v" "$(elapsed "$t0")" "from PATH ($p)"
    return
  fi
  if ! cached pulumi "$v"; then
    log "pulumi v$v + pulumi-language-nodejs v$v: building from github.com/pulumi/pulumi/{pkg,sdk}/v3@v$v"
    go_env_setup
    local dir
    dir="$(prepare_wrapper pulumi)"
    rm -rf "$dest"
    # Version stamps: the CLI reads pkg/v3/version (sdk/v3/go/common/version in newer releases).
    # -checklinkname=0: this release's dependency github.com/pgavlin/text reaches into
    # internal/bytealg with go:linkname, which Go >= 1.23 refuses to link by default.
    gobuild "$dir" "$dest/bin/" \
      "-checklinkname=0 -X github.com/pulumi/pulumi/pkg/v3/version.Version=v$v -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$v" \
      "osusergo grpcnotrace" \
      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
      github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
    # The launchers that ship next to the CLI in every Pulumi release (policy packs, dynamic providers).
    local sdk
    sdk="$(cd "$dir" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
    for b in pulumi-analyzer-policy pulumi-resource-pulumi-nodejs; do
      install -m 0755 "$sdk/nodejs/dist/$b" "$dest/bin/$b"
    done
    finish pulumi "$v"
    record pulumi "v$v" "$(elapsed "$t0")" "built"
  else
    record pulumi "v$v" "$(elapsed "$t0")" "cached"
  fi
  for b in pulumi pulumi-language-nodejs pulumi-analyzer-policy pulumi-resource-pulumi-nodejs; do
    link "$dest/bin/$b" "$b"
  done
}

piece_kubernetes_provider() {
  local v="$K8S_PROVIDER_VERSION" dest="$TC/kubernetes-provider-$K8S_PROVIDER_VERSION" t0 p
  t0="$(now)"
  if p="$(find_on_path pulumi-resource-kubernetes)"; then
    link "$p" pulumi-resource-kubernetes
    record kubernetes-provider "(whatever is on PATH)" "$(elapsed "$t0")" "from PATH ($p)"
    return
  fi
  if ! cached kubernetes-provider "$v"; then
    log "pulumi-resource-kubernetes $v: building from github.com/pulumi/pulumi-kubernetes/provider/v4@$K8S_PROVIDER_MODULE_VERSION"
    go_env_setup
    local dir src
    dir="$(prepare_wrapper kubernetes-provider)"
    src="$(cd "$dir" && go mod download -json "github.com/pulumi/pulumi-kubernetes/provider/v4@$K8S_PROVIDER_MODULE_VERSION" \
      | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [ -d "$src/cmd/pulumi-resource-kubernetes" ] || die "provider module source not found ($src)"
    (cd "$dir" && VERSION="$v" nice -n 10 go run -mod=mod ./gen \
      "$src/cmd/pulumi-resource-kubernetes/schema.json" \
      "$src/cmd/pulumi-resource-kubernetes/terraform-mapping.json" "$dir")
    rm -rf "$dest"
    gobuild "$dir" "$dest/bin/pulumi-resource-kubernetes" \
      "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$v" "" .
    finish kubernetes-provider "$v"
    record kubernetes-provider "$v" "$(elapsed "$t0")" "built"
  else
    record kubernetes-provider "$v" "$(elapsed "$t0")" "cached"
  fi
  link "$dest/bin/pulumi-resource-kubernetes" pulumi-resource-kubernetes
  # Also register it in the plugin cache under its own version (pulumi plugin ls shows it). The CLI
  # uses the copy on PATH (an "ambient" plugin) whatever version the npm SDK asks for.
  local plugdir="$PULUMI_HOME/plugins/resource-kubernetes-v$v"
  if [ ! -x "$plugdir/pulumi-resource-kubernetes" ]; then
    "$BIN/pulumi" plugin install resource kubernetes "$v" --file "$dest/bin/pulumi-resource-kubernetes" >&2 \
      || die "pulumi plugin install resource kubernetes $v failed"
  fi
}

piece_etcd() {
  local v="$ETCD_VERSION" dest="$TC/etcd-$ETCD_VERSION" t0 p
  t0="$(now)"
  if p="$(find_on_path etcd)" && "$p" --version 2>/dev/null | grep -q "^etcd Version: $v\$"; then
    link "$p" etcd
    record etcd "v$v" "$(elapsed "$t0")" "from PATH ($p)"
    return
  fi
  if ! cached etcd "$v"; then
    log "etcd v$v: building from go.etcd.io/etcd/server/v3@v$v"
    go_env_setup
    local dir
    dir="$(prepare_wrapper etcd)"
    rm -rf "$dest"
    gobuild "$dir" "$dest/bin/etcd" "" "" go.etcd.io/etcd/server/v3
    finish etcd "$v"
    record etcd "v$v" "$(elapsed "$t0")" "built"
  else
    record etcd "v$v" "$(elapsed "$t0")" "cached"
  fi
  link "$dest/bin/etcd" etcd
}

piece_kubernetes() {
  local v="$KUBE_VERSION" dest="$TC/kubernetes-v$KUBE_VERSION" t0 p ok=1 b
  local bins=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
  t0="$(now)"
  for b in "${bins[@]}"; do
    if p="$(find_on_path "$b")"; then
      if [ "$b" = kubectl ]; then
        "$p" version --client 2>/dev/null | grep -q "Client Version: v$v\$" || ok=0
      else
        "$p" --version 2>/dev/null | grep -q "^Kubernetes v$v\$" || ok=0
      fi
    else
      ok=0
    fi
  done
  if [ "$ok" = 1 ]; then
    for b in "${bins[@]}"; do link "$(find_on_path "$b")" "$b"; done
    record kubernetes "v$v" "$(elapsed "$t0")" "from PATH"
    return
  fi
  if ! cached kubernetes "v$v"; then
    log "kube-apiserver, kube-controller-manager, kube-scheduler, kubectl v$v: building from k8s.io/kubernetes@v$v (the longest piece)"
    go_env_setup
    local dir ld="" pkg minor
    minor="$(echo "$v" | cut -d. -f2)"
    dir="$(prepare_wrapper kubernetes)"
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ld="$ld -X $pkg.gitVersion=v$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
      ld="$ld -X $pkg.buildDate=1970-01-01T00:00:00Z"
    done
    rm -rf "$dest"
    gobuild "$dir" "$dest/bin/" "$ld" "" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
    finish kubernetes "v$v"
    record kubernetes "v$v" "$(elapsed "$t0")" "built"
  else
    record kubernetes "v$v" "$(elapsed "$t0")" "cached"
  fi
  for b in "${bins[@]}"; do link "$dest/bin/$b" "$b"; done
}

piece_kwok() {
  local v="$KWOK_VERSION" dest="$TC/kwok-$KWOK_VERSION" t0 p
  t0="$(now)"
  if p="$(find_on_path kwok)" && "$p" --version 2>/dev/null | grep -q "v\?$v\b"; then
    link "$p" kwok
    record kwok "v$v" "$(elapsed "$t0")" "from PATH ($p)"
    return
  fi
  if ! cached kwok "$v"; then
    log "kwok v$v: building from sigs.k8s.io/kwok@v$v"
    go_env_setup
    local dir
    dir="$(prepare_wrapper kwok)"
    rm -rf "$dest"
    gobuild "$dir" "$dest/bin/" "-X sigs.k8s.io/kwok/pkg/consts.Version=$v" "" sigs.k8s.io/kwok/cmd/kwok
    # kwok needs its stage definitions (--config); they ship in the same module.
    local src
    src="$(cd "$dir" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
    mkdir -p "$dest/share/stage"
    cp -R "$src/kustomize/stage/." "$dest/share/stage/"
    chmod -R u+w "$dest/share"
    finish kwok "$v"
    record kwok "v$v" "$(elapsed "$t0")" "built"
  else
    record kwok "v$v" "$(elapsed "$t0")" "cached"
  fi
  link "$dest/bin/kwok" kwok
}

piece_actionlint() {
  local v="$ACTIONLINT_VERSION" dest="$TC/actionlint-$ACTIONLINT_VERSION" t0 p
  t0="$(now)"
  if p="$(find_on_path actionlint)" && "$p" -version 2>/dev/null | head -1 | grep -q "^v\?$v\$"; then
    link "$p" actionlint
    record actionlint "v$v" "$(elapsed "$t0")" "from PATH ($p)"
    return
  fi
  if ! cached actionlint "$v"; then
    log "actionlint v$v: building from github.com/rhysd/actionlint@v$v"
    go_env_setup
    local dir
    dir="$(prepare_wrapper actionlint)"
    rm -rf "$dest"
    gobuild "$dir" "$dest/bin/" "-X github.com/rhysd/actionlint.version=v$v" "" \
      github.com/rhysd/actionlint/cmd/actionlint
    finish actionlint "$v"
    record actionlint "v$v" "$(elapsed "$t0")" "built"
  else
    record actionlint "v$v" "$(elapsed "$t0")" "cached"
  fi
  link "$dest/bin/actionlint" actionlint
}

write_env() {
  local env="$TC/env.sh"
  cat > "$env.tmp" <<EOF
# Written by scripts/toolchain.sh: source it to use the pinned toolchain.
export PATH="$BIN:\${PATH}"
export PULUMI_HOME="$PULUMI_HOME"
export PULUMI_SKIP_UPDATE_CHECK=true
EOF
  mv "$env.tmp" "$env"
  printf '%s\n' "$env"
}

main() {
  local print_env=0 pieces=() p
  for p in "$@"; do
    case "$p" in
      --print-env) print_env=1 ;;
      -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 0 ;;
      pulumi|kubernetes-provider|etcd|kubernetes|kwok|actionlint) pieces+=("$p") ;;
      *) die "unknown argument: $p" ;;
    esac
  done
  [ "${#pieces[@]}" -gt 0 ] || pieces=("${ALL_PIECES[@]}")
  # The provider is installed with the pulumi CLI.
  case " ${pieces[*]} " in
    *" kubernetes-provider "*) case " ${pieces[*]} " in *" pulumi "*) ;; *) pieces=(pulumi "${pieces[@]}");; esac;;
  esac
  mkdir -p "$BIN" "$BUILD" "$PULUMI_HOME"
  local t0
  t0="$(now)"
  for p in "${pieces[@]}"; do
    "piece_${p//-/_}"
  done
  local env
  env="$(write_env)"
  {
    echo "[toolchain] piece                version                                         time  source"
    for p in "${SUMMARY[@]}"; do echo "[toolchain] $p"; done
    echo "[toolchain] total $(elapsed "$t0")s; cache: $TC"
  } >&2
  if [ "$print_env" = 1 ]; then
    printf '%s\n' "$env"
  else
    printf 'source %s\n' "$env"
  fi
}

main "$@"
