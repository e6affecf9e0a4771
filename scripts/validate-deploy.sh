#!/usr/bin/env bash
# Checks the deployment files without a Docker engine (run by a test in `make test`):
#   docker-compose.yml    `docker-compose config` on a throwaway copy whose secrets/ come from
#                         scripts/make-secrets.sh; then every host file it mounts or hands over as
#                         a secret must exist (compose itself does not check that)
#   Dockerfile            every file it copies from the build context exists and is not ignored
#   lockbridge.service    `systemd-analyze verify`, when installed, with no complaint at all
#   the repository        no secret is tracked: nothing under secrets/
# usage: scripts/validate-deploy.sh
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "validate-deploy: $*" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- docker-compose.yml ---------------------------------------------------------------------
command -v docker-compose >/dev/null || fail "docker-compose is not installed (make deps installs it)"
cp -r docker-compose.yml Dockerfile .dockerignore config scripts "$tmp/"
scripts/make-secrets.sh "$tmp/secrets" >/dev/null
(cd "$tmp" && docker-compose config -q) || fail "docker-compose config rejected docker-compose.yml"
(cd "$tmp" && docker-compose config) > "$tmp/resolved.yml"
# Host paths: secret files (`file: /…`) and bind mounts (`- /…:/target[:mode]`).
paths=$(sed -n -e 's/^ *file: \(\/.*\)$/\1/p' -e 's/^ *- \(\/[^:]*\):.*$/\1/p' "$tmp/resolved.yml")
[[ -n "$paths" ]] || fail "found no host paths in the resolved compose file"
for path in $paths; do
  [[ -e "$path" ]] || fail "docker-compose.yml refers to ${path#"$tmp"/}, which is missing after scripts/make-secrets.sh"
done
for secret in lockbridge_password lock_emulator_password device_key; do
  grep -q "source: $secret" "$tmp/resolved.yml" || fail "no service uses the secret $secret"
done
# Every /run/secrets/<name> a command reads is a declared secret.
for name in $(grep -o '/run/secrets/[A-Za-z0-9_.-]*' docker-compose.yml | sort -u | sed 's|/run/secrets/||'); do
  grep -q "^  $name:\$" docker-compose.yml || fail "a command reads /run/secrets/$name, which is not a declared secret"
done

# --- config/docker-compose.cluster.yml (two bridges on PostgreSQL, over docker-compose.yml) ----
(cd "$tmp" && docker-compose -f docker-compose.yml -f config/docker-compose.cluster.yml config -q) \
  || fail "docker-compose config rejected docker-compose.yml with config/docker-compose.cluster.yml"
(cd "$tmp" && docker-compose -f docker-compose.yml -f config/docker-compose.cluster.yml config) > "$tmp/cluster.yml"
for service in postgres lockbridge lockbridge-b; do
  grep -q "^  $service:\$" "$tmp/cluster.yml" || fail "the cluster compose has no service $service"
done
[[ -s "$tmp/secrets/postgres.password" ]] || fail "scripts/make-secrets.sh made no postgres.password"
grep -q -- "--instance=bridge-a" "$tmp/cluster.yml" && grep -q -- "--instance=bridge-b" "$tmp/cluster.yml" \
  || fail "the two bridges of the cluster compose need instance names of their own"

# --- Dockerfile -------------------------------------------------------------------------------
for source in $(sed -n 's/^COPY \(--chown=[^ ]* \)\{0,1\}\([^-][^ ]*\) .*/\2/p' Dockerfile); do
  [[ "$source" == "." ]] && continue
  [[ -e "$source" ]] || fail "the Dockerfile copies $source, which does not exist"
  top=${source%%/*}
  ! grep -qx "$top/\{0,1\}" .dockerignore || fail "the Dockerfile copies $source, but .dockerignore excludes it"
done
grep -q '^USER ' Dockerfile || fail "the Dockerfile's image would run as root"

# --- config/lockbridge.service ----------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
  # verify insists that ExecStart's program exists; the binary is not installed here.
  sed 's|/usr/local/bin/lockbridge|/bin/true|' config/lockbridge.service > "$tmp/lockbridge.service"
  complaints=$(systemd-analyze verify "$tmp/lockbridge.service" 2>&1) || fail "systemd-analyze verify failed: $complaints"
  [[ -z "$complaints" ]] || fail "systemd-analyze verify complains about config/lockbridge.service: $complaints"
fi

# --- no secret in git -------------------------------------------------------------------------
if git rev-parse --git-dir >/dev/null 2>&1; then
  tracked=$(git ls-files -- secrets)
  [[ -z "$tracked" ]] || fail "secrets are tracked by git: $tracked"
fi

echo "validate-deploy: docker-compose.yml, Dockerfile and config/lockbridge.service are consistent"
