#!/usr/bin/env bash
# test_install.sh BUILD_DIR SOURCE_DIR - install into a temporary prefix,
# then build and run a consumer three ways: pkg-config (shared), pkg-config
# --static, and CMake find_package. Also checks the shared library's SONAME
# and that only SOCKET_API symbols are exported.
set -euo pipefail
build=$1 src=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(ls -d "$prefix"/lib*/ | head -1)
export PKG_CONFIG_PATH="$libdir/pkgconfig"
cc=${CC:-cc}

$cc "$src/consumer.c" $(pkg-config --cflags --libs libsocket) -o "$prefix/c_shared"
LD_LIBRARY_PATH="$libdir" "$prefix/c_shared"
$cc "$src/consumer.c" $(pkg-config --cflags libsocket) "$libdir/libsocket.a" \
    $(pkg-config --static --libs-only-other --libs-only-l libsocket | sed 's/-lsocket//') -o "$prefix/c_static"
"$prefix/c_static"

cmake -S "$src" -B "$prefix/consumer-build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/consumer-build" >/dev/null
"$prefix/consumer-build/consumer"

soname=$(objdump -p "$libdir/libsocket.so" | awk '/SONAME/ {print $2}')
[ "$soname" = "libsocket.so.0" ] || { echo "unexpected SONAME: $soname"; exit 1; }
# Hidden visibility: internal helpers (double underscore) must not be exported.
# (The symbol list is captured first: grep -q closing a pipe early would
# make nm fail under pipefail.)
exported=$(nm -D --defined-only "$libdir/libsocket.so" | awk '{print $3}')
internal=$(printf '%s\n' "$exported" | grep '__' || true)
[ -z "$internal" ] || { echo "internal symbols exported: $internal"; exit 1; }
printf '%s\n' "$exported" | grep -qx 'Arena_new' || { echo "Arena_new not exported"; exit 1; }
[ -f "$prefix/include/core/Except.h" ] || { echo "headers not installed"; exit 1; }
echo "1 passed, 0 failed"
