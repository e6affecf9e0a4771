#!/usr/bin/env bash
# `make run`: a private mosquitto on loopback, then what to watch. Ctrl-C stops all it started.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(swift build --show-bin-path)
run=.run
mkdir -p "$run"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$run/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
set_tcp_nodelay true
max_queued_messages 100000
user $(id -un)
log_dest file $PWD/$run/mosquitto.log
CONF

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "==> stopping what make run started"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

mosquitto -c "$run/mosquitto.conf" & pids+=($!)
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.05
done
echo "==> private mosquitto on 127.0.0.1:$port (pid ${pids[0]}, log $run/mosquitto.log)"

"$bin/lock-emulator" --broker "mqtt://127.0.0.1:$port" --lock front-door --lock back-door --lock garage \
  --state-dir "$run/emulator" --device-key-file "$run/device.key" --enable-sim --heartbeat-interval 10 \
  2> "$run/emulator.log" & pids+=($!)
echo "==> lock-emulator with front-door, back-door and garage (pid ${pids[1]}, log $run/emulator.log)"

"$bin/lockbridge" run --broker "mqtt://127.0.0.1:$port" --config config/lockbridge.yaml \
  --data-dir "$run/bridge" --device-key-file "$run/device.key" --offline-after 30 \
  2> "$run/bridge.log" & pids+=($!)
echo "==> lockbridge (pid ${pids[2]}, log $run/bridge.log)"
cat > "$run/env" <<ENV
export LOCKBRIDGE_BROKER=mqtt://127.0.0.1:$port
export PATH="$bin:\$PATH"
ENV
for _ in $(seq 100); do
  LOCKBRIDGE_BROKER="mqtt://127.0.0.1:$port" "$bin/lockbridge" status --timeout 1 2>/dev/null | grep -q garage && break
done
echo
LOCKBRIDGE_BROKER="mqtt://127.0.0.1:$port" "$bin/lockbridge" status 2>&1 || true
echo
cat <<HELP
The lockbridge client, in another terminal (source sets the broker and PATH):
  source $PWD/$run/env
  lockbridge status                       # every lock; lockbridge status front-door for details
  lockbridge events --follow              # every event as it happens
  lockbridge unlock front-door            # waits for the result; exit code 0 ok, 3 refused, 4 offline
  LOCKBRIDGE_NEW_CODE=583920 lockbridge codes set front-door --slot 1 --name Guest
  lockbridge history front-door --since 1h

Watch the public API (state, availability, events, results):
  mosquitto_sub -h 127.0.0.1 -p $port -v -t 'lockbridge/#'
Or the device link underneath (snapshots, heartbeats, signed commands):
  mosquitto_sub -h 127.0.0.1 -p $port -v -t 'lockdev/#'

Send commands (each gets one result on lockbridge/<lock>/result):
  mosquitto_pub -h 127.0.0.1 -p $port -t lockbridge/front-door/set -m UNLOCK
  mosquitto_pub -h 127.0.0.1 -p $port -t lockbridge/front-door/set -m '{"command":"set_code","slot":1,"name":"Guest","code":"583920","request_id":"demo-1"}'
  mosquitto_pub -h 127.0.0.1 -p $port -t lockbridge/bridge/request/health -m '{}'

Act on the physical world:
  mosquitto_pub -h 127.0.0.1 -p $port -t lockdev/front-door/sim -m '{"action":"key","turn":"unlock"}'
  mosquitto_pub -h 127.0.0.1 -p $port -t lockdev/front-door/sim -m '{"action":"keypad","code":"583920"}'
  mosquitto_pub -h 127.0.0.1 -p $port -t lockdev/garage/sim -m '{"action":"battery","percent":1}'
  mosquitto_pub -h 127.0.0.1 -p $port -t lockdev/back-door/sim -m '{"action":"wifi","up":false}'
  mosquitto_pub -h 127.0.0.1 -p $port -t lockdev/back-door/sim -m '{"action":"glitch","kind":"jam"}'

Press Ctrl-C to stop everything make run started.
HELP
wait
