#!/usr/bin/env python3
"""Validates retained Home Assistant MQTT discovery configs with Home Assistant's own code.

Runs in the venv that install.sh builds (Home Assistant 2026.2.3, the newest release whose
MQTT integration loads on Python 3.13.0; see README.md). Each retained config found under
<prefix>/ goes through what Home Assistant does with it when it starts:

1. The discovery message handler itself (homeassistant/components/mqtt/discovery.py,
   async_start -> async_discovery_message_received), registered by HA's own async_start on a
   minimal HomeAssistant object: topic patterns, JSON parsing, migrate_discovery requests,
   abbreviation expansion (_replace_all_abbreviations), DEVICE_DISCOVERY_SCHEMA and the origin
   schema, the split of a device config's `cmps` into components with the shared `dev`, `o`
   and availability/state/command options merged in (_merge_common_device_options), `~`.
2. The platform setup that discovery triggers: each platform's own async_setup_entry, so
   entity.py's async_setup_entity_entry_helper applies the platform's DISCOVERY_SCHEMA and
   constructs the entity (MqttEntity.__init__: templates, code_format, the entity_id from
   default_entity_id / object_id, the object_id deprecation warning). Only the last step,
   adding the entity to a running Home Assistant, is replaced by recording it.
3. What those let through silently: keys the schemas drop (platform schemas use
   extra=REMOVE_EXTRA), device-level options that no component inherits, a component-level
   device/origin that the device config overrides, the same discovery id from two topics,
   a unique_id used twice, via_device naming no collected device.

Everything Home Assistant logs at WARNING or above while it handles a message is reported
with Home Assistant's own text.

usage:
  validate.py --self-test
  validate.py [--host H] [--port P] [--prefix homeassistant] [--expect N] [--timeout S]
              [--quiet S] [--protocol 5|3.1.1] [--strict] [--json FILE] [--verbose]

Exit status: 0 all configs valid; 1 an error (an invalid payload, a dropped key, fewer than
--expect configs, or with --strict any warning); 2 the broker could not be used.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import importlib
import json
import logging
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from unittest import mock

try:
    import paho.mqtt as paho_mqtt
    import paho.mqtt.client as paho
    import voluptuous as vol

    from homeassistant.config_entries import ConfigEntries, ConfigEntry
    from homeassistant.const import CONF_DEVICE, CONF_PLATFORM, __version__ as HA_VERSION
    from homeassistant.core import HomeAssistant, callback
    from homeassistant.helpers import (
        device_registry as dr,
        entity_registry as er,
        issue_registry as ir,
    )
    from homeassistant.helpers.dispatcher import async_dispatcher_connect
    from homeassistant.components.mqtt import discovery, entity as mqtt_entity
    from homeassistant.components.mqtt.const import (
        ATTR_DISCOVERY_HASH,
        CONF_COMPONENTS,
        CONF_DEFAULT_ENTITY_ID,
        CONF_DEPRECATED_VIA_HUB,
        CONF_OBJECT_ID,
        CONF_ORIGIN,
        CONF_VIA_DEVICE,
        DOMAIN,
        ENTITY_PLATFORMS,
        SUPPORTED_COMPONENTS,
    )
    from homeassistant.components.mqtt.models import DATA_MQTT, MqttData, ReceiveMessage
    from homeassistant.components.mqtt.schemas import SHARED_OPTIONS
    import homeassistant.util.dt as dt_util
except ImportError as err:  # pragma: no cover - run outside the venv
    sys.exit(f"error: {err}; run this with the venv python that scripts/ha_schema/install.sh builds")

NON_ENTITY_COMPONENTS = ("device_automation", "tag")
ERROR, WARNING = "error", "warning"


# Results ---------------------------------------------------------------------------------------

@dataclass
class Finding:
    level: str
    text: str
    full: str = ""  # Home Assistant's whole message, where `text` shortened it


@dataclass
class Component:
    """One configuration HA hands to a platform: the whole per-entity config, or one `cmps` entry."""

    component: str
    discovery_id: str
    payload: dict[str, Any] | None = None  # what the discovery handler dispatched
    config: dict[str, Any] | None = None  # what the platform's DISCOVERY_SCHEMA returned
    entity_id: str | None = None
    own_keys: set[str] | None = None  # keys set in this config itself, not inherited
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Result:
    topic: str
    kind: str = "entity"  # entity | device | migration
    components: list[Component] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def all_findings(self) -> list[Finding]:
        return self.findings + [f for c in self.components for f in c.findings]

    def errors(self) -> list[str]:
        return [f.text for f in self.all_findings() if f.level == ERROR]

    def warnings(self) -> list[str]:
        return [f.text for f in self.all_findings() if f.level == WARNING]


class _Records(logging.Handler):
    """What Home Assistant logs (WARNING and up) while it handles one message."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class _ConnectedClient:
    """Stands for HA's MQTT client: util.mqtt_config_entry_enabled only asks `connected`."""

    connected = True


def _short(text: str, limit: int) -> str:
    return text if limit <= 0 or len(text) <= limit else text[: limit - 3] + "..."


# Home Assistant ------------------------------------------------------------------------------------

