#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 60) each, seeded with the real bank files.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(camt mt940 bai2 csv detect)
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
# cargo-fuzz needs nightly-only rustc flags: use a nightly toolchain when there is one, else let the
# stable compiler accept them.
if rustup run nightly rustc -V >/dev/null 2>&1; then toolchain=(+nightly); else toolchain=(); export RUSTC_BOOTSTRAP=1; fi
seed_dir() {
  case "$1" in
    camt) echo ../shared/testdata/camt ;; mt940) echo ../shared/testdata/mt940 ;;
    bai2) echo ../shared/testdata/bai2 ;; csv) echo ../shared/testdata/csv/csv2ofx/input ;;
    *) echo ../shared/testdata ;;
  esac
}
for t in "${targets[@]}"; do
  corpus="fuzz/corpus/$t"; mkdir -p "$corpus"
  find "$(seed_dir "$t")" -type f ! -name '*.json' ! -name LICENSE -size -256k -exec cp -n {} "$corpus"/ \; 2>/dev/null || true
  echo "== fuzz $t for ${seconds}s"
  (cd fuzz && cargo "${toolchain[@]}" fuzz run "$t" "../$corpus" -- -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 2>&1 | tail -n 3)
done
