#!/usr/bin/env bash
# Provides pinned versions of the real tools the project runs against:
#   pulumi (CLI), pulumi-language-nodejs (Node host), pulumi-resource-kubernetes, etcd,
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kwok, actionlint.
#
# A piece already on PATH at the pinned version is used as is. Otherwise it is built from Go modules
# through the module proxy, each in its own wrapper module (templates in scripts/toolchain/<piece>/),
# and cached outside the repo in ${SAPOCHE_TOOLCHAIN_DIR}/<piece>-<version>/bin. Missing pieces are
# built concurrently (one shared Go build and module cache); each build logs to
# ${SAPOCHE_TOOLCHAIN_DIR}/logs/<piece>.log. A warm run takes about a second. The last line printed
# is `source <dir>/env.sh`.
#
# Usage: scripts/toolchain/toolchain.sh [--print-env] [piece...]
#   --print-env   print the path of env.sh (after making sure the toolchain is there)
#   piece...      only these pieces (see ALL_PIECES)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TEMPLATES="$HERE"
TC="${SAPOCHE_TOOLCHAIN_DIR:-$HOME/.cache/sapoche-toolchain}"
mkdir -p "$TC"
TC="$(cd "$TC" && pwd)"
BUILD="$TC/build"
BIN="$TC/bin"
LOGS="$TC/logs"
export PULUMI_HOME="${SAPOCHE_PULUMI_HOME:-$TC/pulumi-home}"
export PULUMI_SKIP_UPDATE_CHECK=true

# ---- pinned versions (why each: scripts/toolchain/README.md) ---------------------------------------
PULUMI_VERSION="3.274.1"
# The Node host of CLI >= 3.69 is a module the proxy refuses; 3.68.0's host lives in sdk/v3.
NODEJS_HOST_VERSION="3.68.0"
K8S_PROVIDER_MODULE_VERSION="v4.0.0-20260115033456-f47bc2d6f199"
K8S_PROVIDER_VERSION="4.24.2-0.20260115033456-f47bc2d6f199"
ETCD_VERSION="3.6.16"
KUBE_VERSION="1.37.2"
KWOK_VERSION="0.8.0"
ACTIONLINT_VERSION="1.7.12"

# Longest first: with two cores the long builds decide the total.
ALL_PIECES=(kubernetes kubernetes-provider pulumi pulumi-language-nodejs kwok etcd actionlint)

