#!/usr/bin/env python3
"""Checks Home Assistant discovery configs with Home Assistant's own code (pinned in test-ha.sh).

Each payload goes through what Home Assistant does with a discovery message:

1. `homeassistant.components.mqtt.discovery`'s own message handler, called for real on a
   minimal `HomeAssistant` object: the topic pattern, JSON parsing, abbreviation expansion
   (`~`, `dev`, `o`, `avty`, ...) and the `origin` schema. What it refuses, it only logs and
   drops, so a payload that it does not hand on is a failure, with the logged reason.
2. The platform's `homeassistant.components.mqtt.<component>.DISCOVERY_SCHEMA`, applied to
   exactly what the handler handed on, as `mixins.async_setup_entity_entry_helper` does.
   It checks every option, `device`, `origin` and `availability`.
3. What those schemas let through silently and Home Assistant then gets wrong: a key the
   schema drops (`extra=REMOVE_EXTRA`, so a misspelt option is ignored without a word), a
   `unique_id` used twice (the second entity is not created), a `via_device` that names no
   published device.

usage:
  ha_validate.py --self-test
  ha_validate.py --host H --port P [--prefix homeassistant] --expect N [--timeout S]
                 [--require REGEX=KEY]... [--absent REGEX=KEY]...

The second form takes the retained configs under <prefix>/# with mosquitto_sub until N are
there and every --require holds (or the timeout passes), then checks them all.
"""
from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from unittest import mock

import voluptuous as vol
from voluptuous.humanize import humanize_error

from homeassistant.components import mqtt
from homeassistant.components.mqtt import discovery
from homeassistant.components.mqtt.const import DATA_MQTT
from homeassistant.components.mqtt.models import MqttData, ReceiveMessage
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
import homeassistant.util.dt as dt_util


@dataclass
class Result:
    topic: str
    component: str = "?"
    errors: list[str] = field(default_factory=list)
    config: dict | None = None


class _Warnings(logging.Handler):
    """Keeps what the MQTT integration logs while it reads one message."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


async def _through_home_assistant(messages: list[tuple[str, bytes]], prefix: str) -> list[Result]:
    with tempfile.TemporaryDirectory() as config_dir:
        hass = HomeAssistant(config_dir)
        hass.data[DATA_MQTT] = MqttData(client=None, config=[])  # type: ignore[arg-type]
        handlers = []

        async def subscribe(_hass, topic, handler, qos=0, encoding="utf-8"):
            handlers.append(handler)
            return lambda: None

        async def no_integrations(_hass):
            return {}

        with mock.patch.object(mqtt, "async_subscribe", subscribe), \
                mock.patch.object(discovery, "async_get_mqtt", no_integrations):
            await discovery.async_start(hass, prefix, None)  # type: ignore[arg-type]
        handler = handlers[0]  # the same handler serves both discovery topic patterns

        handed_on: list[tuple[str, dict]] = []
        for component in discovery.SUPPORTED_COMPONENTS:
            @callback
            def receive(payload, component=component):
                handed_on.append((component, payload))
            async_dispatcher_connect(hass, discovery.MQTT_DISCOVERY_NEW.format(component, "mqtt"), receive)

        warnings = _Warnings()
        log = logging.getLogger("homeassistant.components.mqtt")
        log.setLevel(logging.WARNING)
        log.propagate = False
        log.addHandler(warnings)
        results = []
        for topic, payload in messages:
            result = Result(topic)
            handed_on.clear()
            warnings.records.clear()
            handler(ReceiveMessage(topic=topic, payload=payload.decode(), qos=0, retain=True,
                                   subscribed_topic=f"{prefix}/+/+/+/config", timestamp=dt_util.utcnow()))
            # Each message is a first discovery, as retained configs are when Home Assistant starts:
            # forget this one again, or the next with the same hash would be queued as an update.
            data = hass.data[DATA_MQTT]
            for pending in data.discovery_pending_discovered.values():
                pending["unsub"]()
            data.discovery_pending_discovered.clear()
            data.discovery_already_discovered.clear()
            if not handed_on:
                why = "; ".join(warnings.records) or "dropped without a warning"
                result.errors.append(f"Home Assistant's discovery ignored it: {why}")
            else:
                result.component, processed = handed_on[0]
                _check_schema(result, processed)
            results.append(result)
        log.removeHandler(warnings)
        await hass.async_stop(force=True)
    _check_across(results)
    return results


# Keys of later Home Assistant releases, which this one drops as it should (the bridge's configs
# are for 2024.11 and later; older releases ignore what they do not know). Any other dropped key
# is a mistake. --newer-key adds to them.
NEWER_KEYS = {
    "default_entity_id",  # 2025.10 (object_id's successor)
    "state_open", "state_opening",  # 2024.6 (the open lock states)
}


def _check_schema(result: Result, payload: dict) -> None:
    schema = importlib.import_module(f"homeassistant.components.mqtt.{result.component}").DISCOVERY_SCHEMA
    try:
        config = schema(payload)
    except vol.Invalid as err:
        result.errors.append(f"DISCOVERY_SCHEMA: {humanize_error(dict(payload), err)}")
        return
    result.config = config
    dropped = sorted(set(payload) - set(config) - {"platform"} - NEWER_KEYS)
    if dropped:
        result.errors.append(f"not {result.component} options, Home Assistant ignores them: {', '.join(dropped)}")


def _check_across(results: list[Result]) -> None:
    """unique_id must be unique per platform; via_device must name a published device."""
    owners: dict[tuple[str, str], str] = {}
    devices = {i for r in results if r.config and "device" in r.config for i in r.config["device"].get("identifiers", [])}
    for r in results:
        if not r.config:
            continue
        if (uid := r.config.get("unique_id")) is None:
            r.errors.append("no unique_id: Home Assistant cannot attach it to a device or let users edit it")
        elif (key := (r.component, uid)) in owners:
            r.errors.append(f"unique_id {uid} also used by {owners[key]}: Home Assistant drops the second")
        else:
            owners[key] = r.topic
        via = r.config.get("device", {}).get("via_device")
        if via is not None and via not in devices:
            r.errors.append(f"via_device {via} names no device in the published configs")


def validate(messages: list[tuple[str, bytes]], prefix: str) -> list[Result]:
    return asyncio.run(_through_home_assistant(messages, prefix))


# Collecting ------------------------------------------------------------------------------------

def _retained(host: str, port: int, prefix: str, count: int) -> dict[str, bytes]:
    """One look at the broker's retained configs (mosquitto_sub ends after `count` or 2 s)."""
    out = subprocess.run(
        ["mosquitto_sub", "-h", host, "-p", str(port), "-t", f"{prefix}/#", "--retained-only",
         "-C", str(count), "-W", "2", "-F", "%j"],
        capture_output=True, check=False).stdout
    found = {}
    for line in out.splitlines():
        message = json.loads(line)
        found[message["topic"]] = message["payload"].encode()
    return found


