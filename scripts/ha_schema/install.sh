#!/usr/bin/env bash
# usage: scripts/ha_schema/install.sh VENV_DIR
#
# Builds VENV_DIR once with what validate.py needs: Home Assistant 2026.2.3 (the newest release
# whose MQTT integration loads on Python 3.13.0; it declares Requires-Python >=3.13.2, hence
# --ignore-requires-python) and paho-mqtt 2.1.0 (the pin in its mqtt/manifest.json), every other
# package held to constraints.txt. A stamp file in VENV_DIR records the exact requirement lines,
# the constraints, the pip flags and the interpreter; while it matches, nothing is done. When any
# of them changes the venv is built anew.
#
# The interpreter: $HA_SCHEMA_PYTHON, else pyenv's 3.13.0, else python3.13 on PATH.
# Exit status: 0 ready, 1 the install failed (the tail of pip's log is shown), 2 usage.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
if (($# != 1)) || [[ -z $1 || $1 == -* ]]; then
  echo "usage: $0 VENV_DIR" >&2
  exit 2
fi
venv=$1
requirements="$here/requirements.txt"
constraints="$here/constraints.txt"
pip_flags=(--disable-pip-version-check --no-input --ignore-requires-python)

python=${HA_SCHEMA_PYTHON:-}
if [[ -z $python ]]; then
  if command -v pyenv >/dev/null && [[ -x "$(pyenv root)/versions/3.13.0/bin/python3" ]]; then
    python="$(pyenv root)/versions/3.13.0/bin/python3"
  elif command -v python3.13 >/dev/null; then
    python=$(command -v python3.13)
  else
    echo "error: no Python 3.13 found: set HA_SCHEMA_PYTHON, or install 3.13.0 with pyenv" >&2
    exit 1
  fi
fi
py_version=$("$python" -c 'import sys; print(".".join(map(str, sys.version_info[:3])))') ||
  { echo "error: $python does not run" >&2; exit 1; }
"$python" -c 'import sys; sys.exit(not (3, 13) <= sys.version_info[:2] < (3, 14))' ||
  { echo "error: Home Assistant 2026.2.3 needs Python 3.13 (it uses 3.13 syntax; 3.14 is untested here), $python is $py_version" >&2; exit 1; }

# Two runs at once would build the same venv twice: the second waits for the first.
mkdir -p "$(dirname "$venv")"
if command -v flock >/dev/null; then
  exec 9>"$venv.lock"
  flock 9
fi

stamp_file="$venv/ha-schema-stamp.txt"
want_stamp=$(
  echo "# requirements.txt"; cat "$requirements"
  echo "# constraints.txt sha256 $(sha256sum "$constraints" | cut -d' ' -f1)"
  echo "# pip flags ${pip_flags[*]}"
  echo "# python $python $py_version"
)
if [[ -f $stamp_file ]] && [[ $(cat "$stamp_file") == "$want_stamp" ]] && "$venv/bin/python" -c '' 2>/dev/null; then
  echo "==> $venv is up to date ($(grep -v '^#' "$requirements" | tr '\n' ' '))"
  exit 0
fi

if [[ -e $venv ]]; then
  # Only ever delete a venv (or an empty directory): never a directory someone pointed here by mistake.
  if [[ -f $venv/pyvenv.cfg ]] || [[ -d $venv && -z $(ls -A "$venv") ]]; then
    echo "==> requirements changed or venv incomplete: rebuilding $venv"
    rm -rf "$venv"
  else
    echo "error: $venv exists and is not a venv; refusing to replace it" >&2
    exit 1
  fi
fi

start=$SECONDS
echo "==> creating $venv with Python $py_version ($python)"
"$python" -m venv "$venv"
log="$venv/pip-install.log"
echo "==> pip install $(grep -v '^#' "$requirements" | tr '\n' ' ')(+ $(grep -cv '^#' "$constraints") pinned packages; a few minutes the first time, log: $log)"
if ! "$venv/bin/pip" install "${pip_flags[@]}" -c "$constraints" -r "$requirements" >"$log" 2>&1; then
  echo "--- last 40 lines of $log" >&2
  tail -40 "$log" >&2
  echo "error: pip could not install $(grep -v '^#' "$requirements" | tr '\n' ' ')into $venv" >&2
  exit 1
fi
echo "==> installed in $((SECONDS - start)) s; checking that the MQTT discovery modules load"
if ! "$venv/bin/python" - >"$venv/import-check.log" 2>&1 <<'PY'; then
import importlib
import homeassistant.const as const
import paho.mqtt
for name in ("discovery", "schemas", "abbreviations", "entity", "lock", "sensor", "binary_sensor",
             "select", "button", "event", "device_automation", "tag"):
    importlib.import_module(f"homeassistant.components.mqtt.{name}")
print(f"Home Assistant {const.__version__}, paho-mqtt {paho.mqtt.__version__}")
PY
  echo "--- $venv/import-check.log" >&2
  tail -30 "$venv/import-check.log" >&2
  echo "error: the venv was built, but Home Assistant's MQTT modules do not load in it" >&2
  exit 1
fi
echo "==> $(tail -1 "$venv/import-check.log")"
printf '%s\n' "$want_stamp" >"$stamp_file.tmp"
mv "$stamp_file.tmp" "$stamp_file"
echo "==> $venv ready in $((SECONDS - start)) s: $venv/bin/python $here/validate.py --help"
