#!/usr/bin/env bash
# Builds pdq-ref-bench, the peer driver of `ctis bench hashes --peer`,
# against Meta's reference C++ PDQ implementation.
#
#   hashbench/refdriver/build.sh THREATEXCHANGE_DIR OUT_DIR
#
# THREATEXCHANGE_DIR holds the reference's pdq/cpp (a checkout of
# facebook/ThreatExchange, or an export of its pdq/cpp). Its commit is
# taken from $REF_COMMIT, else `git -C THREATEXCHANGE_DIR rev-parse HEAD`,
# else a file THREATEXCHANGE_DIR/REVISION. OUT_DIR receives pdq-ref-bench
# and BUILD, which records the reference's commit, the compiler and the
# exact commands. CXX and CXXFLAGS may be overridden; the defaults are
# g++ and -O3 -march=native -std=c++17.
#
# Needs g++, libjpeg and libpng headers (Debian: g++ libjpeg-dev libpng-dev).
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 THREATEXCHANGE_DIR OUT_DIR" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
ref=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
cpp=$ref/pdq/cpp

for f in CImg.h common/pdqhashtypes.cpp common/pdqhamming.cpp common/pdqutils.cpp \
	hashing/pdqhashing.cpp hashing/torben.cpp downscaling/downscaling.cpp \
	io/pdqio.cpp io/hashio.cpp index/flat.h index/mih.h; do
	if [ ! -f "$cpp/$f" ]; then
		echo "$0: $cpp/$f is missing: THREATEXCHANGE_DIR must hold the reference's pdq/cpp" >&2
		exit 1
	fi
done

commit=${REF_COMMIT:-}
if [ -z "$commit" ]; then
	commit=$(git -C "$ref" rev-parse HEAD 2>/dev/null || true)
fi
if [ -z "$commit" ] && [ -f "$ref/REVISION" ]; then
	commit=$(head -n 1 "$ref/REVISION")
fi
commit=${commit:-unknown}

CXX=${CXX:-g++}
CXXFLAGS=${CXXFLAGS:--O3 -march=native -std=c++17}
# CImg decodes JPEG with libjpeg and PNG with libpng (not by calling an
# external converter), and opens no display. These must be the same in
# every translation unit, CImg being a header-only template library.
defines="-Dcimg_display=0 -Dcimg_use_jpeg -Dcimg_use_png"
# <pdq/cpp/...> from the checkout's root; CImg.h as a system header, so
# that its warnings do not drown the driver's.
includes="-I$ref -isystem $cpp"
libs="-ljpeg -lpng -lz -lm -lpthread"

srcs="common/pdqhashtypes.cpp common/pdqhamming.cpp common/pdqutils.cpp
hashing/pdqhashing.cpp hashing/torben.cpp downscaling/downscaling.cpp
io/pdqio.cpp io/hashio.cpp"

obj=$out/obj
mkdir -p "$obj"
cmds=()
objs=()
for s in $srcs; do
	o=$obj/$(echo "${s%.cpp}" | tr / -).o
	# The reference's own warnings are not ours to fix.
	cmd="$CXX $CXXFLAGS $defines $includes -w -c $cpp/$s -o $o"
	echo "$cmd" >&2
	$cmd
	cmds+=("$cmd")
	objs+=("$o")
done
cmd="$CXX $CXXFLAGS $defines $includes -Wall -Wextra -c $here/pdq-ref-bench.cpp -o $obj/pdq-ref-bench.o"
echo "$cmd" >&2
$cmd
cmds+=("$cmd")
cmd="$CXX $CXXFLAGS $obj/pdq-ref-bench.o ${objs[*]} $libs -o $out/pdq-ref-bench"
echo "$cmd" >&2
$cmd
cmds+=("$cmd")

case $("$out/pdq-ref-bench" info) in
*'"simd":true'*) simd=true ;;
*) simd=false ;;
esac
native=$($CXX $CXXFLAGS -Q --help=target 2>/dev/null | awk '$1 == "-march=" {print $2; exit}')
{
	echo "reference: facebook/ThreatExchange pdq/cpp at commit $commit"
	echo "compiler: $($CXX --version | head -n 1)"
	echo "flags: $CXXFLAGS $defines (-march resolves to ${native:-?})"
	echo "libraries: $libs (libjpeg $(pkg-config --modversion libjpeg 2>/dev/null || echo '?'), libpng $(pkg-config --modversion libpng 2>/dev/null || echo '?'))"
	echo "Flat::SIMD_ACCELERATED (the AVX-512 VPOPCNTDQ scan): $simd"
	echo "commands:"
	for c in "${cmds[@]}"; do
		echo "  $c"
	done
} >"$out/BUILD"
cat "$out/BUILD"
