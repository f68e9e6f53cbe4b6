#!/usr/bin/env bash
# build.sh - one entry point for building, testing and running libsocket.
#
#   ./build.sh                 release build of the C libraries + Go packages
#   ./build.sh run             build, then start the demo program
#   ./build.sh test            build + ctest + go vet + go test + abi-check
#   ./build.sh test --sanitize the C tests under ASan+UBSan, go test -race
#   ./build.sh tsan            the thread-safe modules' tests under TSan
#   ./build.sh clang           the C build and tests with clang
#   ./build.sh pollbackend     the network tests on the poll(2) backend
#   ./build.sh nopeers         build everything + ctest with every optional peer off
#                              and without WebSocket permessage-deflate (zlib)
#   ./build.sh export-test     ./build.sh test in a `git archive` of HEAD (no ../shared)
#   ./build.sh goconsumer      a Go module using this one: go mod vendor, cgo and CGO_ENABLED=0 builds
#   ./build.sh socketsystem    go test -tags socket_system against an installed libsocket
#   ./build.sh bench           C and Go benchmarks
#   ./build.sh fuzz [target] [seconds]   libFuzzer (clang)
#   ./build.sh gen             regenerate cgo stubs and the csrc hash
#   ./build.sh check           generated files fresh + cgo boundary lint
#   ./build.sh install PREFIX  install headers, libraries, pkg-config, CMake config
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"
JOBS=$(nproc 2>/dev/null || echo 2)
SHARED=${SOCKET_SHARED_DIR:-$ROOT/../shared}
export PATH=$PATH:/usr/local/go/bin

log() { printf '\n==> %s\n' "$*"; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------
# Dependencies: install what is missing when root, else say what to install.
# ---------------------------------------------------------------------------
need_pkgs() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    log "installing ${missing[*]}"
    if [ -z "${SOCKET_APT_UPDATED:-}" ]; then
      apt-get update -qq || true
      export SOCKET_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    die "missing packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})"
  fi
}

base_deps() { need_pkgs cmake make gcc pkg-config libssl-dev zlib1g-dev python3 openssl; }
# Optional peers: comparison points for tests and benchmarks only. The build
# and every test are correct without them (./build.sh nopeers proves it).
peer_deps() {
  need_pkgs libnghttp2-dev dante-server tinyproxy nghttp2-client nghttp2-server curl
  need_h2spec
  need_ws_peers
}

# WebSocket interop peers (tests/ws/run_interop.sh): Debian's chromium
# (headless browser leg) and Node's ws, pinned by
# tests/ws/node/package-lock.json, installed into tests/ws/node/node_modules.
# The Go peers (gorilla, coder) are built by the script itself. Optional:
# the script skips whatever is missing.
need_ws_peers() {
  if [ "$(id -u)" -eq 0 ]; then
    need_pkgs chromium || echo "chromium could not be installed; the browser leg is skipped"
    command -v npm >/dev/null || need_pkgs npm || echo "npm could not be installed"
  fi
  command -v npm >/dev/null || { echo "npm not found: the Node ws pairs are skipped"; return 0; }
  [ -f tests/ws/node/node_modules/ws/package.json ] && return 0
  log "npm ci (tests/ws/node: ws for the WebSocket interop run)"
  (cd tests/ws/node && npm ci --no-audit --no-fund --loglevel=error) \
    || echo "npm ci failed; the Node ws pairs of the WebSocket interop run are skipped"
}

# h2spec (HTTP/2 conformance, a Go program): built from the pinned tools
# module tests/h2/tools into $HOME/go/bin, where tests/CMakeLists.txt looks.
# Optional: without Go or the module proxy the conformance run is skipped.
need_h2spec() {
  command -v h2spec >/dev/null && return 0
  [ -x "$HOME/go/bin/h2spec" ] && return 0
  command -v go >/dev/null || { echo "h2spec: no Go toolchain; HTTP/2 conformance run skipped"; return 0; }
  log "building h2spec (tests/h2/tools) into $HOME/go/bin"
  (cd tests/h2/tools && GOBIN="$HOME/go/bin" go install github.com/summerwind/h2spec/cmd/h2spec) \
    || echo "h2spec could not be built; HTTP/2 conformance run skipped"
}
fuzz_deps() { need_pkgs clang libclang-rt-14-dev; }
need_go() { command -v go >/dev/null || die "Go 1.26+ is required (https://go.dev/dl/); /usr/local/go/bin is searched"; }

