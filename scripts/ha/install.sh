#!/usr/bin/env bash
# usage: scripts/ha/install.sh VENV_DIR
#
# A venv with Home Assistant 2025.4.4 (the newest release that installs on Python 3.13.0) and
# what it needs to run headless with `hass --skip-pip`: the MQTT integration, the frontend and
# the integrations bootstrap.py always loads. Built once; the stamp file in the venv lists the
# exact requirements, and the venv is rebuilt whenever they change (or with HA_INSTALL_FORCE=1).
#
# Everything is installed in one pip run constrained by HA's own
# homeassistant/package_constraints.txt (taken from the 2025.4.4 wheel first), as HA does when
# it installs an integration's requirements itself, so the versions are the ones HA was tested
# with, not whatever is newest on PyPI.
#
# Env: HA_PYTHON (default: pyenv's 3.13.0), HA_INSTALL_FORCE=1 (rebuild).
set -euo pipefail

if (($# != 1)); then
  echo "usage: $0 VENV_DIR" >&2
  exit 2
fi
venv=$1
t0=$SECONDS
say() { printf '[ha-install %3ds] %s\n' "$((SECONDS - t0))" "$*"; }

ha_version=2025.4.4
# homeassistant/components/frontend/manifest.json of 2025.4.4 pins this (checked below).
frontend_version=20250411.0
requirements=(
  "homeassistant==$ha_version"
  "home-assistant-frontend==$frontend_version"
  # components/mqtt/manifest.json; pip does not bring integration requirements with the core.
  "paho-mqtt==2.1.0"
  # Kept from the project's earlier notes on HA's MQTT stack. In 2025.4.4 nothing imports
  # janus, and acme (through hass-nabucasa) already requires josepy<2,>=1.13; both are harmless.
  "janus"
  "josepy<2"
  # components/isal/manifest.json: aiohttp_fast_zlib otherwise logs a WARNING at every start
  # ("zlib_ng and isal are not available, falling back to zlib").
  "isal==1.7.1"
)

if [[ -n ${HA_PYTHON:-} ]]; then
  python=$HA_PYTHON
else
  command -v pyenv >/dev/null || { echo "error: pyenv not found; set HA_PYTHON" >&2; exit 1; }
  python="$(pyenv root)/versions/3.13.0/bin/python3"
fi
[[ -x $python ]] || { echo "error: no python at $python" >&2; exit 1; }
pyver=$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
[[ $pyver == 3.13.* ]] || { echo "error: $python is Python $pyver; HA $ha_version needs 3.13" >&2; exit 1; }

stamp="$venv/lockbridge-ha-requirements.txt"
want=$(printf 'python %s\n' "$pyver"; printf '%s\n' "${requirements[@]}"; echo "constraints: homeassistant/package_constraints.txt")

if [[ ${HA_INSTALL_FORCE:-0} != 1 && -x $venv/bin/hass ]] && [[ "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
  say "up to date: $venv (Home Assistant $ha_version)"
  exit 0
fi

log=$(mktemp /tmp/ha-install.XXXXXX.log)
work=$(mktemp -d /tmp/ha-install.XXXXXX)
trap 'rm -rf "$work"' EXIT
pip_or_die() {
  # pip "$@" with its output in $log; on failure the tail of it, and exit non-zero.
  if ! "$venv/bin/python" -m pip "$@" >>"$log" 2>&1; then
    echo "---- last lines of $log" >&2
    tail -40 "$log" >&2
    echo "error: pip $1 failed (whole log: $log)" >&2
    exit 1
  fi
}

say "creating $venv with Python $pyver ($python)"
rm -rf "$venv"
"$python" -m venv "$venv"

say "fetching homeassistant==$ha_version for its package_constraints.txt"
pip_or_die download --no-deps --only-binary=:all: -d "$work" "homeassistant==$ha_version"
wheel=$(ls "$work"/homeassistant-"$ha_version"-*.whl)
"$venv/bin/python" - "$wheel" "$work/constraints.txt" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    data = z.read("homeassistant/package_constraints.txt")
open(sys.argv[2], "wb").write(data)
EOF

say "installing ${requirements[*]} (takes a few minutes; log: $log)"
pip_or_die install --constraint "$work/constraints.txt" "$wheel" "${requirements[@]:1}"

say "checking the install"
"$venv/bin/python" - "$frontend_version" <<'EOF'
import importlib.metadata as md, json, sys, pathlib
import homeassistant, homeassistant.const as c
want_frontend = sys.argv[1]
ha = pathlib.Path(homeassistant.__file__).parent
problems = []
if c.__version__ != "2025.4.4":
    problems.append(f"homeassistant is {c.__version__}")
manifest = json.loads((ha / "components/frontend/manifest.json").read_text())
if manifest["requirements"] != [f"home-assistant-frontend=={want_frontend}"]:
    problems.append(f"frontend manifest asks for {manifest['requirements']}, install.sh pins {want_frontend}")
mqtt = json.loads((ha / "components/mqtt/manifest.json").read_text())
for req in mqtt["requirements"] + manifest["requirements"]:
    name, _, version = req.partition("==")
    if md.version(name) != version:
        problems.append(f"{name} is {md.version(name)}, {req} wanted")
for mod in ("paho.mqtt.client", "hass_frontend", "isal", "janus", "josepy", "aiohttp"):
    try:
        __import__(mod)
    except Exception as err:  # noqa: BLE001
        problems.append(f"import {mod}: {err}")
if problems:
    sys.exit("error: " + "; ".join(problems))
print(f"homeassistant {c.__version__}, home-assistant-frontend {md.version('home-assistant-frontend')}, "
      f"paho-mqtt {md.version('paho-mqtt')}, aiohttp {md.version('aiohttp')}")
EOF
"$venv/bin/hass" --version >/dev/null

printf '%s\n' "$want" >"$stamp"
rm -f "$log"
say "done: $venv/bin/hass ($((SECONDS - t0)) s)"
