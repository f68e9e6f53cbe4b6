#!/usr/bin/env bash
# httpserver_compare.sh [ROUNDS] - SocketHTTPServer (tests/httpserver/
# hs_server) next to nghttpd and Go net/http in one run: HTTP/2 prior
# knowledge -n 100000 -c 64 -m 10 and -c 10 -m 10, and HTTP/1.1 --h1 -c 64
# (ours and Go). The harness is h2load_compare.sh; see it for the setup.
#
# Reproduce: tests/bench/httpserver_compare.sh 3   (from the repository root)
H2LOAD_SERVER=hs_server H2LOAD_N=${H2LOAD_N:-100000} exec "$(dirname "$0")/h2load_compare.sh" "$@"