# ---------------------------------------------------------------------------
# cgo stubs: cgo/zz_<area>_<Module>.c #include each csrc file so `go build`
# compiles the same sources as CMake; csrc_hash.go busts Go's build cache.
# ---------------------------------------------------------------------------
cmake_sources() {
  sed -n '/^set(SOCKET_SOURCES/,/^)/p' CMakeLists.txt | grep -o 'csrc/[A-Za-z0-9_/.-]*\.c'
}

gen_stub() { # $1 = csrc/<area>/<File>.c
  local src=$1 area file
  area=$(basename "$(dirname "$src")")
  file=$(basename "$src" .c)
  printf '%s\n' \
    "/* Generated by ./build.sh gen: compiles $src into the cgo package. Do not edit. */" \
    '#ifndef SOCKET_USE_SYSTEM_LIB' \
    "#include \"../$src\"" \
    '#endif' > "cgo/zz_${area}_${file}.c"
}

csrc_hash() {
  { cmake_sources; echo cgo/exceptions.def; find csrc include -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort; } \
    | LC_ALL=C sort -u | xargs sha256sum | sha256sum | cut -c1-64
}

EXCEPTIONS_GO=gosocket/internal/errs/exceptions_gen.go

gen() {
  rm -f cgo/zz_*.c
  local s
  for s in $(cmake_sources); do gen_stub "$s"; done
  printf '%s\n' \
    '// Code generated by ./build.sh gen; DO NOT EDIT.' \
    '' \
    'package cgo' \
    '' \
    '// csrcHash changes whenever a C source or header changes, so the Go build' \
    '// cache (which does not follow #include) recompiles the cgo package.' \
    "const csrcHash = \"$(csrc_hash)\"" > cgo/csrc_hash.go
  python3 cgo/gen_exceptions.py cgo/exceptions.def "$EXCEPTIONS_GO"
}

check() {
  log "generated files"
  local tmp; tmp=$(mktemp -d)
  cp cgo/zz_*.c cgo/csrc_hash.go "$EXCEPTIONS_GO" "$tmp"/ 2>/dev/null || true
  gen
  local stale=0 f
  for f in cgo/zz_*.c cgo/csrc_hash.go "$EXCEPTIONS_GO"; do
    cmp -s "$f" "$tmp/$(basename "$f")" || { echo "stale: $f"; stale=1; }
  done
  for f in "$tmp"/zz_*.c; do
    [ -e "$f" ] && [ ! -e "cgo/$(basename "$f")" ] && { echo "extra stub removed: $(basename "$f")"; stale=1; }
  done
  rm -rf "$tmp"
  [ $stale -eq 0 ] || die "cgo stubs, csrc_hash.go or $EXCEPTIONS_GO were stale; run ./build.sh gen and commit"
  log "nothing outside build.sh and .ci reads ../shared (tests use tests/data)"
  local outside
  outside=$(git grep -lE "\.\./shared|'shared'|\"shared\"" -- ':!docs' ':!tests/data' ':!build.sh' ':!.ci' || true)
  [ -z "$outside" ] || die "these files read ../shared (copy the data into tests/data): $outside"
  log "cgo boundary lint"
  python3 cgo/lint_boundary.py || die "cgo boundary lint failed"
  log "gofmt"
  local unformatted; unformatted=$(gofmt -l cgo gosocket)
  [ -z "$unformatted" ] || die "gofmt needed: $unformatted"
  echo "check: ok"
}

# ---------------------------------------------------------------------------
# C builds
# ---------------------------------------------------------------------------
# Warnings are errors in the test/CI legs (set by them or by SOCKET_WERROR=ON
# in the environment), never in a user's plain build.
WERROR=${SOCKET_WERROR:-OFF}

cmake_build() { # $1 = build dir, rest = cmake args
  local dir=$1; shift
  base_deps
  cmake -S . -B "$dir" -DSOCKET_WERROR="$WERROR" "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS"
}

go_build() {
  need_go
  log "go build"
  go build ./...
}

abi_check() {
  local lib=$1
  if [ -x "$SHARED/api/abi-check" ]; then
    log "abi-check"
    "$SHARED/api/abi-check" . "$lib" | tail -n 15
  else
    echo "abi-check not found at $SHARED/api (set SOCKET_SHARED_DIR); skipped"
  fi
}

