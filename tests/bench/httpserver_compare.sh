#!/usr/bin/env bash
# httpserver_compare.sh [ROUNDS] - SocketHTTPServer (tests/httpserver/
# hs_server) next to nghttpd and Go net/http (x/net/http2 h2c, the
# "bench" mode of tests/h2/gointerop) in one run on this machine. Each
# server is pinned to core 0 (Go with GOMAXPROCS=1), h2load to core 1.
# Configs: HTTP/2 prior knowledge -n 100000 -c 64 -m 10 and -c 10 -m 10
# (all three servers), HTTP/1.1 --h1 -n 100000 -c 64 (ours and Go;
# nghttpd speaks only HTTP/2). All answer GET / with the 24-byte body
# "hello from libsocket h2\n" (nghttpd from index.html; its headers
# differ a little: server, date, last-modified, etag). ROUNDS rounds
# (default 3), server order rotated per round; prints every run, then the
# median req/s per server and the ratios ours/nghttpd and ours/go.
#
# Reproduce: tests/bench/httpserver_compare.sh 3   (from the repository root)
set -euo pipefail
rounds=${1:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
command -v nghttpd >/dev/null && command -v h2load >/dev/null && command -v taskset >/dev/null \
  || { echo "needs nghttpd, h2load and taskset" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "needs 2 cores (server on 0, h2load on 1)" >&2; exit 1; }
cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-rel -j2 --target hs_server >/dev/null
dir=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"' EXIT
trap 'exit 1' HUP INT TERM PIPE
(cd tests/h2/gointerop && go build -o "$dir/gointerop" .)
body='hello from libsocket h2'
printf '%s\n' "$body" >"$dir/index.html"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

taskset -c 0 build-rel/tests/hs_server -b "$body
" 0 >"$dir/ours.log" 2>&1 &
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
for p in "$ours" "$ng" "$gop"; do
  [ "$(curl -s --http2-prior-knowledge "http://127.0.0.1:$p/")" = "$body" ] \
    || { echo "server on port $p answers differently" >&2; exit 1; }
done

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
names=(ours nghttpd go); ports=("$ours" "$ng" "$gop")
for r in $(seq "$rounds"); do
  for cfg in "-c 64 -m 10" "-c 10 -m 10" "--h1 -c 64"; do
    for k in 0 1 2; do
      i=$(( (k + r) % 3 ))
      [ "${names[$i]}" = nghttpd ] && [ "$cfg" = "--h1 -c 64" ] && continue
      # shellcheck disable=SC2086
      out=$(taskset -c 1 h2load -n 100000 $cfg "http://127.0.0.1:${ports[$i]}/" 2>&1)
      rps=$(echo "$out" | sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p')
      ok=$(echo "$out" | sed -n 's/^requests: .* \([0-9]*\) succeeded, \([0-9]*\) failed, \([0-9]*\) errored.*/\1 \2 \3/p')
      echo "round $r h2load -n 100000 $cfg ${names[$i]}: ${rps:-?} req/s (succeeded/failed/errored: $ok)"
      [ "$ok" = "100000 0 0" ] || { echo "incomplete run" >&2; exit 1; }
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
for cfg in ("-c 64 -m 10", "-c 10 -m 10", "--h1 -c 64"):
    m = {n: statistics.median(d[(cfg, n)]) for n in ("ours", "nghttpd", "go") if d[(cfg, n)]}
    line = f"h2load -n 100000 {cfg}: median req/s " + ", ".join(f"{n} {v:.0f}" for n, v in m.items())
    for ref in ("nghttpd", "go"):
        if ref in m:
            line += f"; ours/{ref} {m['ours'] / m[ref]:.2f}"
    print(line)
PY
echo "reproduce: tests/bench/httpserver_compare.sh $rounds"
