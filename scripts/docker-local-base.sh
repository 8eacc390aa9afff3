#!/usr/bin/env bash
# A Node.js base image for the Dockerfile made from this host's own files, for machines that cannot pull images
# (CI, air-gapped hosts): `docker build --build-arg BASE_IMAGE=$(scripts/docker-local-base.sh) .`
#
#   scripts/docker-local-base.sh [IMAGE]    default IMAGE: cloudletd-ci/node-base:<node major version>
#
# The image is `docker import`ed from a root filesystem holding:
#   - the host's node binary (/usr/local/bin/node) and the shared libraries ldd lists for it, at the same paths
#     (they also serve the prebuilt native modules of lmdb and msgpackr: libc, libstdc++, libm, libgcc_s);
#   - /bin/busybox (static; Debian's busybox-static) as /bin/sh, /usr/bin/env and the few applets the Dockerfile's
#     build stage and npm's scripts use;
#   - the host's npm (its package directory, as /usr/local/lib/node_modules/npm, with npm and npx in /usr/local/bin);
#   - the CA bundle when the host has one, /etc/passwd and /etc/group with root and nobody, /root and /tmp.
# Talks to the daemon of DOCKER_HOST (or the default one). Prints the image name, and nothing else, on stdout.
# Idempotent: the image carries a fingerprint of its inputs as a label; when an image of that name already has the
# same fingerprint, nothing is imported again.
set -euo pipefail

log() { echo "docker-local-base: $*" >&2; }
die() { log "$*"; exit 1; }

node_bin=$(command -v node) || die "node not found in PATH"
node_bin=$(readlink -f "$node_bin")
node_major=$("$node_bin" -p 'process.versions.node.split(".")[0]')
image=${1:-cloudletd-ci/node-base:$node_major}
busybox=/bin/busybox
[ -x "$busybox" ] || die "$busybox not found: apt-get install busybox-static"
"$busybox" --list >/dev/null 2>&1 || die "$busybox is not a working busybox"
command -v docker >/dev/null || die "docker (the client) not found: apt-get install docker.io"
command -v ldd >/dev/null || die "ldd not found"

# npm's package directory: <npm root -g>/npm, else the directory of the real npm-cli.js's parent.
npm_dir=""
if command -v npm >/dev/null; then
  root=$(npm root -g 2>/dev/null || true)
  if [ -n "$root" ] && [ -f "$root/npm/package.json" ]; then
    npm_dir=$root/npm
  else
    npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  fi
fi
[ -n "$npm_dir" ] && [ -f "$npm_dir/bin/npm-cli.js" ] || die "npm's package directory not found (npm root -g)"
npm_dir=$(readlink -f "$npm_dir")

# Shared libraries of node: absolute paths from ldd ("libc.so.6 => /lib/.../libc.so.6 (0x..)" and the loader
# "/lib64/ld-linux-x86-64.so.2 (0x..)"); the vDSO has no file.
mapfile -t libs < <(ldd "$node_bin" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) { print $i; break } }' | sort -u)
[ "${#libs[@]}" -gt 0 ] || die "ldd listed no libraries for $node_bin (a static node needs no base image of this kind)"
ca_bundle=""
for f in /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt; do
  if [ -f "$f" ]; then ca_bundle=$f; break; fi
done

# Applets the build stage and npm's lifecycle scripts use (sh -c, env, ln, chmod, mkdir...).
applets=(sh ash env ls cat cp mv rm ln mkdir rmdir chmod chown touch echo printf test '[' true false sed grep find
  tar gzip wc head tail sort uname id sleep dirname basename readlink which xargs)

# Fingerprint of every input: a changed node, npm, busybox, library or this script makes a new image.
fingerprint=$(
  {
    sha256sum "$node_bin" "$busybox" "$0" "${libs[@]}" ${ca_bundle:+"$ca_bundle"} | cut -d' ' -f1
    echo "npm $(sha256sum <"$npm_dir/package.json")"
    echo "applets ${applets[*]}"
  } | sha256sum | cut -c1-32
)
current=$(docker image inspect --format '{{ index .Config.Labels "org.cloudletd.base-fingerprint" }}' "$image" 2>/dev/null || true)
previous_id=$(docker image inspect --format '{{ .Id }}' "$image" 2>/dev/null || true)
if [ "$current" = "$fingerprint" ]; then
  log "$image is up to date"
  echo "$image"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/cloudletd-base.XXXXXX")
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
mkdir -p "$rootfs"/{bin,usr/bin,usr/local/bin,usr/local/lib/node_modules,etc/ssl/certs,root,tmp}
chmod 1777 "$rootfs/tmp"
chmod 0700 "$rootfs/root"

install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
for lib in "${libs[@]}"; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done

install -m 0755 "$busybox" "$rootfs/bin/busybox"
for applet in "${applets[@]}"; do ln -sf busybox "$rootfs/bin/$applet"; done
ln -sf /bin/busybox "$rootfs/usr/bin/env"

cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
chmod 0755 "$rootfs/usr/local/lib/node_modules/npm/bin/npm-cli.js" "$rootfs/usr/local/lib/node_modules/npm/bin/npx-cli.js"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

if [ -n "$ca_bundle" ]; then cp -L "$ca_bundle" "$rootfs/etc/ssl/certs/ca-certificates.crt"; fi
cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"

node_version=$("$node_bin" --version)
npm_version=$("$node_bin" -p "require('$npm_dir/package.json').version")
log "importing $image: node $node_version, npm $npm_version, ${#libs[@]} libraries"
tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -cf "$work/rootfs.tar" .
# Node trusts its own CA list only; with the host's bundle added (as on the host, where npm reaches its registry
# through whatever TLS the host's network requires), npm ci in a build and the processes agree with the host.
ca_env=()
if [ -n "$ca_bundle" ]; then ca_env=(--change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt'); fi
docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin' \
  "${ca_env[@]}" \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change 'WORKDIR /' \
  --change 'CMD ["node"]' \
  --change "LABEL org.cloudletd.base-fingerprint=$fingerprint" \
  --change "LABEL org.opencontainers.image.description=\"Node.js $node_version and npm $npm_version of the build host, with busybox\"" \
  "$work/rootfs.tar" "$image" >/dev/null
# The image this one replaces, unless something still uses it (a container, an image built on it).
if [ -n "$previous_id" ]; then docker rmi "$previous_id" >/dev/null 2>&1 || true; fi
echo "$image"
