#!/usr/bin/env bash
# Builds the OCI image with no base image to pull (docs/deploy.md): the root filesystem is the edge
# runtime (packaging/runtime.sh) under /opt/memsidecar, plus Debian's libc6, zlib1g, ca-certificates and
# tzdata (apt-get download, dpkg-deb -x), a nonroot user 65532 and the default config; then
# `podman build` of packaging/Containerfile.scratch (FROM scratch). No shell, no package manager.
# Usage: packaging/image.sh [--with onnx,s3] [--no-aot] [--tag NAME]   (default tag memsidecar:dev)
# Needs podman (apt-get install podman buildah runc), run as root; the distribution must be built.
set -euo pipefail
cd "$(dirname "$0")/.."
tag=memsidecar:dev runtime_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --with) runtime_args+=(--with "$2"); shift 2 ;;
    --no-aot) runtime_args+=(--no-aot); shift ;;
    --tag) tag="$2"; shift 2 ;;
    *) sed -n '2,8p' "$0" >&2; exit 2 ;;
  esac
done
. packaging/podman.sh
ctx=server/target/image
rootfs="$ctx/rootfs"
rm -rf "$ctx"
mkdir -p "$rootfs/opt" "$ctx/debs"

# Debian packages: only their files (no maintainer scripts run; there is nothing to run them with).
debs="libc6 zlib1g ca-certificates tzdata"
# shellcheck disable=SC2086
(cd "$ctx/debs" && { apt-get download -q $debs >/dev/null 2>&1 || { apt-get update -qq && apt-get download -q $debs >/dev/null 2>&1; }; })
for deb in "$ctx"/debs/*.deb; do dpkg-deb -x "$deb" "$rootfs"; done
rm -rf "$rootfs"/usr/share/{doc,man,info,lintian,locale} "$rootfs"/usr/sbin "$rootfs"/usr/bin "$rootfs"/etc/ld.so.conf.d \
  "$rootfs"/usr/lib/x86_64-linux-gnu/gconv "$rootfs"/usr/lib/aarch64-linux-gnu/gconv
# ca-certificates' postinst would build the bundle; Java uses its own cacerts, other tools this one.
mkdir -p "$rootfs/etc/ssl/certs"
find "$rootfs/usr/share/ca-certificates" -name '*.crt' -print0 | sort -z | xargs -0 cat > "$rootfs/etc/ssl/certs/ca-certificates.crt"
ln -sf ../usr/share/zoneinfo/UTC "$rootfs/etc/localtime"

# Users, and the writable places (a read-only root needs a volume or tmpfs on each). The data and socket
# directories go in as a layer of their own owned by 65532 (COPY --chown in Containerfile.scratch: a plain
# COPY makes everything root's), so a fresh named volume mounted there takes that ownership.
mkdir -p "$rootfs/etc/memsidecar" "$rootfs/tmp" "$rootfs/home/nonroot" "$ctx/writable/var/lib/memsidecar" \
  "$ctx/writable/run/memsidecar"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$rootfs/etc/group"
chown 65532:65532 "$rootfs/home/nonroot"
chmod 1777 "$rootfs/tmp"
cp k8s/base/memsidecar.yaml "$rootfs/etc/memsidecar/memsidecar.yaml"

# The runtime, trained (AOT) where it is built (the cache stays valid when moved with its mtimes kept);
# no shell in the image, so java @argfiles replace the launchers.
packaging/runtime.sh "${runtime_args[@]}" --out "$rootfs/opt/memsidecar" --argfiles /opt/memsidecar

version="$(sed -n 's/^version=//p' server/target/classes/memsidecar-version.properties 2>/dev/null || echo dev)"
podman_ build --pull=never --format oci -f packaging/Containerfile.scratch -t "$tag" \
  --build-arg VERSION="$version" --build-arg REVISION="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$ctx" >/dev/null
echo "image: $tag, $(podman_ image inspect --format '{{.Size}}' "$tag" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
