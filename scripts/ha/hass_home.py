#!/usr/bin/env python3
"""A headless, live Home Assistant for integration tests: its config dir, its process, its APIs.

Written for Home Assistant 2025.4.4 (installed by install.sh beside this file). Three parts:

* `write_home()` writes a fresh config dir that needs no onboarding and no UI: configuration.yaml
  (http on 127.0.0.1, the frontend, MQTT warnings in the log, the trusted_networks bypass for
  127.0.0.1 so headless Chromium gets in without a login form) and the `.storage` files
  (onboarding done, an owner user with a long-lived access token, the MQTT config entry with
  discovery on, core.config). It returns a `Home` with the token; `home.json` in the dir keeps it.
* `Broker`: a private mosquitto on a free 127.0.0.1 port, stopped by its own PID only.
* `Hass`: `hass -c DIR --skip-pip` as a child process (own PID, own session, logs in DIR) with
  an async REST + websocket client: states, services, registries, waits with deadlines, the
  log's MQTT/discovery warnings, and a clean stop (SIGTERM, then SIGKILL after a deadline).

The writer part uses only the standard library (the JWT is made with hmac); `Hass` needs aiohttp,
which the HA venv has, so run this with that venv's python.

CLI (each prints JSON or plain text; DIR is a dir written by `write`):
  hass_home.py write DIR --broker-port P [--broker-host 127.0.0.1] --http-port H
                         [--prefix homeassistant] [--time-zone UTC] [--password PW]
                         [--mqtt-log-level info]                      -> prints the token
  hass_home.py token DIR                                               -> prints the token
  hass_home.py free-port                                               -> prints a free TCP port
  hass_home.py wait-ready DIR [--timeout 120]          (HA started elsewhere, e.g. by bash)
  hass_home.py get DIR /api/states/lock.front_door
  hass_home.py call DIR lock open '{"entity_id": "lock.front_door"}'   -> {"status":..,"body":..}
  hass_home.py ws DIR config/device_registry/list ['{"extra": "args"}']
  hass_home.py call DIR lock open '{...}' --ws      -> {"success":..,"error":{"code","message"}}
  hass_home.py wait-entity DIR lock.front_door [--timeout 30]
  hass_home.py wait-state DIR lock.front_door locked [--timeout 30]
  hass_home.py entities DIR [--platform mqtt]           -> {unique_id: entity_id}
  hass_home.py device-id DIR IDENTIFIER                 (a device's id by one of its identifiers)
  hass_home.py log-issues DIR                    (WARNING/ERROR lines that mention mqtt/discovery)
  hass_home.py run DIR [--timeout 120]   (start HA, wait until ready, print its PID, keep it
                                          running in the foreground until SIGTERM/SIGINT)
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import dataclasses
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterable

HA_VERSION = "2025.4.4"
HOME_FILE = "home.json"          # what write_home() tells the client: port, token, ids
LOG_FILE = "home-assistant.log"  # HA's own log (passed as --log-file)
CONSOLE_FILE = "hass.console.log"  # HA's stdout/stderr (tracebacks before logging is set up)

# Entry versions that HA 2025.4.4 writes itself, so nothing is migrated on load:
# config_entries.py STORAGE_VERSION 1 / STORAGE_VERSION_MINOR 5;
# components/mqtt/config_flow.py VERSION = CONFIG_ENTRY_VERSION (1), MINOR_VERSION = 2;
# core_config.py CORE_STORAGE_VERSION 1 / CORE_STORAGE_MINOR_VERSION 4;
# components/onboarding STORAGE_VERSION 4; auth/auth_store.py STORAGE_VERSION 1.
MQTT_ENTRY_VERSION = (1, 2)
CONFIG_ENTRIES_VERSION = (1, 5)
CORE_CONFIG_VERSION = (1, 4)
ONBOARDING_VERSION = 4
ONBOARDING_STEPS = ["user", "core_config", "analytics", "integration"]
ADMIN_GROUP = "system-admin"
LLAT_LIFESPAN_S = 10 * 365 * 24 * 3600   # what the UI gives a long-lived token (3650 days)


# --------------------------------------------------------------------------------------------
# The config dir
# --------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Home:
    """What a written config dir holds that a client needs."""

    config_dir: str
    http_port: int
    token: str
    user_id: str
    refresh_token_id: str
    mqtt_entry_id: str
    broker_host: str
    broker_port: int
    discovery_prefix: str

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @classmethod
    def load(cls, config_dir: str | os.PathLike[str]) -> "Home":
        data = json.loads((Path(config_dir) / HOME_FILE).read_text())
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in fields})


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def make_access_token(refresh_token_id: str, jwt_key: str, lifetime_s: int = LLAT_LIFESPAN_S,
                      now: int | None = None) -> str:
    """The JWT that HA's auth accepts for a refresh token, made as auth/__init__.py
    `async_create_access_token` does: HS256 over {"iss": refresh token id, "iat", "exp"}, keyed
    with the refresh token's jwt_key."""
    iat = int(time.time()) if now is None else now
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {"iss": refresh_token_id, "iat": iat, "exp": iat + lifetime_s}
    payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode()
    sig = hmac.new(jwt_key.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(sig)}"


