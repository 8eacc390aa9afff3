#!/usr/bin/env bash
# A private Docker daemon for the test suite, and the test image it needs (no registry is reachable here).
#
#   scripts/test-dockerd.sh start DIR   start dockerd with its data, socket and log under DIR; import the image
#   scripts/test-dockerd.sh stop DIR    stop it and remove DIR
#
# `start` prints two lines for the environment of the tests:
#   CLOUDLETD_TEST_DOCKER_SOCKET=DIR/docker.sock
#   CLOUDLETD_TEST_DOCKER_IMAGE=cloudletd-test/busybox:1
# The daemon uses the vfs storage driver, no iptables and no default bridge, so it runs in a plain container or
# sandbox; user-defined bridge networks and ports published on 127.0.0.1 (userland proxy) still work.
set -euo pipefail

IMAGE=cloudletd-test/busybox:1
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

case "$cmd" in
start)
  command -v dockerd >/dev/null || { echo "dockerd not found: apt-get install docker.io busybox-static" >&2; exit 1; }
  [ -x /bin/busybox ] || { echo "/bin/busybox not found: apt-get install busybox-static" >&2; exit 1; }
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  sock="$dir/docker.sock"
  dockerd --storage-driver=vfs --iptables=false --bridge=none \
    --data-root "$dir/root" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
    -H "unix://$sock" >"$dir/dockerd.log" 2>&1 &
  for _ in $(seq 1 100); do
    if DOCKER_HOST="unix://$sock" docker version >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  DOCKER_HOST="unix://$sock" docker version >/dev/null 2>&1 || { echo "dockerd did not start:" >&2; tail -20 "$dir/dockerd.log" >&2; exit 1; }
  # The test image: busybox (static) and its applets, a page for httpd. Imported, never pulled.
  rootfs="$dir/rootfs"
  rm -rf "$rootfs"
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/www" "$rootfs/etc"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in sh ash httpd echo cat ls sleep hostname env nc printf true false kill ps id wc head tail grep date pwd uname; do
    ln -sf busybox "$rootfs/bin/$applet"
  done
  echo "hello from cloudletd" >"$rootfs/www/index.html"
  echo "root:x:0:0:root:/:/bin/sh" >"$rootfs/etc/passwd"
  tar -C "$rootfs" -cf "$dir/rootfs.tar" .
  DOCKER_HOST="unix://$sock" docker import --change 'CMD ["sh"]' "$dir/rootfs.tar" "$IMAGE" >/dev/null
  rm -rf "$rootfs" "$dir/rootfs.tar"
  echo "CLOUDLETD_TEST_DOCKER_SOCKET=$sock"
  echo "CLOUDLETD_TEST_DOCKER_IMAGE=$IMAGE"
  ;;
stop)
  if [ -f "$dir/dockerd.pid" ]; then
    pid=$(cat "$dir/dockerd.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # containerd-shims of containers still running outlive the daemon: end them too.
  pkill -f "containerd-shim.*$dir" 2>/dev/null || true
  umount -R "$dir/root" 2>/dev/null || true
  umount -R "$dir/exec" 2>/dev/null || true
  rm -rf "$dir" 2>/dev/null || true
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