class HomeAssistantDiscovery:
    """A minimal HomeAssistant object with MQTT discovery started by HA's own async_start."""

    def __init__(self, prefix: str, verbose: bool) -> None:
        self.prefix = prefix
        self.limit = 0 if verbose else 400
        self.subscriptions: list[tuple[str, Any]] = []
        self.dispatched: list[tuple[str, dict[str, Any]]] = []
        self.entities: list[Any] = []
        self.non_entity_configs: list[tuple[str, dict[str, Any]]] = []
        self.records = _Records()

    async def __aenter__(self) -> HomeAssistantDiscovery:
        self._dir = tempfile.TemporaryDirectory(prefix="ha-schema-")
        hass = self.hass = HomeAssistant(self._dir.name)
        hass.config_entries = ConfigEntries(hass, {})
        self.entry = ConfigEntry(
            data={"broker": "127.0.0.1", "discovery_prefix": self.prefix},
            discovery_keys=MappingProxyType({}),
            domain=DOMAIN,
            minor_version=2,
            options={},
            source="user",
            subentries_data=None,
            title="ha_schema validate.py",
            unique_id=None,
            version=1,
        )
        # What tests/common.py MockConfigEntry.add_to_hass does: the device registry refuses
        # devices of an entry it does not know (device_registry.py:865-867).
        hass.config_entries._entries[self.entry.entry_id] = self.entry
        await dr.async_load(hass)
        await er.async_load(hass)
        await ir.async_load(hass)
        hass.data[DATA_MQTT] = MqttData(client=_ConnectedClient(), config=[])  # type: ignore[arg-type]

        log = logging.getLogger("homeassistant")
        log.setLevel(logging.WARNING)
        log.propagate = False
        log.addHandler(self.records)

        def subscribe(_hass, topic, handler, qos=0, encoding="utf-8", job_type=None):  # client.py: a callback
            self.subscriptions.append((topic, handler))
            return lambda: None

        async def no_integrations(_hass):  # loader.async_get_mqtt: integrations discovered by MQTT
            return {}

        self._patches = [
            mock.patch.object(discovery, "async_subscribe_internal", subscribe),
            mock.patch.object(discovery, "async_get_mqtt", no_integrations),
            mock.patch.object(discovery, "async_forward_entry_setup_and_setup_discovery", self._setup_platforms),
        ]
        for p in self._patches:
            p.start()
        await discovery.async_start(hass, self.prefix, self.entry)
        for component in SUPPORTED_COMPONENTS:
            @callback
            def dispatched(payload, component=component):
                self.dispatched.append((component, payload))
            async_dispatcher_connect(hass, discovery.MQTT_DISCOVERY_NEW.format(component, "mqtt"), dispatched)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for p in self._patches:
            p.stop()
        logging.getLogger("homeassistant").removeHandler(self.records)
        await self.hass.async_stop(force=True)
        self._dir.cleanup()

    async def _setup_platforms(self, hass, config_entry, platforms, late=False) -> None:
        """Mirrors util.py:153-193 async_forward_entry_setup_and_setup_discovery (2026.2.3).

        HA forwards entity platforms through config_entries.async_forward_entry_setups, which
        ends in the platform module's async_setup_entry; that is called here directly, with an
        async_add_entities that records the entities. device_automation and tag go through
        entity.async_setup_non_entity_entry_helper with their DISCOVERY_SCHEMA, as their
        async_setup_mqtt_*_entry do, recording the validated config instead of setting up a
        trigger or tag scanner.
        """
        mqtt_data = hass.data[DATA_MQTT]
        for platform in sorted(set(platforms) - mqtt_data.platforms_loaded):
            module = importlib.import_module(f"homeassistant.components.mqtt.{platform}")
            if platform in NON_ENTITY_COMPONENTS:
                async def record(config, discovery_data, platform=platform):
                    self.non_entity_configs.append((platform, config))
                mqtt_entity.async_setup_non_entity_entry_helper(hass, platform, record, module.DISCOVERY_SCHEMA)
            else:
                def add_entities(new_entities, update_before_add=False, *, config_subentry_id=None):
                    self.entities.extend(new_entities)
                await module.async_setup_entry(hass, config_entry, add_entities)
            mqtt_data.platforms_loaded.add(platform)

    def handler_for(self, topic: str):
        for subscribed, handler in self.subscriptions:
            if paho.topic_matches_sub(subscribed, topic):
                return subscribed, handler
        return None, None

    async def check(self, topic: str, raw: bytes) -> Result:
        result = Result(topic)
        subscribed, handler = self.handler_for(topic)
        if handler is None:
            result.findings.append(Finding(ERROR, (
                f"Home Assistant does not subscribe to this topic (discovery.py:573-597 subscribes "
                f"{self.prefix}/<component>/[<node_id>/]<object_id>/config for the supported components "
                f"and {self.prefix}/device/[<node_id>/]<object_id>/config), so it never sees this config")))
            return result
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            result.findings.append(Finding(ERROR, f"payload is not UTF-8 ({err}); HA's client drops it"))
            return result
        parsed = _json_object(text)
        expanded = _expanded(parsed)
        component_kind = topic[len(self.prefix) + 1:].split("/", 1)[0]
        if component_kind == CONF_DEVICE:
            result.kind = "device"
        if isinstance(parsed, dict) and _is_migration_request(parsed):
            result.kind = "migration"

        self.dispatched.clear()
        self.entities.clear()
        self.non_entity_configs.clear()
        self.records.records.clear()
        handler(ReceiveMessage(topic=topic, payload=text, qos=0, retain=True, subscribed_topic=subscribed,
                               timestamp=dt_util.utcnow()))
        await self.hass.async_block_till_done()

        # Each retained config is a first discovery, as when Home Assistant starts: forget it
        # again so that the next one is not taken as an update of it.
        data = self.hass.data[DATA_MQTT]
        for pending in data.discovery_pending_discovered.values():
            pending["unsub"]()
        data.discovery_pending_discovered.clear()
        data.discovery_already_discovered.clear()

        entities = {e._discovery_data[ATTR_DISCOVERY_HASH]: e for e in self.entities if e._discovery_data}
        non_entity = list(self.non_entity_configs)
        for component, payload in self.dispatched:
            discovery_hash = payload.discovery_data[ATTR_DISCOVERY_HASH]
            comp = Component(component, discovery_hash[1], payload=payload)
            if ent := entities.get(discovery_hash):
                comp.config = ent._config
                comp.entity_id = ent.entity_id
            elif component in NON_ENTITY_COMPONENTS:
                for i, (c, config) in enumerate(non_entity):
                    if c == component:
                        comp.config = config
                        del non_entity[i]
                        break
            result.components.append(comp)

        self._sort_records(result)
        if result.kind == "migration":
            result.findings.append(Finding(WARNING, (
                "a migrate_discovery request, not a config: HA empties it (discovery.py:99-113) and "
                "hands the entities of this discovery id over to the config that is published next "
                "on the new topic; a retained request should be cleared once the migration is done")))
            return result
        removal_only = result.kind == "device" and isinstance(expanded, dict) and isinstance(
            expanded.get(CONF_COMPONENTS), dict) and all(
            isinstance(c, dict) and set(c) == {CONF_PLATFORM} for c in expanded[CONF_COMPONENTS].values())
        if not result.components and not result.errors() and not removal_only:
            result.findings.append(Finding(ERROR, "Home Assistant handed nothing on to a platform and logged nothing"))
        if result.kind == "device" and isinstance(expanded, dict):
            self._device_level_checks(result, expanded)
        for comp in result.components:
            self._component_checks(result, comp, expanded)
        return result

    def _sort_records(self, result: Result) -> None:
        """HA's log records, attached to the component they are about where that is known.

        `text` is HA's message with long values (payload echoes, lists of allowed values) cut;
        `full` keeps HA's whole message (printed with --verbose, written with --json).
        """
        by_discovery_id = {c.discovery_id: c for c in result.components}
        for record in self.records.records:
            full = record.getMessage()
            args = record.args if isinstance(record.args, tuple) else ()
            target: Result | Component = result
            level = ERROR if record.levelno >= logging.ERROR else WARNING
            where = f"HA {record.levelname.lower()} [{record.name.removeprefix('homeassistant.components.')}]"
            if record.name.endswith("mqtt.entity") and record.levelno >= logging.ERROR and len(args) == 3 \
                    and isinstance(args[0], vol.Invalid):
                # async_handle_schema_error (entity.py:154-164): the platform's DISCOVERY_SCHEMA refused it.
                err, _topic, payload = args
                hashed = getattr(payload, "discovery_data", {}).get(ATTR_DISCOVERY_HASH)
                target = by_discovery_id.get(hashed[1], result) if hashed else result
                text = f"{hashed[0] if hashed else ''} DISCOVERY_SCHEMA refused it: {_invalid(err)}".strip()
            elif "deprecated" in full:
                text = f"deprecated: {_short(full, 600)}"
                level = WARNING
                for comp in result.components:
                    if comp.entity_id and comp.entity_id in full:
                        target = comp
            elif record.name.endswith("mqtt.discovery"):
                # discovery.py logs a warning where it drops a message (topic, JSON, device schema,
                # origin) and where it ignores an invalid migrate_discovery request and goes on.
                level = ERROR if not result.components else WARNING
                invalid = next((a for a in args if isinstance(a, vol.Invalid)), None)
                if isinstance(record.msg, vol.Invalid):
                    # _async_process_discovery_migration (discovery.py:104-109) logs the bare error
                    # and handles the payload as a config, which is checked on its own below.
                    level = WARNING
                    text = ("migrate_discovery with other keys is no migration request, HA handles the "
                            f"payload as a config: {_invalid(record.msg)}")
                elif invalid is not None and full.startswith("Invalid MQTT device discovery payload"):
                    text = f"Invalid MQTT device discovery payload for {args[0]}, {_invalid(invalid)}"
                elif invalid is not None and full.startswith("Unable to parse origin"):
                    text = f"Unable to parse origin information from discovery message: {_invalid(invalid)}"
                elif invalid is not None and len(args) == 0:
                    text = f"invalid migrate_discovery request, handled as a config: {_invalid(invalid)}"
                else:
                    text = _short(full, 300)
                if level == ERROR:
                    text = f"discovery ignored it: {text}"
            else:
                text = _short(full, 300)
            if record.exc_info and record.exc_info[1] is not None:
                text += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
            target.findings.append(Finding(level, f"{where}: {text}", f"{where}: {full}"))

    def _device_level_checks(self, result: Result, expanded: dict[str, Any]) -> None:
        handed_on = {CONF_DEVICE, CONF_ORIGIN, CONF_COMPONENTS, *SHARED_OPTIONS}
        ignored = sorted(k for k in expanded if k not in handed_on)
        if ignored and not any("device discovery payload" in f.text for f in result.findings):
            result.findings.append(Finding(ERROR, (
                f"device-level option(s) {', '.join(ignored)} pass DEVICE_DISCOVERY_SCHEMA but no component "
                f"inherits them: HA {HA_VERSION} merges only {', '.join(SHARED_OPTIONS)} "
                f"(schemas.py:65-74 SHARED_OPTIONS, discovery.py:329-349); set them in each component")))
        components = expanded.get(CONF_COMPONENTS)
        if isinstance(components, dict):
            for cid, conf in components.items():
                if isinstance(conf, dict) and set(conf) == {CONF_PLATFORM}:
                    result.findings.append(Finding(WARNING, (
                        f"cmps.{cid} has only a platform: HA takes it as the removal of a component "
                        f"discovered before (discovery.py:436-439), it creates nothing")))
                for key in (CONF_DEVICE, CONF_ORIGIN):
                    if isinstance(conf, dict) and key in conf:
                        result.findings.append(Finding(ERROR, (
                            f"cmps.{cid}.{key} is silently replaced by the device config's {key} "
                            f"(discovery.py:440-441)")))

    def _deprecations(self, comp: Component, config: dict[str, Any]) -> None:
        """object_id and default_entity_id, as HA 2026.2.3 uses them (entity.py:1411-1466)."""
        if CONF_OBJECT_ID in config:
            if CONF_DEFAULT_ENTITY_ID in config:
                comp.findings.append(Finding(WARNING, (
                    "deprecated: object_id is ignored because default_entity_id is set (entity.py:1422-1425); "
                    "HA 2025.10 deprecated it and 2026.4 removed it from the schema, remove it")))
            elif not any("object_id" in f.text for f in comp.findings):
                comp.findings.append(Finding(WARNING, (
                    "deprecated: object_id sets the default entity id; use default_entity_id "
                    "(removed in HA 2026.4)")))
        if (default := config.get(CONF_DEFAULT_ENTITY_ID)) is not None:
            domain, dot, object_id = default.partition(".")
            if not dot or not object_id:
                comp.findings.append(Finding(WARNING, (
                    f"default_entity_id {default!r} is not <domain>.<object_id>: HA {HA_VERSION} uses the text "
                    f"after the first dot as object id (entity.py:1425)"
                    + (f", so it gets {comp.entity_id}" if comp.entity_id else ""))))
            elif domain != comp.component:
                comp.findings.append(Finding(WARNING, (
                    f"default_entity_id {default!r} names domain {domain!r} for a {comp.component}: HA {HA_VERSION} "
                    f"ignores the domain (entity.py:1425)" + (f", so {comp.entity_id}" if comp.entity_id else "")
                    + "; newer HA logs a warning")))

    def _component_checks(self, result: Result, comp: Component, expanded: Any) -> None:
        payload = comp.payload or {}
        if result.kind == "device" and isinstance(expanded, dict):
            # discovery.py:424-434: a cmps entry's discovery id is "<object_id> [<node_id> ]<component id>".
            parts = result.topic[len(self.prefix) + 1:].split("/")[1:-1]  # [node_id,] object_id
            component_id = comp.discovery_id.removeprefix(" ".join(reversed(parts)) + " ")
            own = (expanded.get(CONF_COMPONENTS) or {}).get(component_id, {})
            comp.own_keys = set(own) - {CONF_PLATFORM, discovery.TOPIC_BASE}
        else:
            comp.own_keys = set(payload)
        self._deprecations(comp, comp.config if comp.config is not None else payload)
        if comp.config is None:
            if not any(f.level == ERROR for f in comp.findings) and not result.errors():
                comp.findings.append(Finding(ERROR, "the platform created no entity and logged nothing"))
            # What HA would drop as well, once the errors above are fixed: keys its schema does not know.
            known = _known_keys(_discovery_schema(comp.component))
            if known is not None and (unknown := sorted(comp.own_keys - known)):
                comp.findings.append(Finding(ERROR, (
                    f"not {comp.component} options either, HA would drop them without a word "
                    f"(DISCOVERY_SCHEMA extra=REMOVE_EXTRA): {', '.join(unknown)}")))
            return
        config = comp.config
        dropped = []
        for key in sorted(comp.own_keys):
            if key not in config:
                dropped.append(key)
            else:
                dropped += _dropped(payload.get(key), config[key], key)
        inherited_dev = CONF_DEVICE in payload and (result.kind == "device")
        for key in (CONF_DEVICE, CONF_ORIGIN):
            if key in payload and key in config and (key not in comp.own_keys or inherited_dev):
                dropped += _dropped(payload[key], config[key], key)
        dropped = [d for d in dict.fromkeys(dropped) if d != f"{CONF_DEVICE}.{CONF_DEPRECATED_VIA_HUB}"]
        if dropped:
            comp.findings.append(Finding(ERROR, (
                f"not {comp.component} options, Home Assistant drops them without a word "
                f"(DISCOVERY_SCHEMA extra=REMOVE_EXTRA): {', '.join(dropped)}")))


