#!/usr/bin/env bash
# Schemathesis (PyPI) over every endpoint of /api/v1/openapi.json, once with each kind of token
# (coordinator, analyst, field device) and once without: no 5xx, every status documented, every
# JSON answer matching its schema. Sets up its own demo count on a free port and stops its server.
#
#   tests/schemathesis/run.sh            # 50 examples per endpoint and token (a fifth for the report)
#   ST_MAX_EXAMPLES=20 tests/schemathesis/run.sh
#
# Schemathesis is installed into a virtualenv (target/schemathesis-venv) the first time; on a
# Debian without the venv module the script installs python3-venv with apt-get when it is root.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
target="${CARGO_TARGET_DIR:-$root/target}"
venv="${ST_VENV:-$target/schemathesis-venv}"
version=4.32.5
max_examples="${ST_MAX_EXAMPLES:-50}"

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$version"; then
  echo "== installing Schemathesis $version into $venv"
  rm -rf "$venv"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      python3 -m venv "$venv"
    else
      echo "python3 -m venv failed: install the venv module (Debian: apt-get install python3-venv)" >&2
      exit 1
    fi
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

echo "== building the server"
cargo build --quiet -p ethos-server --bin ethos
ethos="$target/debug/ethos"

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 130" INT TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$ethos" demo --db "$work/ethos.db" --bind "127.0.0.1:$port" >"$work/demo.txt"
# The tokens are taken before Schemathesis runs into the login and enrolment rate limits; a
# session (12 hours) outlives the run.
"$ethos" serve --db "$work/ethos.db" --bind "127.0.0.1:$port" --web-dir "$work" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$base/healthz" >/dev/null

# The tokens, as a client gets them: login and enrolment through the API.
password() { awk -v name="$1" '$1 == "Log" && $4 == name { print $6 }' "$work/demo.txt"; }
code=$(awk '$1 == "Team" { print $3 }' "$work/demo.txt")
json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
login() {
  curl -fsS -H 'content-type: application/json' \
    -d "{\"username\": \"$1\", \"password\": \"$(password "$1")\"}" "$base/api/v1/login" | json_field token
}
coordinator=$(login coordinator)
analyst=$(login analist)
device=$(curl -fsS -H 'content-type: application/json' -d "{\"code\": \"$code\", \"device_label\": \"schemathesis\"}" \
  "$base/api/v1/enroll" | json_field device_token)

# The counts of the demo (its count in training and the two locked example counts with their
# records) stand in for most `{id}`s and every `with`, so that the report, the estimate and the
# comparison are reached with real data; the rest stay random (mostly 404).
ids=$(grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' "$work/demo.txt" | sort -u |
  sed 's/.*/"&"/' | paste -sd, -)
cat >"$work/schemathesis.toml" <<TOML
[dictionaries.counts]
values = [$ids]

[parameters]
"path.id" = { dictionary = "counts", probability = 0.7 }
"query.with" = { dictionary = "counts", probability = 0.9 }

[generation]
max-examples = $max_examples

# The report and the estimate of an example count fit the estimate's models with a bootstrap:
# seconds each in a debug build. Fewer examples there keep the whole run within minutes.
[[operations]]
include-path-regex = '/(report|report\.docx|report\.xlsx|estimate|summary)\$'
generation = { max-examples = $((max_examples / 5 + 1)) }
TOML

status=0
run() {
  local who=$1
  shift
  echo "== Schemathesis as $who"
  # Logout would end the token for the rest of the run (the API tests cover it).
  # In the run's folder: Schemathesis keeps a cache of what failed in `.schemathesis/` there.
  (cd "$work" && "$venv/bin/schemathesis" --no-color --config-file "$work/schemathesis.toml" run "$base/api/v1/openapi.json" --url "$base" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --exclude-path /api/v1/logout \
    --seed 1 "$@") || status=1
}
run coordinator -H "Authorization: Bearer $coordinator"
run analyst -H "Authorization: Bearer $analyst"
run device -H "Authorization: Bearer $device"
run "no token"
if grep -q "internal error" "$work/server.log"; then
  echo "the server logged internal errors:"
  grep "internal error" "$work/server.log" | head -20
  status=1
fi
exit $status
