#!/usr/bin/env python3
"""`make test-ha`, live part: the real bridge and emulator under a real Home Assistant 2025.4.4.

Run with the HA venv's python (scripts/test-ha.sh does):
  lockbridge_live.py --bin .build/debug --workdir DIR [--screenshot docs/images/ha-device.png]

1. Home Assistant knows the locks from LockBridge 0.1.0: its per-entity configs (recorded in
   fixtures/, with `object_id`) are retained on the broker, the bridge runs without discovery.
   A user renamed one entity.
2. The upgrade: the bridge starts in its default `discovery_mode: device`. It migrates the old
   configs, and every entity keeps its entity id and its registry entry (history and
   customisations hang on that); the new entities get the ids their names give.
3. Every entity shows a sensible state; lock, unlock and open reach the emulated lock and the
   entity shows locked, unlocked and open; a lock that requires a code refuses without one
   (the bridge) and refuses a malformed one (Home Assistant's code_format); the attributes say
   who opened it; no discovery warning or error is logged, after a restart of Home Assistant
   neither.
4. With --screenshot, the device page of plain-door, taken with headless Chromium.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import hass_home as hh  # noqa: E402

BASE = "test-ha/Schlösser"
NODE = "test_ha_Schl_sser"
PREFIX = "lockdev"
CODE = "583920"
FIXTURE = HERE / "fixtures" / "lockbridge-0.1.0-entity-discovery.tsv"
# The entities 0.1.0 did not have, and the ids their names give (no object_id any more).
NEW = {"battery_days_left": "sensor.{}_battery_days_left", "ways_in_now": "sensor.{}_ways_in_now",
       "duress": "event.{}_duress"}
MIGRATION_WARNING = re.compile(r"Received a conflicting MQTT discovery message .* on topic homeassistant/[a-z_]+/"
                               + NODE + r"_[a-z-]+/[a-z_]+/config")

results: list[tuple[bool, str]] = []


def check(ok: bool, what: str) -> bool:
    results.append((ok, what))
    print(f"    {'ok  ' if ok else 'FAIL'} {what}", flush=True)
    return ok


class Processes:
    """The bridge and the emulator, each stopped by its own PID."""

    def __init__(self, bin_dir: Path, workdir: Path, port: int) -> None:
        self.bin, self.dir, self.port = bin_dir, workdir, port
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, args: list[str]) -> None:
        log = open(self.dir / f"{name}.log", "ab")
        self.running[name] = subprocess.Popen(
            [str(self.bin / ("lockbridge" if name == "bridge" else "lock-emulator")), *args],
            stdout=log, stderr=log, start_new_session=True)

    def emulator(self) -> None:
        self.start("emulator", [
            "--broker", f"mqtt://127.0.0.1:{self.port}", "--lock", "plain-door", "--lock", "code-door",
            "--state-dir", str(self.dir / "emulator"), "--device-key-file", str(self.dir / "device.key"),
            "--topic-prefix", PREFIX, "--enable-sim", "--heartbeat-interval", "5", "--hash-iterations", "64"])

    def bridge(self, *more: str) -> None:
        self.start("bridge", [
            "run", "--broker", f"mqtt://127.0.0.1:{self.port}", "--base-topic", BASE, "--device-topic-prefix", PREFIX,
            "--data-dir", str(self.dir / "bridge"), "--device-key-file", str(self.dir / "device.key"), *more])

    def stop(self, name: str) -> None:
        proc = self.running.pop(name, None)
        if proc:
            hh.stop_process(proc, 15)

    def stop_all(self) -> None:
        for name in list(self.running)[::-1]:
            self.stop(name)


async def command(broker: hh.Broker, sub: hh.Subscriber, lock: str, payload: dict) -> dict:
    """A command on <base>/<lock>/set and its one result."""
    request_id = payload["request_id"]
    broker.publish(f"{BASE}/{lock}/set", payload)

    async def result() -> dict | None:
        for topic, text in sub.messages:
            if topic == f"{BASE}/{lock}/result" and f'"{request_id}"' in text:
                return json.loads(text)
        return None
    return await hh.wait_until(result, 20, f"the result of {request_id}")


async def registry(ha: hh.Hass) -> dict[str, tuple[str, str]]:
    """{unique_id: (entity_id, registry entry id)} of LockBridge's entities."""
    return {e["unique_id"]: (e["entity_id"], e["id"]) for e in await ha.entity_registry()
            if e["platform"] == "mqtt" and e["unique_id"].startswith(NODE)}


def sensible(entity_id: str, state: str) -> bool:
    """What each kind of entity may show while its lock is online."""
    domain, _, name = entity_id.partition(".")
    if state in ("unavailable", ""):
        return False
    if domain == "lock":
        return state in ("locked", "unlocked", "open", "jammed", "locking", "unlocking", "opening")
    if domain == "binary_sensor":
        return state in ("on", "off")
    if domain == "select":
        return state in ("normal", "vacation", "privacy", "no_remote", "passage")
    if domain in ("button", "event"):
        return True  # unknown until pressed or fired, then a timestamp
    if name.endswith("battery") or name.endswith("ways_in_now"):
        return state.isdigit()
    if name.endswith("battery_days_left"):
        return state == "unknown" or re.fullmatch(r"[0-9.]+", state) is not None
    return state not in ("unknown",)


