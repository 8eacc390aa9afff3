# cloudletd: one image for every role (`cloudletd controller`, `crm`, `dme`, `up`; `health` is its HEALTHCHECK).
#
#   docker build -t cloudletd .
#   docker run --rm --network host cloudletd crm --cloudlet TDG/berlin-edge-1 --notify-addrs ctl.example.net:50001
#
# BASE_IMAGE is any image with Node.js >= 20.19 and npm on PATH, and /bin/sh and /usr/bin/env: the official
# node:20-bookworm-slim by default, or one made without a registry by scripts/docker-local-base.sh (as CI does).
# The runtime stage runs no command, so its base needs no useradd, no package manager and no shell for it.
#
# The runtime stage sets its metadata first and copies the application last, in one COPY: each instruction of a
# build is a layer, and on storage drivers without copy-on-write (vfs) every layer copies the whole tree below it.
ARG BASE_IMAGE=node:20-bookworm-slim

FROM ${BASE_IMAGE} AS build
# NPM_REGISTRY: a registry mirror reachable from the build (default: the registry of .npmrc, npm's own).
ARG NPM_REGISTRY=
WORKDIR /src
# One COPY of the context (package.json, package-lock.json, .npmrc, tsconfig*.json, src/, platforms/: .dockerignore
# lets nothing else in) and one RUN. The usual "lockfile first, npm ci in its own layer" split is left out on
# purpose: on storage drivers without copy-on-write (vfs, as on CI) each further step copies the ~280 MB of
# node_modules again, which costs more than the install it would cache.
COPY . ./
# `npm ci` installs exactly the lockfile. --ignore-scripts: no install script is needed, so the build needs no
# compiler: the native modules (lmdb, msgpackr) ship prebuilt binaries that load at run time, ssh2 works without its
# optional crypto binding, and the `prepare` script (the TypeScript build, tsc -p tsconfig.build.json → dist/) runs
# once, explicitly, as `npm run build`. Then the dev dependencies and the type declarations go, and the runtime tree
# is laid out under /out/root: the app in /app and the `cloudletd` command, a symlink to the built entry point (a
# `#!/usr/bin/env node` script); /out/data becomes the empty data directory.
RUN npm ci --ignore-scripts --no-audit --no-fund ${NPM_REGISTRY:+--registry=$NPM_REGISTRY} \
 && npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && find dist -name '*.d.ts' -exec rm -f {} + \
 && chmod 0755 dist/src/cli/main.js \
 && mkdir -p /out/root/app /out/root/usr/local/bin /out/data \
 && mv package.json dist node_modules /out/root/app/ \
 && ln -s /app/dist/src/cli/main.js /out/root/usr/local/bin/cloudletd \
 && rm -rf /src/* /root/.npm

FROM ${BASE_IMAGE}
# Set by a release build: --build-arg VERSION=$(node -p "require('./package.json').version")
# --build-arg REVISION=$(git rev-parse HEAD) --build-arg CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ARG BASE_IMAGE VERSION=dev REVISION=unknown CREATED=
LABEL org.opencontainers.image.title="cloudletd" \
      org.opencontainers.image.description="Edge-cloud control plane: controller, Cloudlet Resource Manager (CRM) and Distributed Matching Engine (DME), wire-compatible with edgeproto" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="${BASE_IMAGE}"
# Every role keeps its state in /var/lib/cloudletd: the controller's store, the CRM's store and platform state,
# relative paths such as a DME --session-key-file.
ENV NODE_ENV=production \
    CLOUDLETD_DATA_DIR=/var/lib/cloudletd
# Default ports. Each binds 127.0.0.1 unless told otherwise (e.g. CLOUDLETD_METRICS_ADDR=0.0.0.0:9091):
# controller API 55001, notify 50001 and REST gateway 36001 (also /healthz, /readyz, /metrics); CRM metrics 9091
# (/metrics, /healthz, /readyz); DME gRPC 50051, REST 38001 and metrics 9092.
EXPOSE 55001 50001 36001 9091 50051 38001 9092
# `cloudletd health` GETs http://<CLOUDLETD_METRICS_ADDR, default 127.0.0.1:9091>/healthz with a 3 s deadline (a
# wildcard host is probed on loopback): right for a CRM (and `up`) as it is, for a DME with CLOUDLETD_METRICS_ADDR
# set; a controller needs CLOUDLETD_HEALTH_URL=http://127.0.0.1:36001/healthz (its --http-addr).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["cloudletd", "health"]
ENTRYPOINT ["cloudletd"]
CMD ["--help"]
# A numeric non-root user works on any base, with or without an /etc/passwd entry.
COPY --from=build --chown=10001:10001 /out/data /var/lib/cloudletd
USER 10001:10001
WORKDIR /var/lib/cloudletd
VOLUME ["/var/lib/cloudletd"]
COPY --from=build /out/root/ /
