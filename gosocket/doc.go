// Package gosocket is the Go API of libsocket, a C networking library.
//
// It offers TCP and Unix-domain connections and listeners that implement
// net.Conn and net.Listener ([Dial], [Dialer], [Listen]), Unix sockets
// that pass open files ([UnixConn]), UDP sockets implementing
// net.PacketConn ([ListenPacket]), the C event loop ([Poll]) and name
// resolution on the C resolver's thread pool ([Resolve]), as well as the
// library's crypto helpers, UTF-8 validation, token-bucket rate limiting,
// metrics and a log/slog bridge, with Go types and Go errors. The C code
// is compiled into the program by the cgo package
// github.com/libsocket/libsocket/cgo; gosocket itself never uses cgo
// directly, so every call into C goes through a shim that turns C
// exceptions into an [*Error].
//
// The functions follow package net: [Dial], [DialContext], [DialTimeout],
// [Listen], [ListenPacket], [DialUnix] and the [Dialer] and [ListenConfig]
// structs (a nil or zero value is the defaults). Their errors are
// [*net.OpError] and [*net.DNSError] values as net's, which unwrap to an
// [*Error] with the C details.
//
// Socket I/O runs in C on non-blocking sockets; Go's runtime poller does
// the waiting, so deadlines, Close and goroutine scheduling behave as with
// package net, and the types work with net/http and other code written
// for net.Conn.
//
// Everything here is safe for concurrent use unless a type says otherwise.
// The package needs cgo. Built with CGO_ENABLED=0 it still compiles, but
// its functions return an error matching ErrNoCgo, and those without an
// error result panic with it.
package gosocket
