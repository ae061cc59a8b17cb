#!/usr/bin/env bash
# The systemd unit is valid and hardened: systemd-analyze verify passes and the
# security exposure stays at or below 2.0.
set -euo pipefail
unit_in=$1       # systemd/tonewired.service.in
daemon=$2        # the built tonewired binary, so ExecStart points at something real
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s#@CMAKE_INSTALL_FULL_BINDIR@/tonewired#$daemon#; s#@CMAKE_INSTALL_FULL_SYSCONFDIR@#/etc#" \
  "$unit_in" > "$tmp/tonewired.service"
if ! command -v systemd-analyze >/dev/null; then
  echo "systemd-analyze is missing (scripts/deps installs systemd)"; exit 1
fi
systemd-analyze verify "$tmp/tonewired.service"
score=$(systemd-analyze security --offline=yes "$tmp/tonewired.service" 2>/dev/null |
        sed -n 's/.*Overall exposure level for tonewired.service: \([0-9.]*\).*/\1/p')
echo "exposure: ${score:-unknown}"
[ -n "$score" ] || { echo "no exposure figure"; exit 1; }
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || { echo "exposure $score > 2.0"; exit 1; }
for key in Type=notify WatchdogSec= Restart=on-failure DynamicUser=yes SupplementaryGroups=audio \
           StateDirectory= ProtectSystem=strict ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes \
           "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" DevicePolicy=closed \
           "DeviceAllow=char-alsa rw" "CapabilityBoundingSet=" "SystemCallFilter=@system-service"; do
  grep -q "^$key" "$tmp/tonewired.service" || { echo "missing: $key"; exit 1; }
done
echo "service unit ok"