def _store(key: str, data: Any, version: int = 1, minor_version: int = 1) -> dict[str, Any]:
    return {"version": version, "minor_version": minor_version, "key": key, "data": data}


def _write_json(path: Path, obj: Any, private: bool = False) -> None:
    path.write_text(json.dumps(obj, indent=2) + "\n")
    if private:
        path.chmod(0o600)


def configuration_yaml(http_port: int, mqtt_log_level: str = "info",
                       discovery_log_level: str = "debug",
                       trusted_networks: Iterable[str] = ("127.0.0.1/32", "::1/128"),
                       extra_yaml: str = "") -> str:
    """configuration.yaml without default_config (that pulls bluetooth, cloud, stream, go2rtc,
    zeroconf, ... and their native deps). `frontend` itself depends on api, auth, config,
    device_automation, diagnostics, file_upload, http, lovelace, onboarding, repairs, search,
    system_log and websocket_api, which is what the device page needs; bootstrap.py loads its
    DEFAULT_INTEGRATIONS (automation, scene, script, person, backup, ...) anyway."""
    nets = "\n".join(f"        - {n}" for n in trusted_networks)
    return f"""\
# Written by scripts/ha/hass_home.py for a headless test run of Home Assistant {HA_VERSION}.
homeassistant:
  auth_providers:
    # First, so that the login page starts with it: a browser on this machine gets in without
    # a form (allow_bypass_login with one user, so there is no user picker either).
    - type: trusted_networks
      trusted_networks:
{nets}
      allow_bypass_login: true
    # A username/password login, for when write_home() was given a password.
    - type: homeassistant

http:
  server_host: 127.0.0.1
  server_port: {http_port}

api:
config:
frontend:

logger:
  default: warning
  logs:
    # INFO shows the migration notes and "Updating/Removing component"; WARNING and ERROR show
    # refused discovery payloads ("Invalid MQTT device discovery payload", "Error '...' when
    # processing MQTT discovery message", "Received a conflicting MQTT discovery message").
    homeassistant.components.mqtt: {mqtt_log_level}
    # DEBUG here: "Found new component", "Process device discovery payload", one per message.
    homeassistant.components.mqtt.discovery: {discovery_log_level}
{extra_yaml}"""