async def main(args: argparse.Namespace) -> int:
    workdir: Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    broker = hh.Broker(workdir / "broker").start()
    procs = Processes(args.bin.resolve(), workdir, broker.port)
    home = hh.write_home(workdir / "ha", broker_port=broker.port, http_port=hh.free_port())
    ha = hh.Hass(home)
    sub = await broker.subscribe(f"{BASE}/#", f"{PREFIX}/+/state")
    try:
        # 1. LockBridge 0.1.0's per-entity configs, and its locks' state (the bridge, discovery off).
        procs.emulator()
        await hh.wait_until(lambda: _now((workdir / "device.key").exists()), 20, "the device key")
        procs.bridge("--no-discovery")
        for lock in ("plain-door", "code-door"):
            await sub.wait_for(f"{BASE}/{lock}/availability", "online", timeout=30)
        for line in FIXTURE.read_text().splitlines():
            topic, _, payload = line.partition("\t")
            broker.publish(topic, payload, retain=True)
        await ha.start()
        print(f"    Home Assistant {args.version} ready after {ha.ready_after_s:.1f} s", flush=True)
        old_lock = f"lock.{NODE.lower()}_plain_door_lock"
        await ha.wait_for_state(old_lock, "locked", timeout=60)
        await hh.wait_until(lambda: _count(ha, 24 + 1), 60, "0.1.0's 25 entities")
        renamed = f"sensor.{NODE.lower()}_plain_door_battery"
        await ha.ws("config/entity_registry/update", entity_id=renamed, new_entity_id="sensor.porch_lock_battery")
        before = await registry(ha)
        check(len(before) == 25 and before[f"{NODE}_plain-door_battery"][0] == "sensor.porch_lock_battery",
              f"0.1.0: {len(before)} entities, ids from object_id ({old_lock}), one renamed by the user")

        # 2. The upgrade.
        procs.stop("bridge")
        procs.bridge()
        await ha.wait_for_log(r"Migration to MQTT device discovery schema started for entity " + re.escape(old_lock), 60)
        for lock in ("plain-door", "code-door"):
            for obj, pattern in NEW.items():
                await ha.wait_for_entity(pattern.format(lock.replace("-", "_")), timeout=60)
        await hh.wait_until(lambda: _now(_cleared(broker)), 30, "the old per-entity configs cleared")
        after = await registry(ha)
        kept = {uid: after.get(uid) for uid in before}
        check(kept == before, "the upgrade kept every entity id and registry entry (the rename too)"
              + ("" if kept == before else f": {[(u, before[u], after.get(u)) for u in before if after.get(u) != before[u]]}"))
        added = {uid: eid for uid, (eid, _) in after.items() if uid not in before}
        expected = {f"{NODE}_{lock}_{obj}": p.format(lock.replace("-", "_")) for lock in ("plain-door", "code-door")
                    for obj, p in NEW.items()}
        check(added == expected, f"new entities named from their names: {sorted(added.values())}")
        device_id = await ha.wait_for_device(f"{NODE}_plain-door")
        check(len(await ha.entities_of_device(device_id)) == 15, "plain-door is one device with 15 entities")
        migration = ha.log_issues()
        check(all(MIGRATION_WARNING.search(r) for r in migration),
              f"during the migration only Home Assistant's conflict notes on the cleared old topics ({len(migration)})"
              + "".join(f"\n      {r.splitlines()[0][:240]}" for r in migration if not MIGRATION_WARNING.search(r)))

        # 3. Sensible states, commands, codes, attributes.
        states = {s["entity_id"]: s for s in await ha.get_states()}
        ours = {eid for eid, _ in after.values()}
        bad = {e: states.get(e, {}).get("state") for e in ours if not sensible(e, states.get(e, {}).get("state", ""))}
        check(not bad, f"every one of the {len(ours)} entities shows a sensible state" + (f": {bad}" if bad else ""))

        lock = old_lock
        for service, state, device in (("unlock", "unlocked", "unlocked"), ("open", "open", "open"), ("lock", "locked", "locked")):
            if service == "lock":  # the latch springs back once the door shuts
                broker.publish(f"{PREFIX}/plain-door/sim", {"action": "door", "state": "open"})
                broker.publish(f"{PREFIX}/plain-door/sim", {"action": "door", "state": "closed"})
            reply = await ha.call_service_ws("lock", service, {"entity_id": lock})
            check("error" not in reply, f"lock.{service}: {reply.get('error', 'accepted')}")
            await hh.wait_until(lambda: _now(_device_state(sub, "plain-door", device)), 20, f"the emulated lock {device}")
            shown = await ha.wait_for_state(lock, state, timeout=20)
            check(shown["state"] == state, f"lock.{service} reached the emulated lock; the entity shows {state}")

        await command(broker, sub, "code-door", {"command": "set_code", "slot": 1, "name": "Test", "code": CODE, "request_id": "ha-1"})
        await command(broker, sub, "code-door", {"command": "set_config", "require_code_for_remote": True, "code": CODE, "request_id": "ha-2"})
        code_lock = f"lock.{NODE.lower()}_code_door_lock"
        await hh.wait_until(lambda: _attribute(ha, code_lock, "code_format"), 20, "code_format on code-door")
        results_before = len([m for m in sub.messages if m[0] == f"{BASE}/code-door/result"])
        refused = await ha.call_service_ws("lock", "unlock", {"entity_id": code_lock, "code": "12"})
        check(refused.get("error", {}).get("code") == "service_validation_error",
              f"a malformed code is refused by Home Assistant: {refused.get('error', {}).get('message')}")
        await ha.call_service_ws("lock", "unlock", {"entity_id": code_lock})
        refusal = await hh.wait_until(lambda: _now(_result_after(sub, "code-door", results_before)), 20, "code-door's result")
        check(refusal.get("error", {}).get("code") == "code_required" and (await ha.get_state(code_lock))["state"] == "locked",
              f"no code: the bridge refuses ({refusal.get('error', {}).get('code')}), the lock stays locked")
        await ha.call_service_ws("lock", "unlock", {"entity_id": code_lock, "code": CODE})
        await ha.wait_for_state(code_lock, "unlocked", timeout=20)
        check(True, "the right code unlocks code-door")

        await command(broker, sub, "plain-door", {"command": "set_code", "slot": 2, "name": "Dog walker", "code": "246810", "request_id": "ha-3"})
        broker.publish(f"{PREFIX}/plain-door/sim", {"action": "keypad", "code": "246810"})
        await ha.wait_for_state(lock, "unlocked", timeout=20)
        st = await hh.wait_until(lambda: _attribute(ha, lock, "operated_by", "Dog walker"), 20, "operated_by Dog walker")
        a = st["attributes"]
        check(a.get("method") == "keypad" and a.get("credential_slot") == 2 and a.get("last_access_at"),
              f"the attributes say who opened it: operated_by={a.get('operated_by')} method={a.get('method')} "
              f"slot={a.get('credential_slot')} at={a.get('last_access_at')}")
        text = json.dumps(await ha.get_states())
        check("246810" not in text and CODE not in text, "no code anywhere in Home Assistant's states")

        if args.screenshot:
            shot = subprocess.run([sys.executable, str(HERE / "screenshot.py"), "--home", str(home.config_dir),
                                   "--path", f"/config/devices/device/{device_id}", "--out", str(args.screenshot),
                                   "--wait-text", "plain-door", "--wait-text", "Battery days left"], timeout=180)
            check(shot.returncode == 0, f"screenshot of the device page: {args.screenshot}")

        # Restart: the same entities, and nothing logged this time.
        await ha.stop()
        ha = hh.Hass(home)
        await ha.start()
        await ha.wait_for_state(lock, lambda s: s in ("locked", "unlocked"), timeout=60)
        await hh.wait_until(lambda: _registry_is(ha, after), 30, "the same entities after the restart")
        issues = ha.log_issues()
        check(not issues, f"after a restart of Home Assistant: no discovery warning or error ({len(issues)})"
              + "".join(f"\n      {r.splitlines()[0][:240]}" for r in issues))
    finally:
        await sub.stop()
        await ha.stop()
        procs.stop_all()
        broker.stop()
    failed = sum(1 for ok, _ in results if not ok)
    print(f"ha-live: {len(results) - failed} passed, {failed} failed (Home Assistant {args.version})")
    return 1 if failed else 0


