//go:build required

// Package pool holds C sources, not Go code. The file exists so that
// `go mod vendor` copies this directory: package cgo compiles it (see
// cgo/vendor.go).
package pool