def _invalid(err: vol.Invalid) -> str:
    """A voluptuous error as HA words it, each message cut to 120 characters, the path kept."""
    errors = err.errors if isinstance(err, vol.MultipleInvalid) else [err]
    parts = []
    for e in errors:
        path = "".join(f"[{p!r}]" for p in e.path)
        parts.append(f"{_short(e.msg, 120)}" + (f" @ data{path}" if path else ""))
    return "; ".join(parts)


def _discovery_schema(component: str) -> Any:
    try:
        return importlib.import_module(f"homeassistant.components.mqtt.{component}").DISCOVERY_SCHEMA
    except (ImportError, AttributeError):
        return None


def _known_keys(schema: Any) -> set[str] | None:
    """The option names a voluptuous schema (or vol.All of schemas) knows; None where it cannot tell."""
    if isinstance(schema, vol.Schema) and isinstance(schema.schema, dict):
        return {str(k) for k in schema.schema}
    if isinstance(schema, vol.All):
        found = [k for k in (_known_keys(v) for v in schema.validators) if k is not None]
        return set().union(*found) if found else None
    return None


def _json_object(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _is_migration_request(payload: dict[str, Any]) -> bool:
    probe = discovery.MQTTDiscoveryPayload(copy.deepcopy(payload))
    return discovery._async_process_discovery_migration(probe)


def _expanded(parsed: Any) -> Any:
    """The payload with abbreviations expanded by HA's own _replace_all_abbreviations."""
    if not isinstance(parsed, dict):
        return parsed
    payload = copy.deepcopy(parsed)
    discovery._replace_all_abbreviations(payload)
    return payload


def _dropped(given: Any, validated: Any, path: str) -> list[str]:
    """Keys of `given` (recursively) that the schema did not keep in `validated`."""
    if isinstance(given, dict) and isinstance(validated, list) and len(validated) == 1:
        validated = validated[0]  # cv.ensure_list made a list of a single mapping
    if isinstance(given, dict) and isinstance(validated, dict):
        out = []
        for key, value in given.items():
            if key not in validated:
                out.append(f"{path}.{key}")
            else:
                out += _dropped(value, validated[key], f"{path}.{key}")
        return out
    if isinstance(given, list) and isinstance(validated, list) and len(given) == len(validated):
        return [d for i, (a, b) in enumerate(zip(given, validated)) for d in _dropped(a, b, f"{path}[{i}]")]
    return []


def _check_across(results: list[Result]) -> None:
    """What only the set of configs shows: one discovery id twice, one unique_id twice, via_device."""
    ids: dict[tuple[str, str], str] = {}
    uids: dict[tuple[str, str], str] = {}
    entity_ids: dict[str, str] = {}
    devices = set()
    for r in results:
        for c in r.components:
            if c.config and isinstance(c.config.get(CONF_DEVICE), dict):
                devices.update(c.config[CONF_DEVICE].get("identifiers") or [])
    for r in results:
        for c in r.components:
            key = (c.component, c.discovery_id)
            if key in ids and ids[key] != r.topic:
                c.findings.append(Finding(ERROR, (
                    f"discovery id {c.component} '{c.discovery_id}' also comes from {ids[key]}: HA sends the later "
                    f"one to the entity of the earlier as an update (discovery.py:496-516), which refuses it "
                    f"with 'Received a conflicting MQTT discovery message' (entity.py:1148-1181); only one "
                    f"entity exists, and which depends on the order HA receives them")))
            ids.setdefault(key, r.topic)
            if not c.config:
                continue
            uid = c.config.get("unique_id")
            if uid is not None and c.component not in NON_ENTITY_COMPONENTS:
                if (c.component, uid) in uids:
                    c.findings.append(Finding(ERROR, (
                        f"unique_id {uid!r} is also used by a {c.component} in {uids[(c.component, uid)]}: HA's entity "
                        f"platform ignores the second (helpers/entity_platform.py:849-875)")))
                uids.setdefault((c.component, uid), r.topic)
            elif uid is None and c.component not in NON_ENTITY_COMPONENTS:
                c.findings.append(Finding(WARNING, (
                    "no unique_id: HA cannot register the entity (no device, no renaming in the UI)")))
            if c.entity_id:
                if c.entity_id in entity_ids:
                    c.findings.append(Finding(WARNING, (
                        f"default entity id {c.entity_id} is also wanted by {entity_ids[c.entity_id]}: "
                        f"HA gives the second a _2 suffix")))
                entity_ids.setdefault(c.entity_id, r.topic)
        vias = {(c.config.get(CONF_DEVICE) or {}).get(CONF_VIA_DEVICE) for c in r.components if c.config}
        for via in sorted(v for v in vias if v is not None and v not in devices):
            r.findings.append(Finding(WARNING, (
                f"via_device {via!r} names no device in the collected configs: HA creates an empty "
                f"placeholder device for it (entity.py:1310-1333)")))


async def _validate(messages: list[tuple[str, bytes]], prefix: str, verbose: bool) -> list[Result]:
    async with HomeAssistantDiscovery(prefix, verbose) as ha:
        results = [await ha.check(topic, payload) for topic, payload in messages]
    _check_across(results)
    return results


def validate(messages: list[tuple[str, bytes]], prefix: str, verbose: bool = False) -> list[Result]:
    return asyncio.run(_validate(messages, prefix, verbose))


# Collecting --------------------------------------------------------------------------------------

class BrokerError(Exception):
    """The broker could not be reached or refused the connection or subscription."""


def collect(args: argparse.Namespace) -> tuple[dict[str, bytes], list[str]]:
    """Retained configs under <prefix>/#: until --expect N are there, or --quiet s pass without one."""
    found: dict[str, bytes] = {}
    problems: list[str] = []
    lock = threading.Condition()
    state = {"subscribed": False, "last": time.monotonic(), "error": None}
    v5 = args.protocol == "5"
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"ha-schema-validate-{os.getpid()}",
                         protocol=paho.MQTTv5 if v5 else paho.MQTTv311)

    def subscribe(c):
        if v5:  # keep the retain flag of configs published while subscribed
            from paho.mqtt.subscribeoptions import SubscribeOptions
            c.subscribe(f"{args.prefix}/#", options=SubscribeOptions(qos=1, retainAsPublished=True))
        else:
            c.subscribe(f"{args.prefix}/#", qos=1)

    def on_connect(c, _userdata, _flags, reason_code, _properties):
        if reason_code.is_failure:
            with lock:
                state["error"] = f"the broker refused the connection: {reason_code}"
                lock.notify_all()
            return
        subscribe(c)

    def on_subscribe(_c, _userdata, _mid, reason_codes, _properties):
        with lock:
            bad = [rc for rc in reason_codes if rc.is_failure]
            if bad:
                state["error"] = f"the broker refused the subscription to {args.prefix}/#: {bad[0]}"
            state["subscribed"] = True
            state["last"] = time.monotonic()
            lock.notify_all()

    def on_message(_c, _userdata, msg):
        if not msg.retain or not msg.topic.endswith("/config"):
            return
        with lock:
            found[msg.topic] = msg.payload
            state["last"] = time.monotonic()
            lock.notify_all()

    client.on_connect, client.on_subscribe, client.on_message = on_connect, on_subscribe, on_message
    try:
        client.connect(args.host, args.port, keepalive=30)
    except OSError as err:
        raise BrokerError(f"cannot connect to the MQTT broker at {args.host}:{args.port}: {err}") from None
    client.loop_start()
    deadline = time.monotonic() + args.timeout
    resubscribed = time.monotonic()
    try:
        with lock:
            while True:
                now = time.monotonic()
                if state["error"]:
                    raise BrokerError(state["error"])
                if state["subscribed"]:
                    if args.expect is not None and len(found) >= args.expect:
                        break
                    if args.expect is None and now - state["last"] >= args.quiet:
                        break
                    if not v5 and args.expect is not None and now - resubscribed >= max(args.quiet, 1.0):
                        # MQTT 3.1.1 clears the retain flag of live messages: ask for the retained ones again.
                        resubscribed = now
                        client.unsubscribe(f"{args.prefix}/#")
                        subscribe(client)
                if now >= deadline:
                    if not state["subscribed"]:
                        raise BrokerError(f"no subscription to {args.host}:{args.port} within {args.timeout:g} s")
                    if args.expect is not None:
                        problems.append(f"{len(found)} of {args.expect} expected configs after {args.timeout:g} s")
                    else:
                        problems.append(f"configs kept arriving for {args.timeout:g} s; checked what was there")
                    break
                lock.wait(0.05)
        if args.expect is not None and len(found) >= args.expect:
            time.sleep(min(0.3, args.quiet))  # anything beyond the expected count is reported too
    finally:
        client.loop_stop()
        client.disconnect()
    return dict(found), problems