async def _now(value: object) -> object:
    """A plain value, as the awaitable hh.wait_until polls."""
    return value


async def _count(ha: hh.Hass, n: int) -> bool:
    return len(await registry(ha)) >= n


async def _registry_is(ha: hh.Hass, expected: dict) -> bool:
    return await registry(ha) == expected


def _cleared(broker: hh.Broker) -> bool:
    out = subprocess.run(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.port), "-t", "homeassistant/+/+/+/config",
                          "--retained-only", "-W", "1", "-F", "%t"], capture_output=True, text=True)
    return NODE not in out.stdout


def _device_state(sub: hh.Subscriber, lock: str, state: str) -> bool:
    last = [p for t, p in sub.messages if t == f"{PREFIX}/{lock}/state"]
    return bool(last) and f'"lock":"{state}"' in last[-1].replace(" ", "")


def _result_after(sub: hh.Subscriber, lock: str, skip: int) -> dict | None:
    found = [p for t, p in sub.messages if t == f"{BASE}/{lock}/result"][skip:]
    return json.loads(found[0]) if found else None


async def _attribute(ha: hh.Hass, entity_id: str, name: str, value: object = None) -> dict | None:
    st = await ha.get_state(entity_id)
    if st is None or name not in st["attributes"] or (value is not None and st["attributes"][name] != value):
        return None
    return st


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", type=Path, required=True, help="where lockbridge and lock-emulator are")
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--screenshot", type=Path)
    ap.add_argument("--version", default="2025.4.4")
    a = ap.parse_args()
    a.workdir = a.workdir or Path(tempfile.mkdtemp(prefix="ha-live."))
    sys.exit(asyncio.run(main(a)))
