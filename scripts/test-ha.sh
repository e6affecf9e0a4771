#!/usr/bin/env bash
# `make test-ha`: LockBridge's Home Assistant discovery, checked three ways (docs/home-assistant.md):
#   1. live: the real bridge and emulator under a running Home Assistant 2025.4.4, headless
#      (scripts/ha/lockbridge_live.py): the upgrade from 0.1.0's per-entity configs keeps every
#      entity id, every entity shows a sensible state, lock/unlock/open reach the lock, codes,
#      attributes, no discovery warning;
#   2. the device layout through the schemas of the newest Home Assistant whose MQTT component
#      loads on Python 3.13 (scripts/ha_schema/validate.py, 2026.2.3);
#   3. the per-entity layout (discovery_mode: entity) through Home Assistant 2024.3's own
#      discovery code and schemas (scripts/ha_validate.py).
# Each venv is installed once and reused while its requirements stay the same. Every process
# this starts (mosquitto, lock-emulator, lockbridge, hass) is stopped by its PID on exit.
# HA_SCREENSHOT=FILE also takes a PNG of a lock's device page with headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

# Home Assistant 2024.3 is the last release that runs on Debian 12's Python 3.11. paho-mqtt is
# what its MQTT integration needs (its manifest.json); pip does not install it with the core.
requirements=("homeassistant==2024.3.3" "paho-mqtt==1.6.1")
venv=${HA_VENV:-.venv-ha}
deadline_s=60

python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  { echo "error: Home Assistant 2024.3 needs Python 3.11 or later, found $(python3 --version)" >&2; exit 1; }

# The venv is reused while it holds exactly these requirements (the stamp is written last).
stamp="$venv/lockbridge-requirements.txt"
if ! printf '%s\n' "${requirements[@]}" | cmp -s - "$stamp" 2>/dev/null; then
  echo "==> installing ${requirements[*]} into $venv (once; takes minutes)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  log=$(mktemp)
  if ! "$venv/bin/pip" install --disable-pip-version-check "${requirements[@]}" >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "error: pip could not install ${requirements[*]}" >&2
    exit 1
  fi
  rm -f "$log"
  printf '%s\n' "${requirements[@]}" > "$stamp"
fi
python="$venv/bin/python"
echo "==> Home Assistant 2025.4.4 (live) and 2026.2.3 (schemas), on Python 3.13.0"
live_venv=${HA_LIVE_VENV:-.venv-ha-live}
schema_venv=${HA_SCHEMA_VENV:-.venv-ha-schema}
scripts/ha/install.sh "$live_venv"
scripts/ha_schema/install.sh "$schema_venv"

echo "==> the checks themselves must refuse broken payloads"
"$python" scripts/ha_validate.py --self-test
"$schema_venv/bin/python" scripts/ha_schema/validate.py --self-test

swift build --product lockbridge
swift build --product lock-emulator
bin=$(swift build --show-bin-path)