def _rules(specs: list[str]) -> list[tuple[re.Pattern[str], str]]:
    rules = []
    for spec in specs:
        pattern, _, key = spec.rpartition("=")
        rules.append((re.compile(pattern), key))
    return rules


def _holds(found: dict[str, bytes], pattern: re.Pattern[str], key: str, present: bool) -> bool:
    matching = [json.loads(p) for t, p in found.items() if pattern.search(t)]
    return bool(matching) and all((key in m) == present for m in matching)


def collect(args: argparse.Namespace) -> tuple[dict[str, bytes], list[str]]:
    requires, absents = _rules(args.require), _rules(args.absent)
    deadline = time.monotonic() + args.timeout
    while True:
        found = {t: p for t, p in _retained(args.host, args.port, args.prefix, args.expect).items() if t.endswith("/config")}
        unmet = [f"{len(found)} of {args.expect} configs"] if len(found) < args.expect else []
        unmet += [f"no {p.pattern} with {k}" for p, k in requires if not _holds(found, p, k, True)]
        unmet += [f"a {p.pattern} with {k}" for p, k in absents if not _holds(found, p, k, False)]
        if not unmet or time.monotonic() > deadline:
            return found, unmet
        time.sleep(0.2)


# Self-test: the check can fail ----------------------------------------------------------------