cmd_test() {
  WERROR=ON
  peer_deps
  local sanitize=0
  [ "${1:-}" = "--sanitize" ] && sanitize=1
  if [ $sanitize -eq 1 ]; then
    log "C tests under ASan+UBSan"
    cmake_build build-asan -DCMAKE_BUILD_TYPE=Debug -DENABLE_SANITIZERS=ON -DSOCKET_BUILD_BENCH=OFF
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
       UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
       ctest --output-on-failure -j "$JOBS")
    need_go
    log "go test -race"
    go test -race -count=1 ./...
    return
  fi
  check
  log "C build (Debug) + ctest"
  cmake_build build -DCMAKE_BUILD_TYPE=Debug
  (cd build && ctest --output-on-failure -j "$JOBS")
  log "HTTP/2 conformance (h2spec against tests/h2/h2_server)"
  grep -h '^h2spec (' build/Testing/Temporary/LastTest.log 2>/dev/null || echo "h2spec not run (not installed)"
  log "WebSocket conformance table and interop matrix"
  grep -h '^ws conformance (' build/Testing/Temporary/LastTest.log 2>/dev/null || echo "ws conformance table not run"
  grep -h '^ws_interop: ' build/Testing/Temporary/LastTest.log 2>/dev/null || echo "ws_interop not run (no peer installed)"
  need_go
  log "go vet"
  go vet ./...
  log "go test"
  go test -count=1 ./...
  log "go benchmarks (smoke, 1 iteration each)"
  go test -run '^$' -bench . -benchtime 1x ./... >/dev/null
  abi_check build/libsocket.a
}

cmd_tsan() {
  WERROR=ON
  log "thread-safe modules under TSan"
  cmake_build build-tsan -DCMAKE_BUILD_TYPE=Debug -DENABLE_TSAN=ON -DSOCKET_BUILD_BENCH=OFF
  (cd build-tsan && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure -j "$JOBS" -L thread)
}

cmd_pollbackend() {
  WERROR=ON
  log "network tests on the poll(2) backend (-DSOCKET_POLL_BACKEND=poll)"
  cmake_build build-poll -DCMAKE_BUILD_TYPE=Debug -DSOCKET_POLL_BACKEND=poll -DSOCKET_BUILD_BENCH=OFF
  (cd build-poll && ctest --output-on-failure -j "$JOBS" -L net)
}

cmd_clang() {
  WERROR=ON
  need_pkgs clang
  log "C build + ctest with clang (-Werror)"
  CC=clang cmake_build build-clang -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DSOCKET_BUILD_BENCH=ON
  (cd build-clang && ctest --output-on-failure -j "$JOBS")
}

# "Everything optional off": no test peers, and WebSocket permessage-deflate
# not compiled in, so the ws tests assert the extension is never negotiated
# (the default legs assert it is).
cmd_nopeers() {
  WERROR=ON
  log "C build (tests, benchmarks, fuzz replays) + ctest with every optional peer disabled, no permessage-deflate"
  cmake_build build-nopeers -DCMAKE_BUILD_TYPE=Debug -DSOCKET_WITH_PEERS=OFF \
      -DSOCKET_BUILD_BENCH=ON -DENABLE_WEBSOCKET_DEFLATE=OFF
  (cd build-nopeers && ctest --output-on-failure -j "$JOBS" -LE slow)
}

# What a user who clones the repository (or unpacks a release) gets: HEAD
# exported into an empty directory with no ../shared beside it.
cmd_export_test() {
  local tmp; tmp=$(mktemp -d)
  log "git archive HEAD -> $tmp/libsocket (no ../shared)"
  mkdir "$tmp/libsocket"
  git archive HEAD | tar -x -C "$tmp/libsocket"
  [ ! -e "$tmp/shared" ] || die "unexpected $tmp/shared"
  (cd "$tmp/libsocket" && SOCKET_SHARED_DIR="$tmp/shared" ./build.sh test)
  rm -rf "$tmp"
}

# What a Go user gets: a module of their own requiring this one (replace
# directive onto a `git archive` export), vendored and built with cgo, then
# built with CGO_ENABLED=0 (which must compile and report ErrNoCgo).
cmd_goconsumer() {
  need_go
  local tmp; tmp=$(mktemp -d)
  mkdir "$tmp/libsocket" "$tmp/app"
  git archive HEAD | tar -x -C "$tmp/libsocket"
  cp tests/goconsumer/main.go.txt "$tmp/app/main.go"
  printf '%s\n' 'module example.com/app' '' 'go 1.26.0' '' \
    'require github.com/libsocket/libsocket v0.0.0' '' \
    'replace github.com/libsocket/libsocket => ../libsocket' > "$tmp/app/go.mod"
  cp go.sum "$tmp/app/go.sum"
  (
    cd "$tmp/app"
    log "go mod tidy && go mod vendor && go build (cgo) in $tmp/app"
    GOFLAGS=-mod=mod go mod tidy
    go mod vendor
    go build -o app-cgo .
    ./app-cgo | tee out-cgo
    grep -q '^cgo: .*connection refused' out-cgo || die "cgo build: unexpected output"
    log "CGO_ENABLED=0 go build (vendored)"
    CGO_ENABLED=0 go build -o app-nocgo .
    ./app-nocgo | tee out-nocgo
    grep -q '^nocgo: ' out-nocgo || die "CGO_ENABLED=0 build: unexpected output"
  )
  rm -rf "$tmp"
}

