// Package cgo compiles the libsocket C core into Go programs and
// exposes it through thin Go wrappers over C shims.
//
// There is no stability promise: the API follows the C library and
// changes with it. Programs should use
// github.com/libsocket/libsocket/gosocket, which is built on this package.
//
// # The boundary
//
// The C core reports failures with setjmp/longjmp exceptions, and a
// longjmp must never cross a Go frame. Go therefore never calls a
// RAISE-capable C function directly: each one is wrapped by a shim named
// go_<Module>_<verb> (shim.h, shim_core.c) that opens a TRY, calls the
// function and, if anything is raised, copies the exception into a
// caller-provided struct before returning a negative code. Functions that
// never raise may be called directly; cgo/lint_boundary.py keeps the list
// and fails on any other C call.
//
// Go byte slices and strings are passed as pointer plus length, borrowed
// for the duration of one call; C never keeps them. Each user-visible
// operation costs one cgo call.
//
// C calls back into Go for the log sink, the event handler and
// [InvokeCallback]. The exported Go functions recover panics and return a
// status; the C side raises, if at all, only after the Go frame has
// returned, inside the TRY of the same cgo call.
//
// # Building
//
// By default the package compiles the C sources of this module itself
// (generated stubs cgo/zz_*.c include csrc/), needing only a C compiler,
// OpenSSL and zlib headers. With the build tag socket_system it links an
// installed libsocket found through pkg-config instead. Without cgo the
// package still compiles: functions return [ErrNoCgo], and those without
// an error result panic with it.
package cgo
