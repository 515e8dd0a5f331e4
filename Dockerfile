# Build: an official Swift image (Debian 12), the Swift runtime linked statically.
FROM swift:6.2-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libnetfilter-conntrack-dev libmnl-dev libdeflate-dev libssl-dev libcrypt-dev libyaml-dev libc-ares-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN scripts/build-release.sh /out

# Run: slim Debian 12 with only the libraries the binary links (the tests check the list against ldd).
# The binary is installed and given its capability in the same step, from the build stage
# mounted read-only, so the image holds it once.
FROM debian:12-slim
# Not root: the binary carries CAP_NET_ADMIN as a permitted file capability and raises it
# itself. It is granted only when the container has the capability in its bounding set
# (docker run --cap-add=NET_ADMIN); without it the exporter exits with a message saying so.
RUN --mount=type=bind,from=build,source=/out,target=/build \
    apt-get update \
    && apt-get install -y --no-install-recommends libnetfilter-conntrack3 libnfnetlink0 libmnl0 libdeflate0 libssl3 libcrypt1 libyaml-0-2 libc-ares2 libstdc++6 libgcc-s1 libcap2-bin \
    && install -m 0755 /build/conntrack_exporter /usr/local/bin/conntrack_exporter \
    && setcap cap_net_admin+p /usr/local/bin/conntrack_exporter \
    && apt-get purge -y --auto-remove libcap2-bin \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin conntrack_exporter
USER 10001
EXPOSE 9318
ENTRYPOINT ["/usr/local/bin/conntrack_exporter"]
