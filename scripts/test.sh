#!/usr/bin/env bash
# The whole test suite: formatting, lints, every test on SQLite and PostgreSQL (browser tests
# in headless Chromium, SMS through Kannel), then the fuzzers over the API and the parsers.
#
# PostgreSQL: installed with apt when missing, then a throwaway cluster is started on a
# free port on 127.0.0.1 and removed when the tests end. Set LIANDONG_TEST_POSTGRES_URL to
# use a server of your own instead.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_postgres() {
  local bin
  if ! bin=$(pg_bin); then
    log "installing PostgreSQL (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
    bin=$(pg_bin)
  fi
  PG_DIR=$(mktemp -d /tmp/liandong-pg.XXXXXX)
  PG_PORT=$(free_port)
  local run=()
  if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$PG_DIR"
    run=(runuser -u postgres --)
  fi
  log "starting a throwaway PostgreSQL on 127.0.0.1:$PG_PORT"
  "${run[@]}" "$bin/initdb" -D "$PG_DIR/data" -U liandong --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=300 -c fsync=on" start >/dev/null
  PG_STOP=("${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -m immediate stop)
  export LIANDONG_TEST_POSTGRES_URL="postgres://liandong@127.0.0.1:$PG_PORT/postgres"
}

cleanup() {
  if [ -n "${PG_STOP:-}" ]; then "${PG_STOP[@]}" >/dev/null 2>&1 || true; fi
  if [ -n "${PG_DIR:-}" ]; then rm -rf "$PG_DIR"; fi
  if [ -n "${RUN_TMP:-}" ]; then rm -rf "$RUN_TMP"; fi
}
trap cleanup EXIT

# Every file the tests write (a SQLite database per test, the crash test's servers, Kannel's
# spool, Chromium's profiles, the fuzzers' work) goes under one directory removed at the end,
# so repeated runs do not fill the disk.
RUN_TMP=$(mktemp -d /tmp/liandong-run.XXXXXX)
export TMPDIR="$RUN_TMP"
# A one-shot build gains nothing from incremental compilation, whose caches take tens of
# gigabytes over the workspace's test binaries.
export CARGO_INCREMENTAL=0

if [ -z "${LIANDONG_TEST_POSTGRES_URL:-}" ]; then
  start_postgres
fi

# Kannel (SMS gateway) for the notification tests: they start bearerbox, smsbox and the fake
# SMSC from kannel-extras on free local ports themselves.
if [ ! -x /usr/sbin/bearerbox ] || [ ! -x /usr/lib/kannel/test/fakesmsc ]; then
  log "installing Kannel (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq kannel kannel-extras >/dev/null
fi

# Headless Chromium for the pages' browser tests (crates/web/tests/it/browser.rs), with a CJK
# font so that the pages (and their screenshots) show Chinese. The tests start chromedriver
# themselves on a free local port.
# The certificate tests open the PDFs they make with pdftotext and qpdf.
if [ ! -x /usr/bin/chromedriver ] || [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] \
  || [ ! -x /usr/bin/pdftotext ] || [ ! -x /usr/bin/qpdf ]; then
  log "installing Chromium, chromedriver, a CJK font and PDF tools (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei poppler-utils qpdf >/dev/null
fi
export LIANDONG_CHROMIUM=/usr/bin/chromium LIANDONG_CHROMEDRIVER=/usr/bin/chromedriver

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

log "cargo test (SQLite and PostgreSQL)"
if command -v cargo-nextest >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  cargo test --workspace --locked --no-fail-fast
fi
# Budgets that keep the whole command well under 30 minutes on 2 cores; longer runs are one
# variable away (docs/reliability.md).
log "API fuzzing (schemathesis)"
LIANDONG_FUZZ_SECONDS=${LIANDONG_FUZZ_SECONDS:-90} ./scripts/fuzz-api.sh

log "parser fuzzing (cargo fuzz)"
LIANDONG_FUZZ_PARSER_SECONDS=${LIANDONG_FUZZ_PARSER_SECONDS:-15} ./scripts/fuzz-parsers.sh
