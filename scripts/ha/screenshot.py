#!/usr/bin/env python3
"""A PNG of a Home Assistant page, taken with headless Chromium over the DevTools protocol.

usage (with the HA venv's python, which has aiohttp):
  screenshot.py --home DIR --path /config/devices/device/<device_id> --out page.png
                [--wait-text "Front door"]... [--width 1280] [--height 900]
                [--auth token|trusted] [--timeout 90] [--chromium /usr/bin/chromium]

DIR is a config dir written by hass_home.py (its home.json gives the URL and the token).

Logging in, two ways (--auth):
  token    (default) the long-lived access token is put into localStorage["hassTokens"] before
           any page script runs (Page.addScriptToEvaluateOnNewDocument), so the frontend starts
           already authenticated; the token never expires, so it never tries to refresh it.
  trusted  nothing is injected: the frontend goes to /auth/authorize, and the trusted_networks
           provider that hass_home.py configures (127.0.0.1, allow_bypass_login, one user)
           logs the browser in without a form.

It waits until the page is really rendered: the frontend's loading screen and every
spinner/progress indicator are gone (searched through all shadow roots), each --wait-text is
on the page, and the screen stayed the same for a few polls; then it captures the viewport.
Chromium is installed with apt if it is missing (ensure_chromium()).
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hass_home  # noqa: E402

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def ensure_chromium() -> str:
    """The chromium binary; `apt-get install -y chromium` (after an update) when missing."""
    for name in CHROMIUM_CANDIDATES:
        if path := shutil.which(name):
            return path
    print("screenshot: chromium is missing; installing it with apt", file=sys.stderr)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if subprocess.run(["apt-get", "install", "-y", "chromium"], env=env,
                      stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "chromium"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
    if path := shutil.which("chromium"):
        return path
    raise RuntimeError("apt-get install chromium did not give a chromium binary")


# Runs in the page: the state of the render, searched through every shadow root.
_PROBE_JS = r"""
(() => {
  const busyTags = new Set(["HASS-LOADING-SCREEN", "HA-SPINNER", "HA-CIRCULAR-PROGRESS",
                            "MWC-CIRCULAR-PROGRESS", "HA-INIT-PAGE"]);
  let busy = [], text = [], tags = 0;
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      tags++;
      if (busyTags.has(el.tagName) && visible(el)) busy.push(el.tagName.toLowerCase());
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  // innerText does not enter shadow roots; collect text nodes instead.
  const texts = (root) => {
    const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let n; while ((n = w.nextNode())) { const t = n.textContent.trim(); if (t) text.push(t); }
    for (const el of root.querySelectorAll("*")) if (el.shadowRoot) texts(el.shadowRoot);
  };
  texts(document);
  return JSON.stringify({url: location.href, ready: document.readyState,
                         fonts: document.fonts ? document.fonts.status : "loaded",
                         busy, tags, text: text.join("\n")});
})()
"""


class Cdp:
    """A minimal DevTools protocol client on one target's websocket."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        my_id = self.next_id
        await self.ws.send_json({"id": my_id, "method": method, "params": params})
        while True:
            msg = await asyncio.wait_for(self.ws.receive_json(), 60)
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    async def evaluate(self, expression: str) -> Any:
        res = await self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                              awaitPromise=True)
        if "exceptionDetails" in res:
            raise RuntimeError(f"page script failed: {res['exceptionDetails']}")
        return res["result"].get("value")


def _token_script(base_url: str, token: str) -> str:
    tokens = {
        "access_token": token, "token_type": "Bearer", "expires_in": 315360000,
        "refresh_token": "", "hassUrl": base_url, "clientId": f"{base_url}/",
        # The frontend refreshes when Date.now() > expires; this is far in the future.
        "expires": int(time.time() * 1000) + 315360000 * 1000,
    }
    return (f"try {{ localStorage.setItem('hassTokens', {json.dumps(json.dumps(tokens))}); "
            f"}} catch (e) {{}}")


