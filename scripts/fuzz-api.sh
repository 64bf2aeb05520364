#!/usr/bin/env bash
# Fuzzes the whole HTTP API from its own OpenAPI document with schemathesis.
#
# Builds the debug `liandong` binary, starts `liandong demo` on a throwaway SQLite database on
# a free port on 127.0.0.1, signs in, and runs `schemathesis run` against
# /api/openapi.json with the checks below. Every response must be no 5xx, carry a status, a
# content type and a body the document declares for that operation; a panic in the server log
# fails the run too. The server and its files are removed when the script ends.
#
# Three runs, so that the fuzzer cannot cut off its own access half-way:
#   1. every operation but the two below, as `fuzz.all` (an account with every working role,
#      the supervisor's and the system administrator's, so intake, actions, oversight and
#      administration are all reached),
#      through the examples, coverage, fuzzing and stateful phases;
#   2. PATCH /api/v1/staff/{id} as `admin` (a change ends the account's sign-ins, and the
#      fuzzer may well change its own account);
#   3. DELETE /api/v1/auth/token (sign-out) as a window clerk.
#
# The last line printed is "N passed, M failed": API operations over the three runs, an
# operation failing when any check failed on any of its test cases.
#
# Settings (environment): LIANDONG_FUZZ_SECONDS (the first run's time budget, default 150),
# LIANDONG_FUZZ_EXAMPLES (test cases per operation and round, default 50), LIANDONG_FUZZ_SEED
# (repeat a run), LIANDONG_FUZZ_KEEP=1 (keep the server log and reports),
# LIANDONG_FUZZ_DATABASE_URL (an empty database to use instead of a throwaway SQLite file, e.g.
# postgres://user@127.0.0.1:5432/empty_db).
set -euo pipefail
cd "$(dirname "$0")/.."

# The major version is pinned; 4.32 is the oldest release the options below were checked with.
SCHEMATHESIS_REQUIREMENT='schemathesis>=4.32,<5'
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
SECONDS_MAIN=${LIANDONG_FUZZ_SECONDS:-150}
EXAMPLES=${LIANDONG_FUZZ_EXAMPLES:-50}