def write_home(config_dir: str | os.PathLike[str], *, broker_port: int, http_port: int,
               broker_host: str = "127.0.0.1", discovery_prefix: str = "homeassistant",
               time_zone: str = "UTC", user_name: str = "Owner", username: str = "owner",
               password: str | None = None, mqtt_log_level: str = "info",
               discovery_log_level: str = "debug",
               broker_username: str | None = None, broker_password: str | None = None,
               extra_yaml: str = "", fresh: bool = True) -> Home:
    """Write a Home Assistant config dir that starts straight into a working, onboarded
    instance with the MQTT integration connected to broker_host:broker_port."""
    root = Path(config_dir)
    if fresh and root.exists():
        shutil.rmtree(root)
    storage = root / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    now = datetime.now(timezone.utc).isoformat()

    (root / "configuration.yaml").write_text(
        configuration_yaml(http_port, mqtt_log_level, discovery_log_level,
                           extra_yaml=extra_yaml))

    # --- auth: owner user, a long-lived access token (auth/auth_store.py _data_to_save) ----
    user_id = uuid.uuid4().hex
    refresh_token_id = uuid.uuid4().hex
    jwt_key = secrets.token_hex(64)
    credentials = []
    if password is not None:
        credentials.append({
            "id": uuid.uuid4().hex, "user_id": user_id, "auth_provider_type": "homeassistant",
            "auth_provider_id": None, "data": {"username": username},
        })
    auth = {
        "users": [{
            "id": user_id, "group_ids": [ADMIN_GROUP], "is_owner": True, "is_active": True,
            "name": user_name, "system_generated": False, "local_only": False,
        }],
        "groups": [
            {"id": "system-admin", "name": "Administrators"},
            {"id": "system-users", "name": "Users"},
            {"id": "system-read-only", "name": "Read Only"},
        ],
        "credentials": credentials,
        "refresh_tokens": [{
            "id": refresh_token_id, "user_id": user_id, "client_id": None,
            "client_name": "lockbridge-test-harness", "client_icon": None,
            "token_type": "long_lived_access_token", "created_at": now,
            "access_token_expiration": float(LLAT_LIFESPAN_S),
            "token": secrets.token_hex(64), "jwt_key": jwt_key,
            "last_used_at": None, "last_used_ip": None, "expire_at": None,
            "credential_id": None, "version": HA_VERSION,
        }],
    }
    _write_json(storage / "auth", _store("auth", auth), private=True)
    if password is not None:
        import bcrypt  # in the HA venv (HA's own dependency)
        hashed = base64.b64encode(bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=12)))
        _write_json(storage / "auth_provider.homeassistant",
                    _store("auth_provider.homeassistant",
                           {"users": [{"username": username, "password": hashed.decode()}]}),
                    private=True)

    # --- onboarding done (components/onboarding) -------------------------------------------
    _write_json(storage / "onboarding",
                _store("onboarding", {"done": ONBOARDING_STEPS}, version=ONBOARDING_VERSION),
                private=True)

    # --- core.config (core_config.py _async_store) ------------------------------------------
    _write_json(storage / "core.config", _store("core.config", {
        "latitude": 52.3731, "longitude": 4.8922, "elevation": 0, "unit_system_v2": "metric",
        "location_name": "LockBridge test", "time_zone": time_zone, "external_url": None,
        "internal_url": None, "currency": "EUR", "country": "NL", "language": "en",
        "radius": 100,
    }, *CORE_CONFIG_VERSION))

    # --- the MQTT config entry (config_entries.py ConfigEntry.as_dict) ----------------------
    # data holds the broker settings, as the "broker" step of the config flow stores them;
    # options holds discovery + prefix, where the options flow (and async_migrate_entry for
    # minor_version < 2) puts them: mqtt/const.py ENTRY_OPTION_FIELDS.
    mqtt_entry_id = uuid.uuid4().hex.upper()[:26]
    data: dict[str, Any] = {"broker": broker_host, "port": broker_port}
    if broker_username is not None:
        data["username"] = broker_username
        data["password"] = broker_password or ""
    entry = {
        "created_at": now, "data": data, "discovery_keys": {}, "disabled_by": None,
        "domain": "mqtt", "entry_id": mqtt_entry_id, "minor_version": MQTT_ENTRY_VERSION[1],
        "modified_at": now,
        "options": {"discovery": True, "discovery_prefix": discovery_prefix},
        "pref_disable_new_entities": False, "pref_disable_polling": False,
        "source": "user", "subentries": [], "title": broker_host, "unique_id": None,
        "version": MQTT_ENTRY_VERSION[0],
    }
    # backup (one of bootstrap.py's DEFAULT_INTEGRATIONS) creates its entry through a
    # SOURCE_SYSTEM flow at every start without one, which leaves a "New devices discovered"
    # notification behind; written here, as components/backup/config_flow.py would create it.
    backup_entry = {
        **entry, "data": {}, "domain": "backup", "entry_id": uuid.uuid4().hex.upper()[:26],
        "minor_version": 1, "options": {}, "source": "system", "title": "Backup",
        "version": 1,
    }
    _write_json(storage / "core.config_entries",
                _store("core.config_entries", {"entries": [entry, backup_entry]},
                       *CONFIG_ENTRIES_VERSION))

    token = make_access_token(refresh_token_id, jwt_key)
    home = Home(config_dir=str(root.resolve()), http_port=http_port, token=token,
                user_id=user_id, refresh_token_id=refresh_token_id, mqtt_entry_id=mqtt_entry_id,
                broker_host=broker_host, broker_port=broker_port,
                discovery_prefix=discovery_prefix)
    _write_json(root / HOME_FILE, dataclasses.asdict(home), private=True)
    return home


