#!/usr/bin/env bash
# h2load_compare.sh [ROUNDS] - HTTP/2 server throughput next to peers, in
# one run on this machine (issue 12). Builds tests/h2/h2_server (Release,
# build-rel/) and the Go x/net/http2 h2c server (tests/h2/gointerop,
# "bench" mode), starts them and nghttpd (--no-tls) each pinned to core 0
# (taskset -c 0; Go with GOMAXPROCS=1), and runs h2load pinned to core 1
# against each: -n 200000 -c 64 -m 10 and -n 200000 -c 10 -m 10, ROUNDS
# rounds (default 3) with the server order rotated per round. All three
# answer GET / with the same 24-byte body "hello from libsocket h2\n"
# (nghttpd serves it from index.html; its response carries a few more
# headers: server, date, content-length, last-modified, etag).
# Prints every run, then per config the median req/s per server and the
# ratios ours/nghttpd and ours/Go.
#
# Reproduce: tests/bench/h2load_compare.sh 3   (from the repository root)
set -euo pipefail
rounds=${1:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
command -v nghttpd >/dev/null && command -v h2load >/dev/null && command -v taskset >/dev/null \
  || { echo "needs nghttpd, h2load and taskset" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "needs 2 cores (server on 0, h2load on 1)" >&2; exit 1; }
cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-rel -j2 --target h2_server >/dev/null
dir=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"' EXIT
trap 'exit 1' HUP INT TERM PIPE  # run the EXIT trap (stop the servers) on signals too
(cd tests/h2/gointerop && go build -o "$dir/gointerop" .)
printf 'hello from libsocket h2\n' >"$dir/index.html"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

taskset -c 0 build-rel/tests/h2_server 0 >"$dir/ours.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
  ours=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$dir/ours.log"); [ -n "$ours" ] && break; sleep 0.1
done
ng=$(free_port)
taskset -c 0 nghttpd --no-tls -d "$dir" "$ng" >"$dir/nghttpd.log" 2>&1 &
pids+=($!)
gop=$(free_port)
GOMAXPROCS=1 taskset -c 0 "$dir/gointerop" bench "$gop" >"$dir/go.log" 2>&1 &
pids+=($!)
wait_port "$ours" && wait_port "$ng" && wait_port "$gop" || { echo "a server did not start" >&2; exit 1; }

# Every server must answer with the body before we time it.
for p in "$ours" "$ng" "$gop"; do
  [ "$(curl -s --http2-prior-knowledge "http://127.0.0.1:$p/")" = "hello from libsocket h2" ] \
    || { echo "server on port $p answers differently" >&2; exit 1; }
done

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
names=(ours nghttpd go); ports=("$ours" "$ng" "$gop")
for r in $(seq "$rounds"); do
  for cfg in "-c 64 -m 10" "-c 10 -m 10"; do
    for k in 0 1 2; do
      i=$(( (k + r) % 3 ))
      # shellcheck disable=SC2086
      out=$(taskset -c 1 h2load -n 200000 $cfg "http://127.0.0.1:${ports[$i]}/" 2>&1)
      rps=$(echo "$out" | sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p')
      ok=$(echo "$out" | sed -n 's/^requests: .* \([0-9]*\) succeeded, \([0-9]*\) failed, \([0-9]*\) errored.*/\1 \2 \3/p')
      echo "round $r h2load -n 200000 $cfg ${names[$i]}: ${rps:-?} req/s (succeeded/failed/errored: $ok)"
      [ "$ok" = "200000 0 0" ] || { echo "incomplete run" >&2; exit 1; }
      echo "$cfg|${names[$i]}|$rps" >>"$dir/results"
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$dir/results" <<'PY'
import sys, statistics, collections
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    cfg, name, rps = line.strip().split("|")
    d[(cfg, name)].append(float(rps))
for cfg in ("-c 64 -m 10", "-c 10 -m 10"):
    m = {n: statistics.median(d[(cfg, n)]) for n in ("ours", "nghttpd", "go")}
    print(f"h2load -n 200000 {cfg}: median req/s ours {m['ours']:.0f}, nghttpd {m['nghttpd']:.0f}, go {m['go']:.0f}; "
          f"ours/nghttpd {m['ours']/m['nghttpd']:.2f}, ours/go {m['ours']/m['go']:.2f}")
PY
echo "reproduce: tests/bench/h2load_compare.sh $rounds"
