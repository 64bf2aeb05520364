#!/usr/bin/env bash
# Fuzzes the parsers that take outside input with libFuzzer (cargo fuzz; targets in fuzz/).
#
# Builds every target in fuzz/ (release, with debug assertions and overflow checks), then
# runs each for LIANDONG_FUZZ_PARSER_SECONDS seconds, starting from a copy of its seed corpus
# (fuzz/corpus/<target>) in a temporary directory, so the inputs the fuzzer keeps never land
# in the repository. Any crash (panic, overflow, failed round trip), timeout (10 s for one
# input) or running out of memory fails the script; the input is saved under
# fuzz/artifacts/<target>/ and the command that reruns it is printed.
#
# The last line printed is "N targets, M runs, K crashes".
#
# Settings (environment): LIANDONG_FUZZ_PARSER_SECONDS (per target, default 20),
# LIANDONG_FUZZ_SANITIZER (none, the default, or address: needs nightly features, enabled
# with RUSTC_BOOTSTRAP=1 on a stable toolchain, and a full rebuild).
# Arguments: target names, to run only those (default: all).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

# Checked with this release; `cargo install` builds it in about a minute when missing.
CARGO_FUZZ_VERSION=0.13.2
SECONDS_PER_TARGET=${LIANDONG_FUZZ_PARSER_SECONDS:-20}
SANITIZER=${LIANDONG_FUZZ_SANITIZER:-none}

# Target and the longest input it is given, in bytes.
declare -A MAX_LEN=(
  [ids]=256
  [catalog_csv]=8192
  [catalog_xlsx]=16384
  [calendar_notice]=4096
  [sms_template]=2048
  [certificate]=4096
  [city_batch]=8192
)
ALL_TARGETS=(ids catalog_csv catalog_xlsx calendar_notice sms_template certificate city_batch)

log() { printf '\n== %s\n' "$*"; }

TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then TARGETS=("${ALL_TARGETS[@]}"); fi
for target in "${TARGETS[@]}"; do
  if [ -z "${MAX_LEN[$target]:-}" ]; then
    echo "unknown fuzz target '$target' (known: ${ALL_TARGETS[*]})" >&2
    exit 2
  fi
done
case "$SECONDS_PER_TARGET" in
  '' | *[!0-9]*) echo "LIANDONG_FUZZ_PARSER_SECONDS must be a whole number" >&2; exit 2 ;;
esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}"/liandong-fuzz-parsers.XXXXXX)
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  log "installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

HOST=$(rustc -vV | sed -n 's/^host: //p')
TARGET_DIR="$ROOT/fuzz/target"
if [ "$SANITIZER" != none ]; then
  # Sanitizers are nightly features of rustc; a build of its own keeps the plain one.
  export RUSTC_BOOTSTRAP=1
  TARGET_DIR="$ROOT/fuzz/target/sanitizer-$SANITIZER"
fi
BUILD=(cargo fuzz build --fuzz-dir "$ROOT/fuzz" --target "$HOST" --target-dir "$TARGET_DIR"
  --sanitizer "$SANITIZER" --debug-assertions)
log "${BUILD[*]}"
"${BUILD[@]}"
BIN="$TARGET_DIR/$HOST/release"

TOTAL_RUNS=0
CRASHES=0
for target in "${TARGETS[@]}"; do
  log "fuzzing $target for ${SECONDS_PER_TARGET} s"
  corpus="$WORK/$target/corpus"
  artifacts="$WORK/$target/artifacts"
  mkdir -p "$corpus" "$artifacts"
  cp "$ROOT/fuzz/corpus/$target/"* "$corpus/"
  seeds=$(find "$corpus" -type f | wc -l)
  status=0
  "$BIN/$target" "$corpus" \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
    -max_len="${MAX_LEN[$target]}" -print_final_stats=1 \
    -artifact_prefix="$artifacts/" >"$WORK/$target/log" 2>&1 || status=$?

  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/$target/log" | tail -n 1)
  if [ -z "$runs" ]; then
    # No final statistics (the process died): the last "#N" status line.
    runs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$WORK/$target/log" | tail -n 1)
  fi
  runs=${runs:-0}
  per_second=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$WORK/$target/log" | tail -n 1)
  kept=$(find "$corpus" -type f | wc -l)
  TOTAL_RUNS=$((TOTAL_RUNS + runs))

  found=$(find "$artifacts" -type f | sort)
  if [ "$status" -ne 0 ] || [ -n "$found" ]; then
    CRASHES=$((CRASHES + 1))
    grep -E -A3 "panicked at|ERROR: libFuzzer|SUMMARY" "$WORK/$target/log" | head -n 20 >&2 || true
    if [ -z "$found" ]; then
      tail -n 30 "$WORK/$target/log" >&2
      echo "$target: libFuzzer exited with $status and left no input" >&2
    fi
    mkdir -p "$ROOT/fuzz/artifacts/$target"
    for input in $found; do
      saved="$ROOT/fuzz/artifacts/$target/$(basename "$input")"
      cp "$input" "$saved"
      echo "$target: FAILED on $saved" >&2
      echo "  rerun: $BIN/$target $saved" >&2
      echo "     or: ${RUSTC_BOOTSTRAP:+RUSTC_BOOTSTRAP=1 }cargo fuzz run --fuzz-dir $ROOT/fuzz --target-dir $TARGET_DIR -s $SANITIZER -a $target $saved" >&2
    done
  fi
  echo "$target: $runs runs in ${SECONDS_PER_TARGET} s (${per_second:-?}/s), corpus $seeds -> $kept inputs, exit $status"
done

echo "${#TARGETS[@]} targets, $TOTAL_RUNS runs, $CRASHES crashes"
[ "$CRASHES" -eq 0 ]
