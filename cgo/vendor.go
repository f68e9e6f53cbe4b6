//go:build required

// This file is never compiled (no build sets the tag "required"). It makes
// `go mod vendor`, which considers every tag, copy the directories of C
// sources and headers that the cgo preamble reaches through relative
// paths (-I${SRCDIR}/../include, ../csrc/...): vendoring copies only
// directories holding a package that something imports.

package cgo

import (
	_ "github.com/libsocket/libsocket/csrc/core"
	_ "github.com/libsocket/libsocket/csrc/dns"
	_ "github.com/libsocket/libsocket/csrc/http"
	_ "github.com/libsocket/libsocket/csrc/poll"
	_ "github.com/libsocket/libsocket/csrc/pool"
	_ "github.com/libsocket/libsocket/csrc/socket"
	_ "github.com/libsocket/libsocket/csrc/tls"
	_ "github.com/libsocket/libsocket/include/core"
	_ "github.com/libsocket/libsocket/include/dns"
	_ "github.com/libsocket/libsocket/include/http"
	_ "github.com/libsocket/libsocket/include/poll"
	_ "github.com/libsocket/libsocket/include/pool"
	_ "github.com/libsocket/libsocket/include/socket"
	_ "github.com/libsocket/libsocket/include/tls"
)