# Self-test -----------------------------------------------------------------------------------------

GOOD_DEVICE = {
    "dev": {"ids": ["demo_node"], "name": "Front door", "mf": "LockBridge", "mdl": "Smart lock", "sw": "1.0",
            "via_device": "demo_bridge"},
    "o": {"name": "LockBridge", "sw": "0.1", "url": "https://example.invalid/docs"},
    "cmps": {
        "lock": {"p": "lock", "unique_id": "demo_node_lock", "name": None, "default_entity_id": "lock.front_door",
                 "command_topic": "demo/front/set", "state_topic": "demo/front/state",
                 "value_template": "{{ value_json.lock }}", "state_open": "OPEN", "state_opening": "OPENING",
                 "payload_open": "OPEN", "code_format": "^(\\d{4,12})?$", "json_attributes_topic": "demo/front/state"},
        "battery": {"p": "sensor", "unique_id": "demo_node_battery", "name": "Battery",
                    "default_entity_id": "sensor.front_door_battery", "state_topic": "demo/front/state",
                    "value_template": "{{ value_json.battery }}", "device_class": "battery",
                    "unit_of_measurement": "%"},
        "access": {"p": "event", "unique_id": "demo_node_access", "name": "Access",
                   "state_topic": "demo/front/event/access", "event_types": ["unlocked", "locked"]},
    },
}
GOOD_LOCK = {  # a per-entity config, written the short way
    "~": "demo/back", "uniq_id": "demo_back_lock", "name": None, "def_ent_id": "lock.back_door",
    "cmd_t": "~/set", "stat_t": "~/state", "qos": 1, "cod_form": "^\\d{4}$",
    "avty": [{"t": "demo/bridge/state"}, {"t": "~/availability"}], "avty_mode": "all",
    "dev": {"ids": ["demo_back"], "name": "Back door"}, "o": {"name": "LockBridge", "sw": "0.1"},
}
GOOD_OTHERS = {  # the other platforms a bridge publishes, under a node id, with shared options
    "dev": {"ids": ["demo_hub"], "name": "Bridge", "cu": "https://example.invalid/bridge"},
    "o": {"name": "LockBridge", "sw": "0.1", "url": "https://example.invalid/docs"},
    "avty_t": "demo/bridge/state", "stat_t": "demo/bridge/state",
    "cmps": {
        "online": {"p": "binary_sensor", "uniq_id": "demo_hub_online", "name": "Online", "dev_cla": "connectivity",
                   "val_tpl": "{{ value_json.online }}", "pl_on": "true", "pl_off": "false", "ent_cat": "diagnostic"},
        "mode": {"p": "select", "uniq_id": "demo_hub_mode", "name": "Mode", "cmd_t": "demo/bridge/mode/set",
                 "ops": ["normal", "pairing"], "val_tpl": "{{ value_json.mode }}"},
        "restart": {"p": "button", "uniq_id": "demo_hub_restart", "name": "Restart", "cmd_t": "demo/bridge/restart",
                    "dev_cla": "restart", "ent_cat": "config"},
        "pressed": {"p": "device_automation", "atype": "trigger", "t": "demo/bridge/button", "type": "button_short_press",
                    "stype": "button_1"},
    },
}
D, L = "homeassistant/device/demo_node/config", "homeassistant/lock/demo_back/lock/config"


