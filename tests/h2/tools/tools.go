//go:build tools

// Package tools pins the HTTP/2 conformance tool the tests run: h2spec
// (github.com/summerwind/h2spec, MIT licence). ./build.sh builds it from
// this module (versions fixed by go.mod/go.sum) into $HOME/go/bin, where
// tests/CMakeLists.txt looks for it.
package tools

import _ "github.com/summerwind/h2spec/cmd/h2spec"
