#!/bin/bash
# run_test.sh GO SRCDIR TEST_BINARY [ARGS] - build the Go peer of
# test_http_client (tests/httpclient/peer, standard library only) and run
# the test with HTTPCLIENT_PEER pointing at it. Without Go, or when the
# build fails, the test still runs its offline cases and exits 77.
set -u
go=$1; src=$2; bin=$3; shift 3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if [ -x "$go" ] && (cd "$src/tests/httpclient/peer" && GOFLAGS=-mod=mod "$go" build -o "$dir/peer" .) ; then
  export HTTPCLIENT_PEER="$dir/peer"
else
  echo "go build of the peer failed: network tests skipped"
fi
"$bin" "$@"
