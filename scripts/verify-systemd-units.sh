#!/usr/bin/env bash
# Offline check of the systemd units of cloudletd, as systemd itself reads them.
#
#   scripts/verify-systemd-units.sh [DIR]   DIR: the unit folder (default: systemd/ of this repository)
#
# - `systemd-analyze verify` on every DIR/*.service, with its drop-ins (DIR/<unit>.service.d/*.conf) applied;
# - `systemd-sysusers --dry-run` on DIR/*.sysusers.conf.
# Silent with exit status 0 when systemd has nothing to say. Anything systemd prints, a warning included (an
# unknown directive or a bad value is only a warning to systemd, which ignores the line), or a non-zero exit of
# either tool, is a failure: what systemd said goes to stderr, with exit status 1. Usage errors exit 2, a missing
# systemd exits 127.
#
# `systemd-analyze verify` insists that each ExecStart= binary exists. The units are therefore verified as copies in
# a temporary folder whose only change is the path of `ExecStart=/usr/local/bin/cloudletd`, pointed to a stub
# executable, so the check passes or fails the same whether cloudletd is installed here or not. It needs no running
# systemd (PID 1 may be anything) and no privileges: verify runs with --man=no and --generators=no.
set -euo pipefail

BINARY=/usr/local/bin/cloudletd

die_usage() {
  echo "usage: $0 [DIR]   ($1)" >&2
  exit 2
}

[ $# -le 1 ] || die_usage "one folder at most"
dir=${1:-"$(cd "$(dirname "$0")/.." && pwd)/systemd"}
[ -d "$dir" ] || die_usage "$dir is not a folder"
dir=$(cd "$dir" && pwd)

for tool in systemd-analyze systemd-sysusers; do
  if ! command -v "$tool" >/dev/null; then
    echo "$tool not found: install the Debian package systemd (apt-get install -y systemd); no running systemd is needed" >&2
    exit 127
  fi
done

shopt -s nullglob
units=("$dir"/*.service)
[ ${#units[@]} -gt 0 ] || die_usage "no *.service file in $dir"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cloudletd-verify-units.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/units" "$tmp/root"
stub="$tmp/bin/cloudletd"
printf '#!/bin/sh\nexit 0\n' >"$stub"
chmod 755 "$stub"

failures=()

# Copies a unit or drop-in with only the ExecStart= binary path replaced by the stub.
copy_unit() {
  sed "s#^\(ExecStart=[-@:+!]*\)$BINARY\([[:space:]]\|\$\)#\1$stub\2#" "$1" >"$2"
}

copies=()
for unit in "${units[@]}"; do
  name=$(basename "$unit")
  if ! grep -Eq "^ExecStart=$BINARY( |$)" "$unit"; then
    failures+=("$unit: no ExecStart=$BINARY line")
  fi
  copy_unit "$unit" "$tmp/units/$name"
  copies+=("$tmp/units/$name")
  if [ -d "$unit.d" ]; then
    mkdir -p "$tmp/units/$name.d"
    for dropin in "$unit.d"/*.conf; do
      copy_unit "$dropin" "$tmp/units/$name.d/$(basename "$dropin")"
    done
  fi
done

# The caller's environment must not change what systemd reads or how much it says.
clean_env=(env -u SYSTEMD_UNIT_PATH -u SYSTEMD_LOG_TARGET SYSTEMD_LOG_LEVEL=info SYSTEMD_LOG_COLOR=0 SYSTEMD_PAGER=cat)

# Shows systemd's messages with the repository's paths instead of the temporary copies'.
report() {
  sed -e "s#$tmp/units/#$dir/#g" -e "s#$stub#$BINARY#g"
}

status=0
output=$(cd "$tmp" && "${clean_env[@]}" systemd-analyze verify --man=no --generators=no "${copies[@]}" 2>&1) || status=$?
if [ "$status" -ne 0 ] || [ -n "$output" ]; then
  failures+=("systemd-analyze verify (exit status $status):")
  [ -z "$output" ] || failures+=("$(printf '%s\n' "$output" | report)")
fi

for conf in "$dir"/*.sysusers.conf; do
  status=0
  # Info messages ("Creating user ...") are what a dry run is for; warnings and errors remain.
  output=$("${clean_env[@]}" SYSTEMD_LOG_LEVEL=warning systemd-sysusers --root="$tmp/root" --dry-run "$conf" 2>&1) || status=$?
  if [ "$status" -ne 0 ] || [ -n "$output" ]; then
    failures+=("systemd-sysusers --dry-run $conf (exit status $status):")
    [ -z "$output" ] || failures+=("$output")
  fi
done

if [ ${#failures[@]} -gt 0 ]; then
  printf '%s\n' "${failures[@]}" >&2
  echo "FAILED: the systemd units in $dir need fixing (systemd $(systemd-analyze --version | head -1 | cut -d' ' -f2))" >&2
  exit 1
fi