def stop_process(proc: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM to the process we started, wait `timeout` seconds, then SIGKILL."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------------------------
# Waiting
# --------------------------------------------------------------------------------------------

class DeadlineExceeded(AssertionError):
    pass


async def wait_until(probe: Callable[[], Awaitable[Any]], timeout: float, what: str,
                     interval: float = 0.1) -> Any:
    """Call `probe` until it returns something truthy (which is returned) or `timeout` seconds
    pass; exceptions from the probe count as 'not yet' and the last one is reported."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            result = await probe()
            if result:
                return result
            last = result
        except Exception as err:  # noqa: BLE001 - report it at the deadline
            last = err
        if time.monotonic() >= deadline:
            raise DeadlineExceeded(f"timed out after {timeout:.0f}s waiting for {what}; "
                                   f"last: {last!r}")
        await asyncio.sleep(interval)


# --------------------------------------------------------------------------------------------
# A private broker
# --------------------------------------------------------------------------------------------

class Broker:
    """A private mosquitto on 127.0.0.1:<free port>; only ever stops its own PID."""

    def __init__(self, workdir: str | os.PathLike[str], port: int | None = None,
                 binary: str = "mosquitto") -> None:
        self.workdir = Path(workdir)
        self.port = port or free_port()
        self.binary = binary
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.workdir / "mosquitto.log"

    def start(self, timeout: float = 10) -> "Broker":
        self.workdir.mkdir(parents=True, exist_ok=True)
        conf = self.workdir / "mosquitto.conf"
        conf.write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous true\n"
            "set_tcp_nodelay true\n"
            "persistence false\n"
            "user root\n"
            f"log_dest file {self.log_path}\n"
            "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n")
        self.proc = subprocess.Popen([self.binary, "-c", str(conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mosquitto exited with {self.proc.returncode}; "
                                   f"see {self.log_path}")
            with contextlib.suppress(OSError):
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"mosquitto did not listen on {self.port} within {timeout}s")

    def stop(self, timeout: float = 5) -> None:
        if self.proc is not None:
            stop_process(self.proc, timeout)

    def __enter__(self) -> "Broker":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def publish(self, topic: str, payload: str | bytes | dict[str, Any] | list[Any] | None,
                retain: bool = False, qos: int = 1) -> None:
        """mosquitto_pub one message; a dict/list is sent as JSON, None or "" as an empty
        (zero-length) payload, which is what clears a retained discovery config."""
        if isinstance(payload, (dict, list)):
            payload = json.dumps(payload)
        cmd = ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(self.port), "-t", topic,
               "-q", str(qos)]
        if retain:
            cmd.append("-r")
        if payload is None or payload == "" or payload == b"":
            cmd.append("-n")
            subprocess.run(cmd, check=True, timeout=15)
        else:
            data = payload.encode() if isinstance(payload, str) else payload
            subprocess.run(cmd + ["-s"], input=data, check=True, timeout=15)

    async def subscribe(self, *topics: str, timeout: float = 10) -> "Subscriber":
        """A running mosquitto_sub on `topics`, returned once its subscription is known to be
        active (a sentinel message it is also subscribed to came back)."""
        sub = Subscriber(self, topics)
        await sub.start(timeout)
        return sub


class Subscriber:
    """mosquitto_sub -v on some topics, collecting (topic, payload) in `messages`."""

    def __init__(self, broker: Broker, topics: Iterable[str]) -> None:
        self.broker = broker
        self.topics = list(topics)
        self.sentinel = f"harness/sub-ready/{uuid.uuid4().hex}"
        self.messages: list[tuple[str, str]] = []
        self.proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self, timeout: float) -> None:
        cmd = ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(self.broker.port), "-v",
               "-t", self.sentinel]
        for t in self.topics:
            cmd += ["-t", t]
        self.proc = await asyncio.create_subprocess_exec(
            *cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
        self._reader = asyncio.create_task(self._read())
        deadline = time.monotonic() + timeout
        while not self._ready.is_set():
            if time.monotonic() > deadline:
                await self.stop()
                raise DeadlineExceeded(f"mosquitto_sub on {self.topics} not ready in {timeout}s")
            await asyncio.to_thread(self.broker.publish, self.sentinel, "ready", False, 0)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._ready.wait(), 0.5)

    async def _read(self) -> None:
        assert self.proc and self.proc.stdout
        async for raw in self.proc.stdout:
            line = raw.decode(errors="replace").rstrip("\n")
            topic, _, payload = line.partition(" ")
            if topic == self.sentinel:
                self._ready.set()
                continue
            self.messages.append((topic, payload))

    async def wait_for(self, topic: str, payload: str | None = None,
                       timeout: float = 10) -> tuple[str, str]:
        """The first message on `topic` (and with `payload`, when given)."""
        async def probe() -> tuple[str, str] | None:
            for msg in self.messages:
                if msg[0] == topic and (payload is None or msg[1] == payload):
                    return msg
            return None
        return await wait_until(probe, timeout, f"a message on {topic}"
                                + (f" with payload {payload!r}" if payload is not None else ""),
                                interval=0.05)

    async def stop(self) -> None:
        if self.proc and self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.terminate()
            await self.proc.wait()
        if self._reader:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader


# --------------------------------------------------------------------------------------------
# The log
# --------------------------------------------------------------------------------------------

# A log record starts like "2025-04-30 12:00:00.123 WARNING (MainThread) [homeassistant...] msg"
_RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ (\w+) ")


def log_records(path: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """(level, whole record including continuation lines such as tracebacks) for each record."""
    try:
        text = Path(path).read_text(errors="replace")
    except FileNotFoundError:
        return []
    records: list[tuple[str, str]] = []
    for line in text.splitlines():
        m = _RECORD_START.match(line)
        if m:
            records.append((m.group(1), line))
        elif records:
            records[-1] = (records[-1][0], records[-1][1] + "\n" + line)
    return records


def log_issues(path: str | os.PathLike[str], levels: Iterable[str] = ("WARNING", "ERROR",
               "CRITICAL"), pattern: str = r"mqtt|discovery") -> list[str]:
    """Log records at `levels` whose text matches `pattern` (case-insensitive)."""
    rx = re.compile(pattern, re.IGNORECASE)
    wanted = set(levels)
    return [rec for level, rec in log_records(path) if level in wanted and rx.search(rec)]


# --------------------------------------------------------------------------------------------
# The process and its APIs
# --------------------------------------------------------------------------------------------

@dataclasses.dataclass
class ServiceResult:
    status: int
    body: Any          # parsed JSON when it is JSON, else the text

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class WsError(RuntimeError):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.error = error


def default_hass_binary() -> str:
    """The `hass` beside the python running this (the HA venv), else the one on PATH."""
    candidate = Path(sys.executable).with_name("hass")
    return str(candidate) if candidate.exists() else (shutil.which("hass") or "hass")


class Hass:
    """A live Home Assistant: its process (optional: attach to one started elsewhere) and
    its REST and websocket APIs.

        home = write_home(tmp / "ha", broker_port=broker.port, http_port=free_port())
        async with Hass(home) as ha:          # starts it and waits until /api/ answers
            await ha.wait_for_state("lock.front_door", "locked", timeout=30)
    """

    def __init__(self, home: Home | str | os.PathLike[str], hass_binary: str | None = None,
                 start_timeout: float = 180) -> None:
        self.home = home if isinstance(home, Home) else Home.load(home)
        self.hass_binary = hass_binary or default_hass_binary()
        self.start_timeout = start_timeout
        self.proc: asyncio.subprocess.Process | None = None
        self._session: Any = None
        self._ws: Any = None
        self._ws_id = 0
        self._ws_lock = asyncio.Lock()
        self.started_at: float | None = None
        self.ready_after_s: float | None = None

    # ---- paths -------------------------------------------------------------------------
    @property
    def log_path(self) -> Path:
        return Path(self.home.config_dir) / LOG_FILE

    @property
    def console_path(self) -> Path:
        return Path(self.home.config_dir) / CONSOLE_FILE

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    # ---- lifecycle ---------------------------------------------------------------------
    async def __aenter__(self) -> "Hass":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self, wait: bool = True) -> None:
        """Start `hass -c DIR --skip-pip` in its own session; wait until the API answers."""
        console = open(self.console_path, "ab")  # noqa: SIM115 - the child keeps it
        try:
            self.proc = await asyncio.create_subprocess_exec(
                self.hass_binary, "-c", self.home.config_dir, "--skip-pip",
                "--log-file", str(self.log_path), "--log-no-color",
                stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT,
                start_new_session=True)
        finally:
            console.close()
        self.started_at = time.monotonic()
        if wait:
            await self.wait_ready(self.start_timeout)

    async def wait_ready(self, timeout: float = 180) -> None:
        """Until `GET /api/` answers 200 with the token and HA's state is RUNNING (every
        integration set up), or the deadline passes, or the process exits."""
        t0 = self.started_at or time.monotonic()

        async def probe() -> bool:
            if self.proc is not None and self.proc.returncode is not None:
                raise RuntimeError(f"hass exited with {self.proc.returncode}; tail of "
                                   f"{self.console_path}:\n{self._tail(self.console_path)}")
            status, body = await self.request("GET", "/api/")
            if status != 200:
                return False
            status, cfg = await self.request("GET", "/api/config")
            return status == 200 and cfg.get("state") == "RUNNING"

        await wait_until(probe, timeout, f"Home Assistant on {self.home.base_url}",
                         interval=0.25)
        self.ready_after_s = time.monotonic() - t0

    async def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM to its PID, wait, SIGKILL after `timeout` seconds. Returns its exit code."""
        await self.close_clients()
        if self.proc is None or self.proc.returncode is not None:
            return self.proc.returncode if self.proc else None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout)
        except asyncio.TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGKILL)
            return await self.proc.wait()

    async def close_clients(self) -> None:
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
            self._ws = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    @staticmethod
    def _tail(path: Path, lines: int = 30) -> str:
        try:
            return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no file)"

    # ---- REST --------------------------------------------------------------------------
    async def _client(self) -> Any:
        if self._session is None:
            import aiohttp
            self._session = aiohttp.ClientSession(
                base_url=self.home.base_url,
                headers={"Authorization": f"Bearer {self.home.token}"},
                timeout=aiohttp.ClientTimeout(total=30))
        return self._session

    async def request(self, method: str, path: str, json_body: Any = None) -> tuple[int, Any]:
        session = await self._client()
        async with session.request(method, path, json=json_body) as resp:
            text = await resp.text()
            try:
                body: Any = json.loads(text)
            except ValueError:
                body = text
            return resp.status, body

    async def get_states(self) -> list[dict[str, Any]]:
        status, body = await self.request("GET", "/api/states")
        if status != 200:
            raise RuntimeError(f"GET /api/states: {status} {body!r}")
        return body

    async def get_state(self, entity_id: str) -> dict[str, Any] | None:
        """The state object, or None while the entity does not exist (404)."""
        status, body = await self.request("GET", f"/api/states/{entity_id}")
        if status == 404:
            return None
        if status != 200:
            raise RuntimeError(f"GET /api/states/{entity_id}: {status} {body!r}")
        return body

    async def call_service(self, domain: str, service: str,
                           data: dict[str, Any] | None = None) -> ServiceResult:
        """POST /api/services/<domain>/<service>. Never raises on a refusal. HA 2025.4.4's REST
        view answers 400 for a schema error (vol.Invalid) but a bare 500 "Internal Server Error"
        text for any HomeAssistantError, such as the ServiceValidationError of a lock call whose
        code does not match code_format (the message is only in the log, as an aiohttp.server
        traceback). call_service_ws() gives that error's code, message and translation_key."""
        status, body = await self.request("POST", f"/api/services/{domain}/{service}",
                                          data or {})
        return ServiceResult(status, body)

    # ---- websocket ---------------------------------------------------------------------
    async def _websocket(self) -> Any:
        if self._ws is None or self._ws.closed:
            session = await self._client()
            ws = await session.ws_connect("/api/websocket", max_msg_size=0)
            hello = await ws.receive_json()
            if hello.get("type") != "auth_required":
                raise RuntimeError(f"websocket: unexpected greeting {hello!r}")
            await ws.send_json({"type": "auth", "access_token": self.home.token})
            reply = await ws.receive_json()
            if reply.get("type") != "auth_ok":
                raise RuntimeError(f"websocket auth failed: {reply!r}")
            self._ws = ws
        return self._ws

    async def ws(self, msg_type: str, **fields: Any) -> Any:
        """One websocket command; returns its `result` or raises WsError with HA's error."""
        async with self._ws_lock:
            ws = await self._websocket()
            self._ws_id += 1
            msg_id = self._ws_id
            await ws.send_json({"id": msg_id, "type": msg_type, **fields})
            while True:
                msg = await asyncio.wait_for(ws.receive_json(), 30)
                if msg.get("id") == msg_id and msg.get("type") == "result":
                    if not msg.get("success"):
                        raise WsError(msg.get("error") or {})
                    return msg.get("result")

    async def call_service_ws(self, domain: str, service: str,
                              data: dict[str, Any] | None = None) -> dict[str, Any]:
        """call_service over the websocket: {"success": bool, "result"| "error": {...}}; a
        refused call has error.code (e.g. "service_validation_error"), .message and
        .translation_key."""
        try:
            result = await self.ws("call_service", domain=domain, service=service,
                                   service_data=data or {})
            return {"success": True, "result": result}
        except WsError as err:
            return {"success": False, "error": err.error}

    async def device_registry(self) -> list[dict[str, Any]]:
        return await self.ws("config/device_registry/list")

    async def entity_registry(self) -> list[dict[str, Any]]:
        return await self.ws("config/entity_registry/list")

    async def device_id(self, identifier: str, domain: str = "mqtt") -> str | None:
        """The id of the device that has (domain, identifier) among its identifiers."""
        for dev in await self.device_registry():
            if [domain, identifier] in dev.get("identifiers", []):
                return dev["id"]
        return None

    async def entities_of_device(self, device_id: str) -> list[dict[str, Any]]:
        return [e for e in await self.entity_registry() if e.get("device_id") == device_id]

    async def entity_ids_by_unique_id(self, platform: str = "mqtt") -> dict[str, str]:
        """{unique_id: entity_id} for one platform's registry entries: compare before/after."""
        return {e["unique_id"]: e["entity_id"] for e in await self.entity_registry()
                if e.get("platform") == platform}

    # ---- waits -------------------------------------------------------------------------
    async def wait_for_entity(self, entity_id: str, timeout: float = 30) -> dict[str, Any]:
        return await wait_until(lambda: self.get_state(entity_id), timeout,
                                f"{entity_id} to exist")

    async def wait_for_state(self, entity_id: str, state: str | Callable[[str], bool],
                             timeout: float = 30) -> dict[str, Any]:
        check = state if callable(state) else (lambda s: s == state)

        async def probe() -> dict[str, Any] | None:
            st = await self.get_state(entity_id)
            return st if st is not None and check(st["state"]) else None

        return await wait_until(probe, timeout, f"{entity_id} to be {state!r}")

    async def wait_for_device(self, identifier: str, timeout: float = 30) -> str:
        return await wait_until(lambda: self.device_id(identifier), timeout,
                                f"device {identifier!r} in the device registry")

    async def wait_for_log(self, pattern: str, timeout: float = 10) -> str:
        rx = re.compile(pattern)

        async def probe() -> str | None:
            for _, rec in log_records(self.log_path):
                if rx.search(rec):
                    return rec
            return None

        return await wait_until(probe, timeout, f"a log record matching {pattern!r}")

    # ---- the log -----------------------------------------------------------------------
    def log_issues(self, pattern: str = r"mqtt|discovery",
                   levels: Iterable[str] = ("WARNING", "ERROR", "CRITICAL")) -> list[str]:
        return log_issues(self.log_path, levels, pattern)

    def log_all_issues(self) -> list[str]:
        """Every WARNING/ERROR/CRITICAL record, whatever it mentions."""
        return log_issues(self.log_path, pattern=r".")


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------