# ---- helpers ---------------------------------------------------------------------------------------
log() { printf '[toolchain] %s\n' "$*" >&2; }
die() { printf '[toolchain] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Find a command on PATH that is not one of our own links (so a sourced env.sh does not count).
find_on_path() {
  local name="$1" dir p
  local IFS=:
  for dir in $PATH; do
    [ -n "$dir" ] || continue
    p="$dir/$name"
    if [ -x "$p" ] && [ ! -d "$p" ]; then
      case "$(readlink -f "$p")" in "$TC"/*) continue ;; esac
      printf '%s\n' "$p"
      return 0
    fi
  done
  return 1
}

go_env_setup() {
  command -v go >/dev/null 2>&1 || die "go is not installed (needed to build missing pieces)"
  export CGO_ENABLED=0
  case "$(go env GOVERSION)" in
    go1.2[6-9]*|go1.[3-9]*) ;;
    *) die "Go >= 1.26 is needed (found $(go env GOVERSION))" ;;
  esac
}

# wrapper PIECE: a fresh copy of the committed wrapper module to build in.
wrapper() {
  local dir="$BUILD/$1"
  rm -rf "$dir" && mkdir -p "$dir"
  cp -R "$TEMPLATES/$1/." "$dir/" && chmod -R u+w "$dir"
  printf '%s\n' "$dir"
}

# gobuild DIR OUT LDFLAGS TAGS PKG...: static, stripped, -trimpath build (OUT ending in / is a dir).
gobuild() {
  local dir="$1" out="$2" ldflags="$3" tags="$4"
  shift 4
  mkdir -p "$(dirname "$out.")"
  (cd "$dir" && nice -n 10 go build -mod=mod -trimpath -tags "$tags" -ldflags "-s -w $ldflags" -o "$out" "$@")
}

# ---- pieces: version_X (pinned version), bins_X (what it provides), onpath_X BIN (is the copy on
# PATH the pinned one?), build_X DEST (build into DEST/bin) ---------------------------------------------
version_pulumi() { echo "$PULUMI_VERSION"; }
bins_pulumi() { echo pulumi; }
onpath_pulumi() { [ "$("$1" version 2>/dev/null)" = "v$PULUMI_VERSION" ]; }
build_pulumi() {
  local dir v="$PULUMI_VERSION"
  dir="$(wrapper pulumi)"
  # -checklinkname=0: github.com/pgavlin/text links to internal/bytealg with go:linkname.
  gobuild "$dir" "$1/bin/" \
    "-checklinkname=0 -X github.com/pulumi/pulumi/pkg/v3/version.Version=v$v -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$v" \
    "osusergo grpcnotrace" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
}

version_pulumi_language_nodejs() { echo "$NODEJS_HOST_VERSION"; }
bins_pulumi_language_nodejs() { echo pulumi-language-nodejs; }
onpath_pulumi_language_nodejs() { false; } # it prints no version: always the pinned build
build_pulumi_language_nodejs() {
  local dir
  dir="$(wrapper pulumi-language-nodejs)"
  gobuild "$dir" "$1/bin/" "-checklinkname=0 -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$NODEJS_HOST_VERSION" \
    "osusergo grpcnotrace" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
}

version_kubernetes_provider() { echo "$K8S_PROVIDER_VERSION"; }
bins_kubernetes_provider() { echo pulumi-resource-kubernetes; }
onpath_kubernetes_provider() { "$1" -version 2>/dev/null | grep -qF "$K8S_PROVIDER_VERSION"; }
build_kubernetes_provider() {
  local dir src
  dir="$(wrapper kubernetes-provider)"
  src="$(cd "$dir" && go mod download -json "github.com/pulumi/pulumi-kubernetes/provider/v4@$K8S_PROVIDER_MODULE_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$src/cmd/pulumi-resource-kubernetes" ] || die "provider module source not found ($src)"
  (cd "$dir" && VERSION="$K8S_PROVIDER_VERSION" nice -n 10 go run -mod=mod ./gen \
    "$src/cmd/pulumi-resource-kubernetes/schema.json" \
    "$src/cmd/pulumi-resource-kubernetes/terraform-mapping.json" "$dir")
  gobuild "$dir" "$1/bin/pulumi-resource-kubernetes" \
    "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$K8S_PROVIDER_VERSION" "" .
}

version_etcd() { echo "$ETCD_VERSION"; }
bins_etcd() { echo etcd; }
onpath_etcd() { "$1" --version 2>/dev/null | grep -q "^etcd Version: $ETCD_VERSION\$"; }
build_etcd() { gobuild "$(wrapper etcd)" "$1/bin/etcd" "" "" go.etcd.io/etcd/server/v3; }

version_kubernetes() { echo "$KUBE_VERSION"; }
bins_kubernetes() { echo kube-apiserver kube-controller-manager kube-scheduler kubectl; }
onpath_kubernetes() {
  case "$(basename "$1")" in
    kubectl) "$1" version --client 2>/dev/null | grep -q "Client Version: v$KUBE_VERSION\$" ;;
    *) "$1" --version 2>/dev/null | grep -q "^Kubernetes v$KUBE_VERSION\$" ;;
  esac
}
build_kubernetes() {
  local dir ld="" pkg minor
  minor="$(echo "$KUBE_VERSION" | cut -d. -f2)"
  dir="$(wrapper kubernetes)"
  # Unstamped binaries report v0.0.0 and the provider then misjudges the cluster.
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $pkg.gitVersion=v$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ld="$ld -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  gobuild "$dir" "$1/bin/" "$ld" "" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
}

version_kwok() { echo "$KWOK_VERSION"; }
bins_kwok() { echo kwok; }
onpath_kwok() { "$1" --version 2>/dev/null | grep -q "v\?$KWOK_VERSION\b"; }
build_kwok() {
  local dir src
  dir="$(wrapper kwok)"
  gobuild "$dir" "$1/bin/" "-X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" "" sigs.k8s.io/kwok/cmd/kwok
  # kwok needs its stage definitions (--config); they ship in the same module.
  src="$(cd "$dir" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
  mkdir -p "$1/share/stage"
  cp -R "$src/kustomize/stage/." "$1/share/stage/" && chmod -R u+w "$1/share"
}

version_actionlint() { echo "$ACTIONLINT_VERSION"; }
bins_actionlint() { echo actionlint; }
onpath_actionlint() { "$1" -version 2>/dev/null | head -1 | grep -q "^v\?$ACTIONLINT_VERSION\$"; }
build_actionlint() {
  gobuild "$(wrapper actionlint)" "$1/bin/" "-X github.com/rhysd/actionlint.version=v$ACTIONLINT_VERSION" "" \
    github.com/rhysd/actionlint/cmd/actionlint
}

# piece NAME: the one skeleton every piece goes through. Uses the pinned copy on PATH if there is
# one, else the cache, else builds; links the binaries into $BIN; writes one summary line.
piece() {
  local name="$1" fn="${1//-/_}" v dest t0 b p source="" onpath=1
  v="$("version_$fn")"
  dest="$TC/$name-$v"
  t0="$(now)"
  for b in $("bins_$fn"); do
    if p="$(find_on_path "$b")" && "onpath_$fn" "$p"; then :; else onpath=0; fi
  done
  if [ "$onpath" = 1 ]; then
    for b in $("bins_$fn"); do ln -sfn "$(find_on_path "$b")" "$BIN/$b"; done
    source="from PATH"
  else
    if [ ! -f "$dest/.complete" ]; then
      log "$name $v: building (log: $LOGS/$name.log)"
      go_env_setup
      rm -rf "$dest"
      if ! "build_$fn" "$dest" >"$LOGS/$name.log" 2>&1; then
        tail -n 30 "$LOGS/$name.log" >&2
        die "$name $v: build failed (full log: $LOGS/$name.log)"
      fi
      date -u +%FT%TZ >"$dest/.complete"
      source="built"
    else
      source="cached"
    fi
    for b in $("bins_$fn"); do ln -sfn "$dest/bin/$b" "$BIN/$b"; done
  fi
  printf '%-24s %-40s %8ss  %s\n' "$name" "$v" "$(elapsed "$t0")" "$source" >"$LOGS/$name.summary"
}

# The CLI treats a language host found next to its own binary as bundled; one found elsewhere on
# PATH draws "using pulumi-language-nodejs from $PATH" on every run. The host comes from another
# release, so a copy of it is placed next to the CLI and linked from there.
bundle_host() {
  local cli host
  cli="$(dirname "$(readlink -f "$BIN/pulumi")")"
  host="$(readlink -f "$BIN/pulumi-language-nodejs")"
  case "$cli" in "$TC"/*) ;; *) return 0 ;; esac # a CLI installed normally brings its own host
  if [ "$host" != "$cli/pulumi-language-nodejs" ] && ! cmp -s "$host" "$cli/pulumi-language-nodejs"; then
    cp -f "$host" "$cli/pulumi-language-nodejs.tmp"
    mv -f "$cli/pulumi-language-nodejs.tmp" "$cli/pulumi-language-nodejs"
  fi
  ln -sfn "$cli/pulumi-language-nodejs" "$BIN/pulumi-language-nodejs"
}

# The CLI uses the provider on PATH (an "ambient" plugin) whatever version the npm SDK asks for;
# registering it under its own version as well makes `pulumi plugin ls` show it.
register_provider() {
  local v="$K8S_PROVIDER_VERSION"
  [ -x "$PULUMI_HOME/plugins/resource-kubernetes-v$v/pulumi-resource-kubernetes" ] && return 0
  "$BIN/pulumi" plugin install resource kubernetes "$v" --file "$BIN/pulumi-resource-kubernetes" >&2 \
    || die "pulumi plugin install resource kubernetes $v failed"
}

write_env() {
  local env="$TC/env.sh"
  cat >"$env.tmp" <<EOF
# Written by scripts/toolchain/toolchain.sh: source it to use the pinned toolchain.
export PATH="$BIN:\${PATH}"
export PULUMI_HOME="$PULUMI_HOME"
export PULUMI_SKIP_UPDATE_CHECK=true
EOF
  mv "$env.tmp" "$env"
  printf '%s\n' "$env"
}

main() {
  local print_env=0 pieces=() p pids=() failed=0 t0
  for p in "$@"; do
    case "$p" in
      --print-env) print_env=1 ;;
      -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 0 ;;
      *) [[ " ${ALL_PIECES[*]} " == *" $p "* ]] || die "unknown piece: $p (pieces: ${ALL_PIECES[*]})"
         pieces+=("$p") ;;
    esac
  done
  [ "${#pieces[@]}" -gt 0 ] || pieces=("${ALL_PIECES[@]}")
  mkdir -p "$BIN" "$BUILD" "$LOGS" "$PULUMI_HOME"
  rm -f "$LOGS"/*.summary
  t0="$(now)"
  for p in "${pieces[@]}"; do
    piece "$p" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  [ "$failed" = 0 ] || die "at least one piece failed (see above)"
  [ -e "$BIN/pulumi" ] && [ -e "$BIN/pulumi-language-nodejs" ] && bundle_host
  if [[ " ${pieces[*]} " == *" kubernetes-provider "* ]]; then
    [ -x "$BIN/pulumi" ] || piece pulumi
    register_provider
  fi
  local env
  env="$(write_env)"
  {
    printf '[toolchain] %-24s %-40s %9s  %s\n' piece version time source
    for p in "${pieces[@]}"; do printf '[toolchain] %s' "$(cat "$LOGS/$p.summary")"; echo; done
    echo "[toolchain] total $(elapsed "$t0")s (pieces run concurrently); cache: $TC"
  } >&2
  if [ "$print_env" = 1 ]; then printf '%s\n' "$env"; else printf 'source %s\n' "$env"; fi
}

main "$@"
