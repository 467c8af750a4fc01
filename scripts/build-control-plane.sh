#!/usr/bin/env bash
# Builds kube-apiserver, kubectl and etcd from their Go modules (and the tier's small Go test service) with the machine's Go toolchain. The binaries
# are kept per version in a machine-wide cache (MEMOPS_BUILD_CACHE, default ~/.cache/memops), so fresh
# clones (CI) reuse them, and linked into the git-ignored .cache/control-plane/ where the tests look.
# Rebuilds only when the pinned versions change.
# Technique: a throwaway wrapper module that replaces every k8s.io staging module with its
# published version (k8s.io/kubernetes's own go.mod points them at ./staging).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=control-plane-versions.env
source "$root/scripts/control-plane-versions.env"
out="${MEMOPS_BUILD_CACHE:-$HOME/.cache/memops}/control-plane"
links="$root/.cache/control-plane"
kas="$out/kube-apiserver-$KUBERNETES_VERSION"
etcd="$out/etcd-$ETCD_VERSION"
kubectl="$out/kubectl-$KUBERNETES_VERSION"
mkdir -p "$out" "$links"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0

# Version output is captured whole, never piped into `head`/`grep -q`: under pipefail a reader that
# exits early SIGPIPEs the writer and fails the script (exit 141).
version_of() { "$1" --version 2>/dev/null || true; }

# Builds a command of k8s.io/kubernetes (cmd/NAME) at the pinned version into $2.
build_kubernetes_cmd() {
  local name="$1" dest="$2" work minor staging_version gomod
  work="$(mktemp -d)"
  minor="${KUBERNETES_VERSION#v1.}"          # e.g. 35.4
  staging_version="v0.$minor"                 # staging modules are published as v0.35.4
  gomod="$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  mapfile -t staging < <(sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\1#p' "$gomod" | sort -u)
  echo "  ${#staging[@]} staging modules at $staging_version"
  (
    cd "$work"
    go mod init "memops.local/$name-build" >/dev/null 2>&1
    for m in "${staging[@]}"; do go mod edit -replace "$m=$m@$staging_version"; done
    go get "k8s.io/kubernetes@$KUBERNETES_VERSION" >/dev/null
    go build -trimpath -tags selinux,notest \
      -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor%%.*}" \
      -o "$dest.tmp" "k8s.io/kubernetes/cmd/$name"
  )
  rm -rf "$work"
  mv "$dest.tmp" "$dest"
}

if [ -x "$kas" ] && [[ "$(version_of "$kas")" == *"$KUBERNETES_VERSION"* ]]; then
  echo "kube-apiserver $KUBERNETES_VERSION: cached"
else
  echo "kube-apiserver $KUBERNETES_VERSION: building (several minutes on a cold machine)"
  build_kubernetes_cmd kube-apiserver "$kas"
fi

# kubectl: the RBAC test renders deploy/kubernetes with `kubectl kustomize` and applies it
if [ -x "$kubectl" ] && [[ "$("$kubectl" version --client 2>/dev/null || true)" == *"$KUBERNETES_VERSION"* ]]; then
  echo "kubectl $KUBERNETES_VERSION: cached"
else
  echo "kubectl $KUBERNETES_VERSION: building"
  build_kubernetes_cmd kubectl "$kubectl"
fi

if [ -x "$etcd" ] && [[ "$(version_of "$etcd")" == *"${ETCD_VERSION#v}"* ]]; then
  echo "etcd $ETCD_VERSION: cached"
else
  echo "etcd $ETCD_VERSION: building"
  work2="$(mktemp -d)"
  (
    cd "$work2"
    go mod init memops.local/etcd-build >/dev/null 2>&1
    go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >/dev/null
    go build -trimpath -ldflags "-s -w" -o "$etcd.tmp" go.etcd.io/etcd/server/v3
  )
  rm -rf "$work2"
  mv "$etcd.tmp" "$etcd"
fi

ln -sfn "$kas" "$links/kube-apiserver"
ln -sfn "$etcd" "$links/etcd"
ln -sfn "$kubectl" "$links/kubectl"
"$links/kube-apiserver" --version
etcd_version="$(version_of "$links/etcd")"
echo "${etcd_version%%$'\n'*}"

# The integration tier's Go service with net/http/pprof and a leak (issue 16): the standard library only,
# built from the work tree every time (a second or two), so it always matches the test that drives it.
(cd "$root/test/fixtures/leaky-go" && go build -trimpath -o "$links/leaky-go" .)
echo "leaky-go: built"