# The socket_system build: Go over an installed libsocket (pkg-config),
# not the bundled sources. Proves the bindings use only what the installed
# library exports (public and extension headers).
cmd_socketsystem() {
  WERROR=ON
  need_go
  local tmp; tmp=$(mktemp -d)
  log "install libsocket into $tmp (Release, HTTP compression on like the bundled Go build)"
  cmake_build build-system -DCMAKE_BUILD_TYPE=Release -DSOCKET_BUILD_TESTS=OFF \
      -DSOCKET_BUILD_BENCH=OFF -DENABLE_HTTP_COMPRESSION=ON -DCMAKE_INSTALL_PREFIX="$tmp"
  cmake --install build-system >/dev/null
  log "go test -tags socket_system (linked against the installed library)"
  # A cache of its own: Go's build cache does not key cgo packages on
  # pkg-config's output, so an earlier install's flags could be reused.
  GOCACHE="$tmp/gocache" PKG_CONFIG_PATH="$tmp/lib/pkgconfig" LD_LIBRARY_PATH="$tmp/lib" \
    go test -count=1 -tags socket_system ./cgo ./gosocket/...
  rm -rf "$tmp"
}

cmd_bench() {
  # peers: SocketPoll echo (libevent), HTTP/1 parsers (llhttp; picohttpparser
  # inside libh2o-evloop), HPACK (nghttp2)
  need_pkgs libevent-dev node-llhttp libh2o-evloop-dev libnghttp2-dev
  cmake_build build-release -DCMAKE_BUILD_TYPE=Release -DSOCKET_BUILD_TESTS=OFF
  log "C benchmarks"
  local b
  for b in build-release/tests/bench/bench_*; do
    [ -x "$b" ] && "$b"
  done
  need_go
  log "Go benchmarks"
  go test -run '^$' -bench . -benchmem ./gosocket/...
}

cmd_fuzz() {
  fuzz_deps
  local target=${1:-all} secs=${2:-60}
  CC=clang cmake_build build-fuzz -DCMAKE_BUILD_TYPE=Debug -DENABLE_FUZZING=ON \
      -DCMAKE_C_COMPILER=clang -DSOCKET_BUILD_BENCH=OFF
  local f name
  for f in build-fuzz/fuzz/fuzz_*; do
    name=$(basename "$f"); name=${name#fuzz_}
    [ "$target" = all ] || [ "$target" = "$name" ] || continue
    log "fuzz $name for ${secs}s"
    mkdir -p "build-fuzz/corpus-$name"
    "$f" -max_total_time="$secs" -print_final_stats=1 \
        "build-fuzz/corpus-$name" "fuzz/corpus/$name"
  done
}

cmd_run() {
  cmake_build build-release -DCMAKE_BUILD_TYPE=Release
  go_build
  log "starting the demo (docs/examples/demo.c)"
  exec build-release/docs/examples/example_demo "$@"
}

cmd_install() {
  local prefix=${1:?usage: ./build.sh install PREFIX}
  cmake_build build-release -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix"
  cmake --install build-release
}

case "${1:-}" in
  "")       cmake_build build-release -DCMAKE_BUILD_TYPE=Release; go_build ;;
  run)      shift; cmd_run "$@" ;;
  test)     shift; cmd_test "$@" ;;
  tsan)     cmd_tsan ;;
  clang)    cmd_clang ;;
  pollbackend) cmd_pollbackend ;;
  nopeers)  cmd_nopeers ;;
  export-test) cmd_export_test ;;
  goconsumer) cmd_goconsumer ;;
  socketsystem) cmd_socketsystem ;;
  bench)    cmd_bench ;;
  fuzz)     shift; cmd_fuzz "$@" ;;
  gen)      gen ;;
  check)    WERROR=ON; check ;;
  install)  shift; cmd_install "$@" ;;
  *)        sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