mkdir -p .run
run=$(mktemp -d "$PWD/.run/test-ha.XXXXXX")
pids=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  # Newest first, so the bridge and the emulator still reach the broker while they shut down.
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
  if ((status == 0)); then
    rm -rf "$run"
  else
    for log in "$run"/*.log; do echo "--- $log (last lines)"; tail -15 "$log"; done
    echo "test-ha failed; logs are in $run"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits until "$@" succeeds, at most `deadline_s` seconds.
wait_for() {
  local what=$1; shift
  local until=$((SECONDS + deadline_s))
  until "$@"; do
    ((SECONDS < until)) || { echo "error: no $what after $deadline_s s" >&2; return 1; }
    sleep 0.1
  done
}
alive() { kill -0 "$1" 2>/dev/null || { echo "error: $2 exited" >&2; exit 1; }; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$run/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
set_tcp_nodelay true
persistence false
user $(id -un)
log_dest file $run/mosquitto.log
CONF
mosquitto -c "$run/mosquitto.conf" 2>> "$run/mosquitto.log" & pids+=($!)
listening() { alive "${pids[0]}" mosquitto; (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
wait_for "mosquitto on port $port" listening
broker="mqtt://127.0.0.1:$port"
mqtt=(-h 127.0.0.1 -p "$port")

# The variants that change discovery: a lock that needs a code for remote use (code_format),
# and one that does not. Every emulated lock can unlatch, so payload_open is always there.
# The base topic has a second level and a non-ASCII letter, which node ids must not carry.
base="test-ha/Schlösser"
"$bin/lock-emulator" --broker "$broker" --lock plain-door --lock code-door --state-dir "$run/emulator" \
  --device-key-file "$run/device.key" --heartbeat-interval 5 2> "$run/emulator.log" & pids+=($!)
wait_for "device key from lock-emulator" test -s "$run/device.key"
"$bin/lockbridge" run --broker "$broker" --base-topic "$base" --data-dir "$run/bridge" --discovery-mode entity \
  --device-key-file "$run/device.key" 2> "$run/bridge.log" & pids+=($!)

# A command through the MQTT 5 request/response path, so its one result is never missed.
command() {
  local lock=$1 payload=$2 reply
  reply=$(mosquitto_rr "${mqtt[@]}" -q 1 -t "$base/$lock/set" -e "$base/reply/test-ha/$lock" -m "$payload" -W "$deadline_s")
  [[ $reply == *'"status":"ok"'* ]] || { echo "error: $lock refused $payload: $reply" >&2; exit 1; }
}
mosquitto_sub "${mqtt[@]}" -t "$base/code-door/state" -C 1 -W "$deadline_s" > /dev/null \
  || { echo "error: the bridge reported no state for code-door" >&2; exit 1; }
alive "${pids[2]}" lockbridge
command code-door '{"command":"set_code","slot":1,"name":"Test","code":"583920","request_id":"ha-1"}'
command code-door '{"command":"set_config","require_code_for_remote":true,"code":"583920","request_id":"ha-2"}'

echo "==> discovery_mode entity through Home Assistant 2024.3"
# 15 entities per lock (spec section 5) and the bridge's own connection sensor.
"$python" scripts/ha_validate.py --host 127.0.0.1 --port "$port" --prefix homeassistant \
  --expect $((2 * 15 + 1)) --timeout "$deadline_s" \
  --require '/lock/[^/]*_code-door/lock/config$=code_format' \
  --absent '/lock/[^/]*_plain-door/lock/config$=code_format' \
  --require '/lock/[^/]*/lock/config$=payload_open'

echo "==> discovery_mode device (migrated from the entity layout) through Home Assistant 2026.2.3"
kill "${pids[2]}"; wait "${pids[2]}" 2>/dev/null || true
"$bin/lockbridge" run --broker "$broker" --base-topic "$base" --data-dir "$run/bridge" \
  --device-key-file "$run/device.key" 2>> "$run/bridge.log" & pids[2]=$!
# The migration clears every per-entity config; then two locks and the bridge, one config each.
no_entity_configs() {
  alive "${pids[2]}" lockbridge
  [[ -z $(mosquitto_sub "${mqtt[@]}" -t 'homeassistant/+/+/+/config' --retained-only -W 1 2>/dev/null) ]]
}
wait_for "the per-entity configs migrated away" no_entity_configs
"$schema_venv/bin/python" scripts/ha_schema/validate.py --host 127.0.0.1 --port "$port" --prefix homeassistant \
  --expect 3 --timeout "$deadline_s" --strict

echo "==> the bridge and the emulator under a live Home Assistant 2025.4.4"
"$live_venv/bin/python" scripts/ha/lockbridge_live.py --bin "$bin" --workdir "$run/live" \
  ${HA_SCREENSHOT:+--screenshot "$HA_SCREENSHOT"}
