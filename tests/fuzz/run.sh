#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time: run.sh <fuzz build dir> <target> <seconds> <work dir>
# The committed seeds (tests/fuzz/corpus/<target>) are read, never written: new inputs go to a
# corpus under <work dir>, and a crash leaves its input there too (crash-*), failing the run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin="$1/tests/fuzz/fuzz-$2"; seconds=$3; work="$4/$2"
[ -x "$bin" ] || { echo "no fuzz target $bin: build it with ./crm test (it builds $1)" >&2; exit 1; }
mkdir -p "$work/corpus"
# -rss_limit_mb: a body may be 8 MiB; anything near 2 GB is a finding, as is a slow unit
# (-timeout) on inputs of at most 64 KiB.
exec "$bin" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" "$work/corpus" "$here/corpus/$2"
