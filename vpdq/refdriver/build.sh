#!/usr/bin/env bash
# Builds vpdq-ref-match against the reference vPDQ's C++ library, outside
# the repository: build.sh VPDQ_CPP_DIR OUT_DIR, where VPDQ_CPP_DIR is
# ThreatExchange's vpdq/cpp already built with cmake (its build/ holds
# libvpdqlib.a and libpdqlib.a; see ThreatExchange's vpdq/cpp/README.md).
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
cpp=$(cd "$1" && pwd)
out=$2
mkdir -p "$out"
flags="-O3 -march=native -std=c++17"
g++ $flags -I"$cpp" "$src/vpdq-ref-match.cpp" \
  "$cpp/build/vpdq/libvpdqlib.a" "$cpp/build/pdq/libpdqlib.a" -lpthread -o "$out/vpdq-ref-match"
{
  echo "reference: facebook/ThreatExchange vpdq/cpp ($(cat "$cpp/../../REVISION" 2>/dev/null || echo "revision unknown"))"
  echo "compiler: $(g++ --version | head -1)"
  echo "flags: $flags (-march resolves to $(g++ -march=native -Q --help=target 2>/dev/null | awk '/-march=/ {print $2; exit}'))"
} > "$out/BUILD"
echo "built $out/vpdq-ref-match"
