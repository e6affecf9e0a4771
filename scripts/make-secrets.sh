#!/usr/bin/env bash
# Makes the secrets docker-compose.yml (and a host install) needs, with random values:
#   <dir>/lockbridge.password, lock-emulator.password, automation.password, admin.password, homeassistant.password
#                          one random password per broker user of config/mosquitto.acl
#   <dir>/mosquitto.passwd the broker's password file (salted hashes, made by mosquitto_passwd)
#   <dir>/device.key       the device key the bridge and the locks share (256 bits, hex)
#   <dir>/postgres.password the PostgreSQL password of two bridges (config/docker-compose.cluster.yml)
# usage: scripts/make-secrets.sh [DIR]        (DIR defaults to ./secrets, which git ignores)
# Existing files are kept, so running it again only adds what is missing; delete a file to
# rotate it (then restart the broker and the program that uses it).
# Passwords go to mosquitto_passwd on stdin, never on a command line.
set -euo pipefail

dir=${1:-secrets}
users=(lockbridge lock-emulator automation admin homeassistant)

umask 077
mkdir -p "$dir"
# Only the owner may enter the directory. The files inside are world-readable on purpose: the
# containers read their bind-mounted copy as their own users (mosquitto is uid 1883, the bridge
# and the emulator uid 10001), and a file bind mount does not pass through this directory.
chmod 0700 "$dir"

random() { openssl rand -hex "$1"; }

for user in "${users[@]}"; do
  file="$dir/$user.password"
  [[ -s "$file" ]] || random 24 > "$file"
done
[[ -s "$dir/device.key" ]] || random 32 > "$dir/device.key"
[[ -s "$dir/postgres.password" ]] || random 24 > "$dir/postgres.password"

# The broker's password file, from scratch each time, so it always matches the password files.
# passwd_tool FILE USER: adds USER to FILE with the password given twice on stdin.
passwd_tool() {
  if command -v mosquitto_passwd >/dev/null; then
    mosquitto_passwd "$1" "$2"
  else
    # No mosquitto on this machine: use the one in the broker's image.
    docker run --rm -i -u "$(id -u):$(id -g)" -v "$(cd "$dir" && pwd):/secrets" \
      eclipse-mosquitto:2.0 mosquitto_passwd "/secrets/$(basename "$1")" "$2"
  fi
}
new="$dir/mosquitto.passwd.new"
rm -f "$new"
: > "$new"
for user in "${users[@]}"; do
  password=$(head -n 1 "$dir/$user.password")
  printf '%s\n%s\n' "$password" "$password" | passwd_tool "$new" "$user" >/dev/null
done
mv "$new" "$dir/mosquitto.passwd"

chmod 0644 "$dir"/*.password "$dir/mosquitto.passwd" "$dir/device.key"
echo "secrets in $dir: ${users[*]/%/.password} mosquitto.passwd device.key postgres.password"
