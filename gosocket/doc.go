// Package gosocket is the Go API of libsocket, a C networking library.
//
// It offers the library's crypto helpers, UTF-8 validation, token-bucket
// rate limiting, metrics and a log/slog bridge with Go types and Go
// errors. The C code is compiled into the program by the cgo package
// github.com/libsocket/libsocket/cgo; gosocket itself never uses cgo
// directly, so every call into C goes through a shim that turns C
// exceptions into an [*Error].
//
// Everything here is safe for concurrent use unless a type says otherwise.
// The package needs cgo. Built with CGO_ENABLED=0 it still compiles, but
// its functions return an error matching ErrNoCgo, and those without an
// error result panic with it.
package gosocket
