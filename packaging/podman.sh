# Sourced by packaging/image.sh and the image test: podman as this kind of machine can run it (no systemd,
# no cgroup manager, no pulled images): the runc runtime, cgroupfs, and a containers.conf without
# default ulimits. Installs podman, buildah and runc from Debian when missing.
if ! command -v podman >/dev/null || ! command -v runc >/dev/null; then
  echo "podman: installing podman buildah runc" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman buildah runc >/dev/null \
    || { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman buildah runc >/dev/null; }
fi
if [ -z "${CONTAINERS_CONF:-}" ]; then
  CONTAINERS_CONF="$(mktemp)"
  printf '[containers]\ndefault_ulimits = []\n' > "$CONTAINERS_CONF"
  export CONTAINERS_CONF
fi
podman_() { command podman --runtime runc --cgroup-manager cgroupfs "$@"; }