GOOD = {
    "name": None, "unique_id": "t_door_lock", "object_id": "t_door_lock",
    "command_topic": "t/door/set", "state_topic": "t/door/state", "qos": 1, "retain": False,
    "value_template": "{{ value_json.lock }}", "code_format": r"^\d{4,12}$",
    "availability": [{"topic": "t/bridge/state"}, {"topic": "t/door/availability"}], "availability_mode": "all",
    "device": {"identifiers": ["t_door"], "name": "door", "via_device": "t_door"},
    "origin": {"name": "LockBridge", "sw_version": "0"},
}
ABBREVIATED = {  # a lock written the short way Home Assistant also accepts
    "~": "t/door", "uniq_id": "t_door2_lock", "cmd_t": "~/set", "stat_t": "~/state", "qos": 1,
    "avty": [{"t": "t/bridge/state"}, {"t": "~/availability"}], "avty_mode": "all",
    "dev": {"ids": ["t_door"], "name": "door"}, "o": {"name": "LockBridge", "sw": "0"},
}
L = "homeassistant/lock/t/door/config"
BROKEN = {  # what must be refused, and why: (topic, payload)
    "qos is not a number": (L, {**GOOD, "qos": "high"}),
    "retain is not a boolean": (L, {**GOOD, "retain": "sometimes"}),
    "misspelt option": (L, {**GOOD, "comand_topic": "t/door/set"}),
    "misspelt newer option": (L, {**GOOD, "state_opne": "OPEN"}),
    "unknown device key": (L, {**GOOD, "device": {**GOOD["device"], "modle": "x"}}),
    "device without identifiers": (L, {**GOOD, "device": {"name": "door"}}),
    "origin without a name": (L, {**GOOD, "origin": {"sw_version": "0"}}),
    "availability_mode not all/any/latest": (L, {**GOOD, "availability_mode": "both"}),
    "availability entry without a topic": (L, {**GOOD, "availability": [{"payload_available": "up"}]}),
    "broken template": (L, {**GOOD, "value_template": "{{ value_json.lock "}),
    "invalid code_format regex": (L, {**GOOD, "code_format": "^(\\d+$"}),
    "event without event_types": ("homeassistant/event/t/door/config", GOOD),
    "wildcard in command_topic": ("homeassistant/button/t/door/config", {**GOOD, "command_topic": "t/+/set"}),
    "node id with a dot": ("homeassistant/lock/t.x/door/config", GOOD),
    "unsupported component": ("homeassistant/doorlock/t/door/config", GOOD),
    "not JSON": (L, None),
}


def self_test() -> int:
    failures = []
    good = validate([(L, json.dumps(GOOD).encode()),
                     ("homeassistant/lock/t/door2/config", json.dumps(ABBREVIATED).encode())], "homeassistant")
    for r in good:
        print(f"self-test: accepted (valid {r.topic}): {r.errors or 'ok'}")
        if r.errors:
            failures.append(f"a valid payload was refused: {r.topic}: {r.errors}")
    expanded = (good[1].config or {}).get("command_topic")
    if expanded != "t/door/set":
        failures.append(f"~ was not expanded: {expanded}")
    for why, (topic, payload) in BROKEN.items():
        body = b"{not json" if payload is None else json.dumps(payload).encode()
        r = validate([(topic, body)], "homeassistant")[0]
        print(f"self-test: refused ({why}): {r.errors[0] if r.errors else 'ACCEPTED'}")
        if not r.errors:
            failures.append(f"accepted a payload with {why}")
    twice = validate([(L, json.dumps(GOOD).encode()), (L.replace("/door/", "/door3/"), json.dumps(GOOD).encode())], "homeassistant")
    print(f"self-test: refused (unique_id used twice): {twice[1].errors[0] if twice[1].errors else 'ACCEPTED'}")
    if not twice[1].errors:
        failures.append("accepted a unique_id used twice")
    for f in failures:
        print(f"self-test FAILED: {f}")
    print(f"self-test: {len(BROKEN) + 3 - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--self-test", action="store_true")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int)
    parser.add_argument("--prefix", default="homeassistant")
    parser.add_argument("--expect", type=int)
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--require", action="append", default=[], metavar="REGEX=KEY")
    parser.add_argument("--absent", action="append", default=[], metavar="REGEX=KEY")
    parser.add_argument("--newer-key", action="append", default=[], metavar="KEY",
                        help="a key of a later Home Assistant release that this one may drop")
    args = parser.parse_args()
    NEWER_KEYS.update(args.newer_key)
    logging.basicConfig(level=logging.CRITICAL)  # what matters is captured per message
    if args.self_test:
        return self_test()
    if args.port is None or args.expect is None:
        parser.error("--port and --expect are needed (or --self-test)")

    found, unmet = collect(args)
    results = validate(sorted(found.items()), args.prefix)
    for r in results:
        print(f"{'ok  ' if not r.errors else 'FAIL'} {r.component:<13} {r.topic}")
        for e in r.errors:
            print(f"       {e}")
    failed = sum(1 for r in results if r.errors)
    for u in unmet:
        print(f"FAIL collecting: {u} after {args.timeout:g} s")
    print(f"checked with Home Assistant {HA_VERSION}: {len(results)} configs, {failed} refused")
    print(f"ha-discovery: {len(results) - failed} passed, {failed + len(unmet)} failed")
    return 1 if failed or unmet else 0


if __name__ == "__main__":
    sys.exit(main())