def _with(base: dict, path: str, value: Any = None, delete: bool = False) -> dict:
    """A deep copy of base with the dotted path set (or deleted)."""
    out = copy.deepcopy(base)
    *parents, last = path.split(".")
    node = out
    for p in parents:
        node = node[p]
    if delete:
        del node[last]
    else:
        node[last] = value
    return out


# (why, topic, payload, what must be reported: "error" / "warning" plus a text the finding contains)
BAD_CASES = [
    ("lock without command_topic", L, _with(GOOD_LOCK, "cmd_t", delete=True), ERROR, "command_topic"),
    ("sensor with a bad device_class", "homeassistant/sensor/demo_back/battery/config",
     {"stat_t": "demo/back/state", "uniq_id": "demo_back_battery", "dev_cla": "batery"}, ERROR, "device_class"),
    ("device cmps entry without p", D, _with(GOOD_DEVICE, "cmps.battery.p", delete=True), ERROR, "platform"),
    ("device cmps entry with an unknown platform", D, _with(GOOD_DEVICE, "cmps.battery.p", "sensr"), ERROR, "platform"),
    ("bad code_format regex", L, _with(GOOD_LOCK, "cod_form", "^(\\d{4,12}$"), ERROR, "code_format"),
    ("bad code_format regex in a device config", D, _with(GOOD_DEVICE, "cmps.lock.code_format", "[0-9"), ERROR,
     "code_format"),
    ("device config without o", D, _with(GOOD_DEVICE, "o", delete=True), ERROR, "origin"),
    ("origin url that is no URL", D, _with(GOOD_DEVICE, "o.url", "docs at example"), ERROR, "support_url"),
    ("device without identifiers", D, _with(GOOD_DEVICE, "dev.ids", delete=True), ERROR, "identif"),
    ("device cmps entry without unique_id", D, _with(GOOD_DEVICE, "cmps.battery.unique_id", delete=True), ERROR,
     "unique_id"),
    ("misspelt option (dropped)", L, _with(GOOD_LOCK, "comand_topic", "x/set"), ERROR, "comand_topic"),
    ("misspelt option in cmps (dropped)", D, _with(GOOD_DEVICE, "cmps.lock.state_opn", "OPEN"), ERROR, "state_opn"),
    ("component-level dev in cmps (overridden)", D, _with(GOOD_DEVICE, "cmps.lock.dev", {"ids": ["x"]}), ERROR,
     "silently replaced"),
    ("unknown key in an availability entry (dropped)", L, _with(GOOD_LOCK, "avty", [{"t": "a/b", "pl_on": "1"}]), ERROR,
     "availability[0].payload_on"),
    ("device-level qos no component inherits", D, _with(GOOD_DEVICE, "qos", 1), ERROR, "qos"),
    ("event without event_types", D, _with(GOOD_DEVICE, "cmps.access.event_types", delete=True), ERROR, "event_types"),
    ("broken template", L, _with(GOOD_LOCK, "val_tpl", "{{ value_json.lock "), ERROR, "value_template"),
    ("wildcard in command_topic", L, _with(GOOD_LOCK, "cmd_t", "demo/+/set"), ERROR, "command_topic"),
    ("node id with a dot", "homeassistant/lock/demo.back/lock/config", GOOD_LOCK, ERROR, "illegal discovery topic"),
    ("unsupported component", "homeassistant/doorlock/demo_back/lock/config", GOOD_LOCK, ERROR, "does not subscribe"),
    ("not JSON", L, None, ERROR, "Unable to parse JSON"),
    ("object_id (deprecated)", L, _with(GOOD_LOCK, "def_ent_id", delete=True) | {"obj_id": "back_door"}, WARNING,
     "object_id"),
]


