package http1

import (
	"net/http"
	"net/textproto"
	"slices"
	"strings"
)

// Field is one header field as received: the name with its case kept and
// the value without surrounding whitespace.
type Field struct {
	Name, Value string
}

// Header is a header or trailer section in wire order. Lookups compare
// names case-insensitively and scan the slice (a typical message has a
// dozen fields); use ToHTTPHeader for a map.
type Header []Field

// Get returns the value of the first field named name, or "".
func (h Header) Get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Has reports whether a field named name exists.
func (h Header) Has(name string) bool {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return true
		}
	}
	return false
}

// Values returns the values of every field named name, in order, or nil.
func (h Header) Values(name string) []string {
	var vs []string
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			vs = append(vs, f.Value)
		}
	}
	return vs
}

// ToHTTPHeader converts h to a net/http Header: canonical keys
// (textproto.CanonicalMIMEHeaderKey), values of repeated fields in order.
func (h Header) ToHTTPHeader() http.Header {
	hh := make(http.Header, len(h))
	for _, f := range h {
		k := textproto.CanonicalMIMEHeaderKey(f.Name)
		hh[k] = append(hh[k], f.Value)
	}
	return hh
}

// FromHTTPHeader converts a net/http Header to fields, one per value, in
// the order of the sorted keys.
func FromHTTPHeader(hh http.Header) Header {
	keys := make([]string, 0, len(hh))
	n := 0
	for k, vs := range hh {
		keys = append(keys, k)
		n += len(vs)
	}
	slices.Sort(keys)
	h := make(Header, 0, n)
	for _, k := range keys {
		for _, v := range hh[k] {
			h = append(h, Field{k, v})
		}
	}
	return h
}
