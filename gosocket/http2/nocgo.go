//go:build !cgo

package http2

const cgoEnabled = false
