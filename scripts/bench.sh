#!/usr/bin/env bash
# The benchmarks the issues promise, on this machine, in release mode. Prints Markdown for
# BENCHMARKS.md. Usage: scripts/bench.sh [parse|match|profiles|export|inbox|publish|all]   (BENCH_SIZES="10000 100000 1000000 5000000")
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh >/dev/null
what="${1:-all}"
cargo build --release -p recon-cli -p recon-bench >/dev/null 2>&1 || cargo build --release -p recon-cli -p recon-bench
recon=target/release/recon
work="${BENCH_DIR:-target/bench}"
mkdir -p "$work"

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(date -u +%Y-%m-%d)"
echo
if [ "$what" = parse ] || [ "$what" = all ]; then
  echo "### Parsing (1M statement lines per format, best of 5)"
  echo
  target/release/recon-bench parse 1000000
  echo
  echo "### Generation"
  echo
  target/release/recon-bench gen 1000000
  echo
fi
if [ "$what" = match ] || [ "$what" = all ]; then
  echo "### recon match, whole process (canonical CSV in, results out)"
  echo
  echo "| bank lines | ledger entries | wall | peak RSS | read+parse | match passes | write | auto match rate | precision | recall auto | recall with suggestions | one-sided auto-matched |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  for n in ${BENCH_SIZES:-10000 100000 1000000 5000000}; do
    d="$work/gen-$n"
    [ -f "$d/truth.csv" ] || $recon gen --bank-lines "$n" --seed 42 --out "$d" 2>/dev/null
    # Warm the page cache, then measure.
    cat "$d/bank.csv" "$d/ledger.csv" >/dev/null
    /usr/bin/time -f "%e %M" -o "$work/time-$n.txt" $recon match --bank "$d/bank.csv" --ledger "$d/ledger.csv" --out "$d/out" > "$work/match-$n.txt"
    read -r wall rss_kb < "$work/time-$n.txt"
    ledger=$(($(wc -l < "$d/ledger.csv") - 1))
    phase() { grep -E "^  $1" "$work/match-$n.txt" | awk '{s += $(NF-1)} END {print s+0}'; }
    read_ms=$(phase "read and parse"); write_ms=$(phase "write results"); pass_ms=$(grep -E '^  (pass|prepare)' "$work/match-$n.txt" | awk '{s += $(NF-1)} END {print s+0}')
    rate=$(grep -oE '\(([0-9.]+%)\)' "$work/match-$n.txt" | head -1 | tr -d '()')
    $recon eval --truth "$d/truth.csv" --matches "$d/out" > "$work/eval-$n.txt"
    ev() { grep "$1" "$work/eval-$n.txt" | awk '{print $NF}' | tr -d '()'; }
    echo "| $n | $ledger | ${wall} s | $((rss_kb / 1024)) MB | ${read_ms} ms | ${pass_ms} ms | ${write_ms} ms | $rate | $(ev precision) | $(ev 'recall, auto') | $(ev 'counting suggestions') | $(ev 'one-sided') |"
  done
  echo
  echo "Phase breakdown of the largest run:"
  echo
  echo '```'
  cat "$work/match-$n.txt"
  echo '```'
