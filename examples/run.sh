#!/bin/sh
# Builds the tools, assembles examples/NAME.s with e2k-as and runs it with e2k-emu.
# usage: examples/run.sh NAME [ARGUMENTS...]
set -e
cd "$(dirname "$0")/.."
name=${1:-hello}
[ $# -gt 0 ] && shift
cargo build --release --quiet --bin e2k-as --bin e2k-emu
mkdir -p target/examples
target/release/e2k-as --link "examples/$name.s" -o "target/examples/$name"
exec target/release/e2k-emu "target/examples/$name" "$@"
