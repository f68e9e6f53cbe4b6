// Command gointerop is the Go peer of the WebSocket interop run
// (tests/ws/run_interop.sh): echo servers and case-list clients built on
// github.com/gorilla/websocket and github.com/coder/websocket.
//
//	gointerop server      [--deflate] [--page FILE]   gorilla echo server
//	gointerop coderserver [--deflate] [--page FILE]   coder echo server
//	gointerop client      [--deflate] URL             gorilla client, case list
//	gointerop coderclient [--deflate] URL             coder client, case list
//
// Servers listen on 127.0.0.1 (any port), print "listening on
// 127.0.0.1:PORT", answer GET / with FILE (the browser test page) and
// upgrade /echo, echoing every message with its opcode. A text message
// starting with "REPORT " is also printed to stdout (the page's result).
// gorilla's --deflate turns on EnableCompression (it offers and answers
// both *_no_context_takeover); coder's selects CompressionContextTakeover.
//
// Clients print one "PASS name" or "FAIL name: why" line per case of
// cases.go, and "INFO extensions=..." (the server's
// Sec-WebSocket-Extensions answer); exit 0 only when every case passed.
package main

import (
	"flag"
	"fmt"
	"os"
)

func usage() {
	fmt.Fprintln(os.Stderr, "usage: gointerop server|coderserver [--deflate] [--page FILE]")
	fmt.Fprintln(os.Stderr, "       gointerop client|coderclient [--deflate] ws://HOST:PORT/PATH")
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	deflate := fs.Bool("deflate", false, "enable permessage-deflate")
	page := fs.String("page", "", "file served for GET / (browser test page)")
	_ = fs.Parse(os.Args[2:])
	switch os.Args[1] {
	case "server":
		serve(gorillaHandler(*deflate), *page)
	case "coderserver":
		serve(coderHandler(*deflate), *page)
	case "client", "coderclient":
		if fs.NArg() != 1 {
			usage()
		}
		var ok bool
		if os.Args[1] == "client" {
			ok = runGorillaClient(fs.Arg(0), *deflate)
		} else {
			ok = runCoderClient(fs.Arg(0), *deflate)
		}
		if !ok {
			os.Exit(1)
		}
	default:
		usage()
	}
}