async def screenshot(base_url: str, path: str, out: str | os.PathLike[str], *,
                     token: str | None = None, auth: str = "token",
                     wait_texts: tuple[str, ...] = (), width: int = 1280, height: int = 900,
                     timeout: float = 90, chromium: str | None = None,
                     log: Any = sys.stderr) -> dict[str, Any]:
    """Open base_url+path in headless Chromium, wait until rendered, write a PNG to `out`.
    Returns what the page showed at capture time (url, seconds, busy elements)."""
    import aiohttp

    chromium = chromium or ensure_chromium()
    port = hass_home.free_port()
    profile = tempfile.mkdtemp(prefix="ha-shot-chromium.")
    chrome_log = open(Path(profile).with_suffix(".log"), "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--no-default-browser-check", "--disable-extensions",
         "--hide-scrollbars", "--mute-audio", "--lang=en-US",
         f"--remote-debugging-port={port}", "--remote-debugging-address=127.0.0.1",
         f"--user-data-dir={profile}", f"--window-size={width},{height}", "about:blank"],
        stdin=subprocess.DEVNULL, stdout=chrome_log, stderr=subprocess.STDOUT,
        start_new_session=True)
    t0 = time.monotonic()
    deadline = t0 + timeout
    try:
        async with aiohttp.ClientSession() as session:
            # The DevTools endpoint, and the page target chromium opened.
            target = None
            while target is None:
                if proc.poll() is not None:
                    raise RuntimeError(f"chromium exited with {proc.returncode}; see "
                                       f"{chrome_log.name}")
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    async with session.get(f"http://127.0.0.1:{port}/json/list") as r:
                        pages = [t for t in await r.json() if t.get("type") == "page"]
                        target = pages[0] if pages else None
                if time.monotonic() > deadline:
                    raise TimeoutError("chromium's DevTools endpoint did not come up")
                if target is None:
                    await asyncio.sleep(0.1)
            async with session.ws_connect(target["webSocketDebuggerUrl"],
                                          max_msg_size=0) as ws:
                cdp = Cdp(ws)
                await cdp.send("Page.enable")
                await cdp.send("Runtime.enable")
                await cdp.send("Emulation.setDeviceMetricsOverride", width=width,
                               height=height, deviceScaleFactor=1, mobile=False)
                if auth == "token":
                    if not token:
                        raise ValueError("--auth token needs the token")
                    await cdp.send("Page.addScriptToEvaluateOnNewDocument",
                                   source=_token_script(base_url, token))
                elif auth != "trusted":
                    raise ValueError(f"unknown auth {auth!r}")
                url = base_url.rstrip("/") + path
                await cdp.send("Page.navigate", url=url)

                last_key, stable, state = None, 0, {}
                while True:
                    try:
                        state = json.loads(await cdp.evaluate(_PROBE_JS))
                    except RuntimeError:
                        state = {}  # navigating: no context right now
                    done = (state.get("ready") == "complete" and not state.get("busy")
                            and state.get("fonts") == "loaded"
                            and "/auth/authorize" not in state.get("url", "")
                            and state.get("tags", 0) > 50
                            and all(t in state.get("text", "") for t in wait_texts))
                    key = (state.get("url"), state.get("tags"), len(state.get("text", "")))
                    stable = stable + 1 if done and key == last_key else 0
                    last_key = key
                    if stable >= 3:  # the same rendered page for 3 polls in a row
                        break
                    if time.monotonic() > deadline:
                        missing = [t for t in wait_texts if t not in state.get("text", "")]
                        # Keep what it showed, for the one who looks into it.
                        shot = await cdp.send("Page.captureScreenshot", format="png")
                        Path(out).write_bytes(base64.b64decode(shot["data"]))
                        raise TimeoutError(
                            f"page not rendered within {timeout:.0f}s: url={state.get('url')}"
                            f" busy={state.get('busy')} missing texts={missing}; "
                            f"what it showed is in {out}")
                    await asyncio.sleep(0.25)
                shot = await cdp.send("Page.captureScreenshot", format="png",
                                      captureBeyondViewport=False)
                Path(out).write_bytes(base64.b64decode(shot["data"]))
                result = {"out": str(out), "url": state.get("url"),
                          "seconds": round(time.monotonic() - t0, 1)}
                print(f"screenshot: {url} -> {out} ({result['seconds']} s)", file=log)
                return result
    finally:
        hass_home.stop_process(proc, 10)
        chrome_log.close()
        shutil.rmtree(profile, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--home", help="config dir written by hass_home.py (URL and token)")
    p.add_argument("--url", help="base URL instead of --home, e.g. http://127.0.0.1:8123")
    p.add_argument("--token", help="token instead of --home")
    p.add_argument("--path", default="/config/devices/dashboard")
    p.add_argument("--out", required=True)
    p.add_argument("--wait-text", action="append", default=[],
                   help="text that must be on the page before the capture (repeatable)")
    p.add_argument("--auth", choices=("token", "trusted"), default="token")
    p.add_argument("--width", type=int, default=1280)
    p.add_argument("--height", type=int, default=900)
    p.add_argument("--timeout", type=float, default=90)
    p.add_argument("--chromium")
    args = p.parse_args(argv)
    base_url, token = args.url, args.token
    if args.home:
        home = json.loads((Path(args.home) / "home.json").read_text())
        base_url = base_url or f"http://127.0.0.1:{home['http_port']}"
        token = token or home["token"]
    if not base_url:
        p.error("give --home or --url")
    asyncio.run(screenshot(base_url, args.path, args.out, token=token, auth=args.auth,
                           wait_texts=tuple(args.wait_text), width=args.width,
                           height=args.height, timeout=args.timeout, chromium=args.chromium))
    return 0


if __name__ == "__main__":
    sys.exit(main())
