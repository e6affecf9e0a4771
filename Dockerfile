# LockBridge image: both executables (lockbridge, lock-emulator) on Debian 12, run as a non-root
# user. docker-compose.yml builds it; docs/deployment.md explains it.
#   docker build -t lockbridge .

# ---- build: the Swift toolchain and the C libraries' headers ----------------------------------
ARG SWIFT_IMAGE=swift:6.2-bookworm
FROM ${SWIFT_IMAGE} AS builder
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update -q \
 && apt-get install -y -q --no-install-recommends libmosquitto-dev libjson-c-dev libsqlite3-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# --static-swift-stdlib links the Swift runtime and Foundation into the binaries, so the runtime
# image needs no toolchain. (No BuildKit cache mount: docker-compose 1.29 may use the classic builder.)
RUN swift build -c release --static-swift-stdlib --product lockbridge \
 && swift build -c release --static-swift-stdlib --product lock-emulator \
 && mkdir -p /out \
 && cp "$(swift build -c release --show-bin-path)/lockbridge" "$(swift build -c release --show-bin-path)/lock-emulator" /out/

# ---- run: the shared C libraries only -----------------------------------------------------------
FROM debian:bookworm-slim
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update -q \
 && apt-get install -y -q --no-install-recommends \
      libmosquitto1 libjson-c5 libsqlite3-0 libstdc++6 libgcc-s1 ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 lockbridge \
 && useradd --system --uid 10001 --gid lockbridge --home-dir /var/lib/lockbridge --shell /usr/sbin/nologin lockbridge \
 && install -d -o lockbridge -g lockbridge -m 0750 /var/lib/lockbridge /var/lib/lockbridge-keys /var/lib/lock-emulator \
 && install -d -m 0755 /etc/lockbridge
COPY --from=builder /out/lockbridge /out/lock-emulator /usr/local/bin/
# The documented defaults; compose mounts your copy over it.
COPY config/lockbridge.yaml /etc/lockbridge/lockbridge.yaml
# Named volumes mounted here start out owned by the lockbridge user.
VOLUME ["/var/lib/lockbridge", "/var/lib/lock-emulator"]
USER lockbridge:lockbridge
WORKDIR /var/lib/lockbridge
# No entrypoint: the same image runs `lockbridge run …` or `lock-emulator …` (see docker-compose.yml).
CMD ["lockbridge", "--help"]
