#!/usr/bin/env bash
# Property-based run of schemathesis over the whole OpenAPI document (scripts/schemathesis.toml
# says which checks and phases, and who calls), and over the OGC API's own OpenAPI 3.0
# definition, on a throwaway database: any finding fails.
# The seed is fixed so that CI is repeatable; set SEED to explore other cases, MAX_EXAMPLES
# for more of them. Everything schemathesis writes stays in a temporary folder.
set -euo pipefail
project=$(cd "$(dirname "$0")/.." && pwd)
cd "$project"
BIN=${BIN:-.venv/bin}
BIN=$(cd "$BIN" && pwd)
workdir=$(mktemp -d)
port=$("$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export REFERRAL_DATABASE_URL="sqlite:///$workdir/fuzz.sqlite3"
"$BIN/referral-api" db upgrade >/dev/null
"$BIN/referral-api" load data/services.geojson --areas data/admin_areas.geojson >/dev/null
key() { "$BIN/referral-api" keys create --org "$1" --role "$2" 2>/dev/null; }
export FUZZ_AUTH_FILE="$workdir/auth.json"
cat >"$FUZZ_AUTH_FILE" <<JSON
{"schemaVersion": "1.0", "auth": [
  {"name": "femmes-debout",
   "fixedHeaders": [{"name": "Authorization", "value": "Bearer $(key femmes-debout partner)"}]},
  {"name": "clinique-juridique",
   "fixedHeaders": [{"name": "Authorization", "value": "Bearer $(key clinique-juridique partner)"}]},
  {"name": "admin",
   "fixedHeaders": [{"name": "Authorization", "value": "Bearer $(key fonds-protection admin)"}]}
]}
JSON
"$BIN/referral-api" serve --port "$port" >"$workdir/serve.log" 2>&1 &
server=$!
stop() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$workdir"; }
trap stop EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
status=0
# From the temporary folder: schemathesis keeps its example database in the current one.
(cd "$workdir" && "$BIN/schemathesis" --config-file "$project/scripts/schemathesis.toml" \
  run "http://127.0.0.1:$port/openapi.json" \
  --checks all --phases examples,coverage,fuzzing,stateful \
  --max-examples "${MAX_EXAMPLES:-30}" --workers 1 \
  --seed "${SEED:-208233048447902204028807397361267165298}") || status=$?
# The OGC API – Features paths have their own OpenAPI 3.0 definition; they are public.
(cd "$workdir" && "$BIN/schemathesis" run "http://127.0.0.1:$port/ogc/api" \
  --checks not_a_server_error,response_schema_conformance \
  --max-examples "${MAX_EXAMPLES:-30}" --workers 1 \
  --seed "${SEED:-208233048447902204028807397361267165298}") || status=$?
if [ "$status" -ne 0 ] && grep -q Traceback "$workdir/serve.log"; then
  echo "--- server log ---" >&2
  cat "$workdir/serve.log" >&2
fi
stop
trap - EXIT
exit "$status"