def self_test(verbose: bool) -> int:
    failures: list[str] = []
    passed = 0

    def show(label: str, r: Result) -> None:
        for f in r.all_findings():
            print(f"           {f.level}: {f.full if verbose and f.full else _short(f.text, 400)}")

    good = validate([(D, json.dumps(GOOD_DEVICE).encode()), (L, json.dumps(GOOD_LOCK).encode()),
                     ("homeassistant/device/demo/hub/config", json.dumps(GOOD_OTHERS).encode())], "homeassistant", verbose)
    for r in good:
        ok = not r.errors() and r.components and all(c.config for c in r.components)
        print(f"self-test: {'ok  ' if ok else 'FAIL'} accepted: valid {r.kind} config {r.topic} "
              f"({', '.join(f'{c.component}->{c.entity_id}' for c in r.components)})")
        show("", r)
        if ok:
            passed += 1
        else:
            failures.append(f"a valid config was refused: {r.topic}: {r.errors()}")
    lock = next((c.config for c in good[1].components if c.component == "lock"), None) or {}
    if lock.get("command_topic") != "demo/back/set" or lock.get("availability", [{}])[-1].get("topic") != "demo/back/availability":
        failures.append(f"~ and abbreviations were not expanded: {lock.get('command_topic')}")
    device_lock = next((c for c in good[0].components if c.component == "lock"), None)
    if not device_lock or device_lock.entity_id != "lock.front_door" \
            or (device_lock.config or {}).get("origin", {}).get("support_url") != "https://example.invalid/docs":
        failures.append("the device config's lock did not get its entity_id and origin from dev/o")

    for why, topic, payload, level, needle in BAD_CASES:
        body = b"{not json" if payload is None else json.dumps(payload).encode()
        r = validate([(topic, body)], "homeassistant", verbose)[0]
        hits = [f for f in r.all_findings() if f.level == level and needle.lower() in (f.text + f.full).lower()]
        ok = bool(hits) and (level == ERROR or not r.errors())
        verb = "refused" if level == ERROR else "warned"
        print(f"self-test: {'ok  ' if ok else 'FAIL'} {verb}: {why}")
        show("", r)
        if ok:
            passed += 1
        else:
            failures.append(f"{why}: no {level} about {needle!r} (got {[f.text for f in r.all_findings()]})")

    twice = validate([(L, json.dumps(GOOD_LOCK).encode()),
                      (L.replace("/lock/config", "/lock2/config"), json.dumps(GOOD_LOCK).encode())], "homeassistant", verbose)
    ok = any("unique_id" in e for e in twice[1].errors())
    print(f"self-test: {'ok  ' if ok else 'FAIL'} refused: unique_id used twice")
    passed += ok
    if not ok:
        failures.append("a unique_id used twice was not reported")
    clash = validate([(D, json.dumps(GOOD_DEVICE).encode()),
                      ("homeassistant/lock/demo_node/lock/config", json.dumps(GOOD_LOCK).encode())], "homeassistant", verbose)
    ok = any("discovery id" in e for e in clash[1].errors())
    print(f"self-test: {'ok  ' if ok else 'FAIL'} refused: per-entity topic with the discovery id of a cmps entry")
    passed += ok
    if not ok:
        failures.append("a discovery id from two topics was not reported")

    for f in failures:
        print(f"self-test FAILED: {f}")
    print(f"self-test with Home Assistant {HA_VERSION} on Python {sys.version.split()[0]}: "
          f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


# Main ---------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--self-test", action="store_true", help="refuse known-bad payloads, accept known-good ones")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1883)
    parser.add_argument("--prefix", default="homeassistant", help="discovery prefix (default homeassistant)")
    parser.add_argument("--expect", type=int, help="wait for this many retained configs (fewer is an error)")
    parser.add_argument("--timeout", type=float, default=30, help="deadline for collecting, s (default 30)")
    parser.add_argument("--quiet", type=float, default=1.5,
                        help="without --expect: stop after this long without a new config, s (default 1.5)")
    parser.add_argument("--protocol", choices=["5", "3.1.1"], default="5", help="MQTT version (default 5)")
    parser.add_argument("--strict", action="store_true", help="warnings (deprecated keys, ...) fail too")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--verbose", action="store_true", help="do not shorten Home Assistant's messages")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    print(f"Home Assistant {HA_VERSION} (paho-mqtt {paho_mqtt.__version__}, Python {sys.version.split()[0]})")
    if args.self_test:
        return self_test(args.verbose)

    try:
        found, problems = collect(args)
    except BrokerError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    results = validate(sorted(found.items()), args.prefix, args.verbose)
    errors = warnings = 0
    for r in results:
        e, w = r.errors(), r.warnings()
        errors += bool(e)
        warnings += len(w)
        status = "FAIL" if e else ("warn" if w else "ok  ")
        print(f"{status} {r.kind:<9} {r.topic}")
        for f in r.findings:
            print(f"       {f.level}: {f.full if args.verbose and f.full else f.text}")
        for c in r.components:
            print(f"       {c.component} '{c.discovery_id}'" + (f" -> {c.entity_id}" if c.entity_id else ""))
            for f in c.findings:
                print(f"         {f.level}: {f.full if args.verbose and f.full else f.text}")
    if args.expect is not None and len(found) > args.expect:
        print(f"warning: {len(found)} configs, more than the {args.expect} expected")
        warnings += 1
    for p in problems:
        print(f"FAIL collecting: {p}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"home_assistant": HA_VERSION, "problems": problems, "results": [
                {"topic": r.topic, "kind": r.kind, "errors": r.errors(), "warnings": r.warnings(),
                 "findings": [f.__dict__ for f in r.findings],
                 "components": [{"component": c.component, "discovery_id": c.discovery_id, "entity_id": c.entity_id,
                                 "findings": [f.__dict__ for f in c.findings]} for c in r.components]}
                for r in results]}, out, indent=2)
    failed = errors + len(problems) + (warnings if args.strict else 0)
    print(f"checked {len(results)} discovery configs ({sum(len(r.components) for r in results)} components) "
          f"with Home Assistant {HA_VERSION}: {errors} invalid, {warnings} warnings")
    print(f"ha-discovery: {len(results) - errors} passed, {errors + len(problems)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