log() { printf '\n== %s\n' "$*"; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

schemathesis_ok() {
  python3 - "$SCHEMATHESIS_REQUIREMENT" <<'EOF' 2>/dev/null
import sys
from importlib.metadata import version
v = tuple(int(p) for p in version("schemathesis").split(".")[:2])
sys.exit(0 if (4, 32) <= v < (5, 0) else 1)
EOF
}

if ! schemathesis_ok; then
  log "installing $SCHEMATHESIS_REQUIREMENT (pip)"
  python3 -m pip install --quiet --disable-pip-version-check "$SCHEMATHESIS_REQUIREMENT"
  schemathesis_ok || { echo "schemathesis 4.x did not install" >&2; exit 1; }
fi
echo "schemathesis $(python3 -c 'from importlib.metadata import version; print(version("schemathesis"))')"

log "cargo build -p liandong"
cargo build -p liandong --locked
BIN="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/liandong"

WORK=$(mktemp -d "${TMPDIR:-/tmp}"/liandong-fuzz.XXXXXX)
SERVER_PID=
SUMMARISED=
cleanup() {
  local status=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  # Stopped before fuzzing (the server did not start, a sign-in failed): still one summary line.
  if [ -z "$SUMMARISED" ] && [ "$status" != 0 ]; then
    tail -n 20 "$WORK/server.log" >&2 2>/dev/null || true
    echo "0 passed, 1 failed"
  fi
  if [ "${LIANDONG_FUZZ_KEEP:-}" != 1 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
ADMIN_PASSWORD="fuzz-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
FUZZ_PASSWORD="fuzz-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"

log "starting liandong demo on $BASE"
# In its own directory, so that no liandong.toml of the working tree applies.
(cd "$WORK" && exec "$BIN" --database "${LIANDONG_FUZZ_DATABASE_URL:-sqlite:$WORK/fuzz.db}" demo --cases 200 --seed 2011 \
  --listen "127.0.0.1:$PORT" --admin-password "$ADMIN_PASSWORD" >"$WORK/server.log" 2>&1) &
SERVER_PID=$!

# api METHOD PATH [TOKEN] [JSON]: prints the JSON response; fails on a status other than 2xx.
api() {
  python3 - "$BASE" "$@" <<'EOF'
import json, sys, urllib.request
base, method, path = sys.argv[1:4]
token = sys.argv[4] if len(sys.argv) > 4 else ""
body = sys.argv[5].encode() if len(sys.argv) > 5 else None
request = urllib.request.Request(base + path, data=body, method=method)
if token:
    request.add_header("Authorization", f"Bearer {token}")
if body is not None:
    request.add_header("Content-Type", "application/json")
try:
    with urllib.request.urlopen(request, timeout=30) as response:
        print(response.read().decode())
except urllib.error.HTTPError as e:
    sys.exit(f"{method} {path}: {e.code} {e.read().decode()}")
EOF
}

json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

for _ in $(seq 1 240); do
  if api GET /api/v1/health >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "the server did not start" >&2
    exit 1
  fi
  sleep 0.5
done
api GET /api/v1/health >/dev/null || { echo "the server does not answer" >&2; exit 1; }

sign_in() {
  api POST /api/v1/auth/token "" "{\"username\": \"$1\", \"password\": \"$2\"}" | json_get 'd["token"]'
}
ADMIN_TOKEN=$(sign_in admin "$ADMIN_PASSWORD")
CLERK_TOKEN=$(sign_in d22.clerk liandong2026)
# An account with every working role at the hall's market-regulation department, the
# supervisor's and the system administrator's: it may take in applications, act on every step,
# oversee and administer.
HALL=$(api GET /api/v1/units "$ADMIN_TOKEN" | json_get 'next(u["id"] for u in d if u["kind"] == "district_hall")')
DEPARTMENT=$(api GET /api/v1/staff "$ADMIN_TOKEN" | json_get 'next(s["department_id"] for s in d if s["username"] == "d22.clerk")')
api POST /api/v1/staff "$ADMIN_TOKEN" "{\"username\": \"fuzz.all\", \"display_name\": \"模糊测试 fuzz\",
  \"unit_id\": $HALL, \"department_id\": $DEPARTMENT, \"password\": \"$FUZZ_PASSWORD\",
  \"roles\": [\"system_admin\", \"supervisor\", \"unit_admin\", \"window_clerk\", \"handling_officer\", \"reviewer\", \"approver\"]}" >/dev/null
FUZZ_TOKEN=$(sign_in fuzz.all "$FUZZ_PASSWORD")

SEED_ARGS=()
if [ -n "${LIANDONG_FUZZ_SEED:-}" ]; then SEED_ARGS=(--seed "$LIANDONG_FUZZ_SEED"); fi

# fuzz NAME TOKEN SECONDS PHASES FILTER...: one schemathesis run; its JSON report is NAME.json.
fuzz() {
  local name=$1 token=$2 seconds=$3 phases=$4
  shift 4
  log "schemathesis: $name (${seconds}s)"
  # From the work directory: schemathesis keeps its files in the working directory.
  (cd "$WORK" && python3 -m schemathesis.cli run "$BASE/api/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks "$CHECKS" \
    --phases "$phases" \
    --max-examples "$EXAMPLES" \
    --max-time "$seconds" \
    --workers 2 \
    --request-timeout 30 \
    --generation-database none \
    --no-color \
    --report json --report-json-path "$WORK/$name.json" \
    "${SEED_ARGS[@]}" "$@") || true
}

fuzz main "$FUZZ_TOKEN" "$SECONDS_MAIN" examples,coverage,fuzzing,stateful \
  --exclude-operation-id change_staff --exclude-operation-id delete_token
fuzz staff-changes "$ADMIN_TOKEN" 30 examples,coverage,fuzzing --include-operation-id change_staff
fuzz sign-out "$CLERK_TOKEN" 15 examples,coverage,fuzzing --include-operation-id delete_token

SERVER_ALIVE=yes
kill -0 "$SERVER_PID" 2>/dev/null || SERVER_ALIVE=no
# Stopped before the summary so that nothing is printed after its last line.
kill "$SERVER_PID" 2>/dev/null || true
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=
if [ "${LIANDONG_FUZZ_KEEP:-}" = 1 ]; then echo "server log and reports kept in $WORK"; fi

log "summary"
SUMMARISED=yes
python3 - "$WORK" "$SERVER_ALIVE" main staff-changes sign-out <<'EOF'
import json, pathlib, re, sys

work, alive, runs = pathlib.Path(sys.argv[1]), sys.argv[2] == "yes", sys.argv[3:]
passed = failed = 0
problems = []
for run in runs:
    path = work / f"{run}.json"
    if not path.exists():
        problems.append(f"{run}: schemathesis wrote no report")
        failed += 1
        continue
    report = json.loads(path.read_text())
    tested = report["operations"]["tested"]
    failing = {op for group in report["failures"] for op in group["operations"]}
    errored = report["operations"]["errored"]
    bad = min(tested, len(failing) + errored)
    passed += tested - bad
    failed += bad
    cases = report["test_cases"]["generated"]
    print(f"{run}: {tested} operations, {cases} test cases, {bad} failing"
          f" (exit code {report['exit_code']})")
    for group in report["failures"]:
        print(f"  {group['code']} {group['title']}: {', '.join(group['operations'])}")
    for error in report["errors"]:
        print(f"  error: {error['title']} ({error['count']})")
    if report["exit_code"] != 0 and not bad:
        problems.append(f"{run}: schemathesis exited with {report['exit_code']}")
        failed += 1
    if tested == 0:
        problems.append(f"{run}: no operation was tested")
        failed += 1

log = (work / "server.log").read_text(errors="replace")
panics = [line for line in log.splitlines() if re.search(r"panicked at", line)]
if panics:
    problems.append(f"the server panicked {len(panics)} times:")
    problems.extend(f"  {line}" for line in panics[:20])
    failed += 1
if not alive:
    problems.append("the server died during the run; its log ends:")
    problems.extend(f"  {line}" for line in log.splitlines()[-20:])
    failed += 1
for problem in problems:
    print(problem)
if failed:
    print("to look closer: LIANDONG_FUZZ_KEEP=1 keeps the server log and the reports;"
          " schemathesis printed each failure's seed and a curl line to reproduce it")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
EOF
