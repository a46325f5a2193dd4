#!/usr/bin/env bash
# The chart's test tools, fetched into target/tools on first use (nothing global, nothing committed):
#   k8s/helm/tools.sh helm ARGS...       the real Helm (v4), built with `go install` from the Go module proxy
#   k8s/helm/tools.sh validate FILES...  each object against the Kubernetes API's schemas, strictly
#                                        (kubernetes-validate from PyPI, which bundles them; CRDs are
#                                        reported as unknown kinds and checked by HelmChartTest instead)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tools="$root/target/tools"
helm_version=v4.3.2
validate_version=1.37.0
kube_version=1.30          # the oldest Kubernetes the chart supports (native sidecars: 1.29+)
cmd="${1:-}"; shift || true
case "$cmd" in
  helm)
    if [ ! -x "$tools/bin/helm" ]; then
      command -v go >/dev/null || { echo "go is needed to build helm" >&2; exit 1; }
      echo "building helm $helm_version into $tools/bin (once)" >&2
      GOBIN="$tools/bin" go install "helm.sh/helm/v4/cmd/helm@$helm_version" >&2
    fi
    exec "$tools/bin/helm" "$@" ;;
  validate)
    if [ ! -x "$tools/validate/bin/kubernetes-validate" ]; then
      python3 -m venv "$tools/validate" >&2
      "$tools/validate/bin/pip" install -q "kubernetes-validate==$validate_version" >&2
    fi
    exec "$tools/validate/bin/kubernetes-validate" --strict -k "$kube_version" "$@" ;;
  *) sed -n '2,6p' "$0" >&2; exit 2 ;;
esac