fi
if [ "$what" = profiles ] || [ "$what" = all ]; then
  # Matching quality per noise mix (issue 14): the default rules on data they were not tuned on.
  # Beside it, the yardstick: a four-pass DuckDB SQL script on the same files (scripts/duckdb_match.py).
  n="${PROFILE_LINES:-100000}"
  bash scripts/moto.sh install >/dev/null
  target/test-venv/bin/python3 -c 'import duckdb' 2>/dev/null || target/test-venv/bin/pip install -q duckdb==2.0.0 >/dev/null
  echo "### Matching quality per generator profile ($n bank lines, default rules), and a DuckDB script on the same files"
  echo
  echo "| profile | seed | ledger entries | wall | peak RSS | precision | recall auto | recall with suggestions | one-sided auto-matched | suggested groups | open items | DuckDB wall | DuckDB precision | DuckDB recall |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for p in ${PROFILES:-classic clean retail payroll poor_references lagged_fees harsh}; do
    for seed in ${PROFILE_SEEDS:-11}; do
      d="$work/profile-$p-$n-$seed"
      [ -f "$d/truth.csv" ] || $recon gen --profile "$p" --bank-lines "$n" --seed "$seed" --out "$d" 2>/dev/null
      cat "$d/bank.csv" "$d/ledger.csv" >/dev/null
      /usr/bin/time -f "%e %M" -o "$work/time-p.txt" $recon match --bank "$d/bank.csv" --ledger "$d/ledger.csv" --out "$d/out" > "$work/match-p.txt"
      read -r wall rss_kb < "$work/time-p.txt"
      ledger=$(($(wc -l < "$d/ledger.csv") - 1))
      $recon eval --truth "$d/truth.csv" --matches "$d/out" > "$work/eval-p.txt"
      ev() { grep "$1" "$work/eval-p.txt" | awk '{print $NF}' | tr -d '()'; }
      read -r suggested open <<< "$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(sum(p["suggested_groups"] for p in s["passes"]), s["exceptions"])' "$d/out/summary.json")"
      row="| $p | $seed | $ledger | ${wall} s | $((rss_kb / 1024)) MB | $(ev precision) | $(ev 'recall, auto') | $(ev 'counting suggestions') | $(ev 'one-sided') | $suggested | $open |"
      /usr/bin/time -f "%e" -o "$work/time-duck.txt" target/test-venv/bin/python3 scripts/duckdb_match.py "$d/bank.csv" "$d/ledger.csv" "$d/duckdb" >/dev/null
      $recon eval --truth "$d/truth.csv" --matches "$d/duckdb" > "$work/eval-p.txt"
      echo "$row $(cat "$work/time-duck.txt") s | $(ev precision) | $(ev 'recall, auto') |"
    done
  done
  echo
fi
if [ "$what" = export ] || [ "$what" = all ]; then
  echo "### Sign-off pack export (100,000 exceptions, 1,000,000 matched items)"
  echo
  for f in xlsx pdf pdf-appendix csv; do
    /usr/bin/time -f "peak RSS %M KB, wall %e s" target/release/recon-bench export "$f" 2>&1 | grep -v '^| benchmark\|^|---'
  done
fi
if [ "$what" = inbox ] || [ "$what" = all ]; then
  echo "### Statement inbox against moto's S3 on loopback (issue 17, best of 3)"
  echo
  bash scripts/moto.sh install >/dev/null
  MOTO_PORT=0 MOTO_STATE_DIR="$work/moto" target/test-venv/bin/python3 tests/idp/moto_server.py </dev/null >"$work/moto.log" 2>&1 & moto_pid=$!
  trap 'kill $moto_pid 2>/dev/null || true' EXIT
  source scripts/test-service.sh
  url="$(svc_wait_ready moto "$work/moto.log" MOTO_READY "$moto_pid" 30)"
  RECON_BENCH_PYTHON=target/test-venv/bin/python3 target/release/recon-bench inbox "$url" ${INBOX_LINES:-200000} ${INBOX_FILES:-4}
fi
if [ "$what" = publish ] || [ "$what" = all ]; then
  echo "### Publishing to PostgreSQL (TLS) and moto's S3 on loopback (issue 18)"
  echo
  bash scripts/moto.sh install >/dev/null
  source scripts/test-service.sh
  pub_dir="$(mktemp -d "${TMPDIR:-/tmp}/recon-bench-pg.XXXXXX")"; chmod 755 "$pub_dir"
  MOTO_PORT=0 MOTO_STATE_DIR="$pub_dir/moto" target/test-venv/bin/python3 tests/idp/moto_server.py </dev/null >"$pub_dir/moto.log" 2>&1 & pub_moto=$!
  PG_STATE_DIR="$pub_dir/pg" PG_PORT=0 python3 tests/pg/pg_server.py </dev/null >"$pub_dir/pg.out" 2>"$pub_dir/pg.log" & pub_pg=$!
  trap 'kill $pub_moto $pub_pg 2>/dev/null || true; rm -rf "$pub_dir"' EXIT
  s3_url="$(svc_wait_ready moto "$pub_dir/moto.log" MOTO_READY "$pub_moto" 30)"
  pg_url="$(svc_wait_ready pg "$pub_dir/pg.out" PG_READY "$pub_pg" 30)"
  target/test-venv/bin/python3 tests/idp/s3_fixture.py --endpoint "$s3_url" bucket acme-recon >/dev/null
  target/release/recon-bench publish "$pg_url" "$pub_dir/pg/ca.pem" "$s3_url" ${PUBLISH_OPEN:-100000} ${PUBLISH_MATCHED:-1000000}
fi
