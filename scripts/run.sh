#!/usr/bin/env bash
# Sets up everything and runs the workbench. With no S3/Okta/PostgreSQL configured it runs on the
# built-in demo (bundled sample files).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
cargo build --release -p recon-cli --bin recon
exec ./target/release/recon demo "$@"