def _print(obj: Any) -> None:
    print(obj if isinstance(obj, str) else json.dumps(obj, indent=2))


async def _cli_async(args: argparse.Namespace) -> int:
    if args.cmd == "run":
        ha = Hass(args.dir, start_timeout=args.timeout)
        await ha.start()
        print(json.dumps({"pid": ha.pid, "ready_after_s": round(ha.ready_after_s or 0, 1),
                          "url": ha.home.base_url}), flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        waiter = asyncio.ensure_future(ha.proc.wait())
        await asyncio.wait([waiter, asyncio.ensure_future(stop.wait())],
                           return_when=asyncio.FIRST_COMPLETED)
        code = await ha.stop()
        return 0 if stop.is_set() else (code or 1)

    ha = Hass(args.dir)
    try:
        if args.cmd == "wait-ready":
            await ha.wait_ready(args.timeout)
            _print({"ready": True})
        elif args.cmd == "get":
            status, body = await ha.request("GET", args.path)
            _print({"status": status, "body": body})
            return 0 if status == 200 else 1
        elif args.cmd == "call":
            data = json.loads(args.data) if args.data else {}
            if args.ws:
                res = await ha.call_service_ws(args.domain, args.service, data)
                _print(res)
                return 0 if res["success"] else 1
            res = await ha.call_service(args.domain, args.service, data)
            _print({"status": res.status, "body": res.body})
            return 0 if res.ok else 1
        elif args.cmd == "ws":
            fields = json.loads(args.fields) if args.fields else {}
            _print(await ha.ws(args.type, **fields))
        elif args.cmd == "wait-entity":
            _print(await ha.wait_for_entity(args.entity_id, args.timeout))
        elif args.cmd == "wait-state":
            _print(await ha.wait_for_state(args.entity_id, args.state, args.timeout))
        elif args.cmd == "entities":
            _print(await ha.entity_ids_by_unique_id(args.platform))
        elif args.cmd == "device-id":
            dev = await ha.device_id(args.identifier, args.domain)
            if dev is None:
                return 1
            _print(dev)
    finally:
        await ha.close_clients()
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write", help="write a fresh config dir; prints the token")
    w.add_argument("dir")
    w.add_argument("--broker-host", default="127.0.0.1")
    w.add_argument("--broker-port", type=int, required=True)
    w.add_argument("--http-port", type=int, required=True)
    w.add_argument("--prefix", default="homeassistant")
    w.add_argument("--time-zone", default="UTC")
    w.add_argument("--password", help="also a login (user 'owner') for a person in a browser")
    w.add_argument("--mqtt-log-level", default="info",
                   help="homeassistant.components.mqtt's level (warning hides 'Found new "
                        "component'; debug shows every discovery message)")
    t = sub.add_parser("token")
    t.add_argument("dir")
    sub.add_parser("free-port")
    r = sub.add_parser("wait-ready")
    r.add_argument("dir")
    r.add_argument("--timeout", type=float, default=180)
    g = sub.add_parser("get")
    g.add_argument("dir")
    g.add_argument("path")
    c = sub.add_parser("call")
    c.add_argument("dir")
    c.add_argument("domain")
    c.add_argument("service")
    c.add_argument("data", nargs="?")
    c.add_argument("--ws", action="store_true", help="over the websocket (HA's error message)")
    s = sub.add_parser("ws")
    s.add_argument("dir")
    s.add_argument("type")
    s.add_argument("fields", nargs="?")
    we = sub.add_parser("wait-entity", help="until the entity exists; prints its state")
    we.add_argument("dir")
    we.add_argument("entity_id")
    we.add_argument("--timeout", type=float, default=30)
    wst = sub.add_parser("wait-state", help="until the entity has this state; prints it")
    wst.add_argument("dir")
    wst.add_argument("entity_id")
    wst.add_argument("state")
    wst.add_argument("--timeout", type=float, default=30)
    en = sub.add_parser("entities", help="{unique_id: entity_id} from the entity registry")
    en.add_argument("dir")
    en.add_argument("--platform", default="mqtt")
    d = sub.add_parser("device-id")
    d.add_argument("dir")
    d.add_argument("identifier")
    d.add_argument("--domain", default="mqtt")
    li = sub.add_parser("log-issues")
    li.add_argument("dir")
    li.add_argument("--pattern", default=r"mqtt|discovery")
    rn = sub.add_parser("run")
    rn.add_argument("dir")
    rn.add_argument("--timeout", type=float, default=180)
    args = p.parse_args(argv)

    if args.cmd == "write":
        home = write_home(args.dir, broker_host=args.broker_host, broker_port=args.broker_port,
                          http_port=args.http_port, discovery_prefix=args.prefix,
                          time_zone=args.time_zone, password=args.password,
                          mqtt_log_level=args.mqtt_log_level)
        print(home.token)
        return 0
    if args.cmd == "token":
        print(Home.load(args.dir).token)
        return 0
    if args.cmd == "free-port":
        print(free_port())
        return 0
    if args.cmd == "log-issues":
        issues = log_issues(Path(args.dir) / LOG_FILE, pattern=args.pattern)
        for rec in issues:
            print(rec)
        return 0
    try:
        return asyncio.run(_cli_async(args))
    except (DeadlineExceeded, WsError, RuntimeError) as err:
        print(f"hass_home.py {args.cmd}: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
