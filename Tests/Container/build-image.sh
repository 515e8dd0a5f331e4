#!/usr/bin/env bash
# Builds the repository's Dockerfile with podman as conntrack-exporter:test, as root.
# Where the official base images cannot be pulled (no registry here), it first makes
# stand-ins under the same names, from Debian's packages:
#   debian:12-slim       debootstrap --variant=minbase bookworm, imported as an image;
#   swift:6.2-bookworm   that image plus the toolchain's build dependencies
#                        (swift-standin.Containerfile), with this machine's toolchain and
#                        Swift package copies mounted into the build instead of baked in.
# Prints which base images were stand-ins. podman's layer cache keeps later builds short.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export CONTAINERS_CONF="$here/containers.conf"
tag=${IMAGE_TAG:-localhost/conntrack-exporter:test}

if ! podman image exists docker.io/library/debian:12-slim && ! podman pull -q docker.io/library/debian:12-slim >/dev/null 2>&1; then
    rootfs=$(mktemp -d /var/tmp/cte-debian.XXXXXX)
    trap 'rm -rf "$rootfs"' EXIT
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$rootfs.log" 2>&1 \
        || { tail -20 "$rootfs.log"; exit 1; }
    rm -f "$rootfs.log"
    # What debian:12-slim leaves out of a minbase system.
    rm -rf "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* \
        "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log
    # And the apt settings it ships so that installs leave no package files or caches behind.
    cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
    tar -C "$rootfs" -c . | podman import --change 'CMD ["bash"]' - docker.io/library/debian:12-slim >/dev/null
    echo "stand-in: debian:12-slim (debootstrap --variant=minbase bookworm)"
fi
if ! podman image exists docker.io/library/swift:6.2-bookworm && ! podman pull -q docker.io/library/swift:6.2-bookworm >/dev/null 2>&1; then
    podman build -q --network host -t docker.io/library/swift:6.2-bookworm -f "$here/swift-standin.Containerfile" "$here" >/dev/null
    echo "stand-in: swift:6.2-bookworm (Debian 12 + build dependencies; toolchain $(/opt/swift/usr/bin/swift --version 2>/dev/null | head -1 | sed 's/.*Swift version \([^ ]*\).*/\1/') from /opt/swift mounted)"
fi
mounts=()
[ -d /opt/swift ] && mounts+=(-v /opt/swift:/opt/swift:ro)
[ -d /opt/swift-packages ] && mounts+=(-v /opt/swift-packages:/opt/swift-packages:ro)
podman build -q --network host "${mounts[@]}" -t "$tag" "$root" >/dev/null
echo "built $tag"
