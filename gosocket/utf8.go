package gosocket

import "github.com/libsocket/libsocket/cgo"

// UTF8Result classifies UTF-8 input (RFC 3629).
type UTF8Result int

// Results; all but UTF8Valid and UTF8Incomplete are errors.
const (
	UTF8Valid      UTF8Result = cgo.UTF8Valid      // complete and valid
	UTF8Invalid    UTF8Result = cgo.UTF8Invalid    // invalid byte or sequence
	UTF8Incomplete UTF8Result = cgo.UTF8Incomplete // valid so far, ends inside a character
	UTF8Overlong   UTF8Result = cgo.UTF8Overlong   // overlong encoding
	UTF8Surrogate  UTF8Result = cgo.UTF8Surrogate  // encodes U+D800..U+DFFF
	UTF8TooLarge   UTF8Result = cgo.UTF8TooLarge   // encodes a value above U+10FFFF
)

// String returns the C library's description of r.
func (r UTF8Result) String() string { return cgo.UTF8ResultString(int(r)) }

// ValidUTF8 reports whether b is entirely valid UTF-8. It accepts exactly
// what unicode/utf8.Valid accepts.
func ValidUTF8(b []byte) bool { return cgo.ValidateUTF8(b) == cgo.UTF8Valid }

// ValidateUTF8 classifies b. For any result but UTF8Valid it also returns
// an error matching ErrInvalidUTF8.
func ValidateUTF8(b []byte) (UTF8Result, error) {
	r := UTF8Result(cgo.ValidateUTF8(b))
	if r != UTF8Valid {
		return r, utf8Error("ValidateUTF8", r)
	}
	return r, nil
}

func utf8Error(op string, r UTF8Result) error {
	return &Error{Op: op, Msg: r.String(), Kind: ErrInvalidUTF8}
}

// Validator validates a UTF-8 stream written to it in pieces split
// anywhere, for example the fragments of a WebSocket text message. The
// zero value is ready to use. A Validator is not safe for concurrent use.
type Validator struct {
	st     cgo.UTF8State
	result UTF8Result
	closed bool
	err    error // sticky error of Write or Close
}

// Write feeds p to the validator. Once the stream is known to be invalid
// it returns 0 and an error matching ErrInvalidUTF8, for this and every
// later Write until Reset (the C validator does not report how much of p
// was valid).
func (v *Validator) Write(p []byte) (int, error) {
	if v.closed {
		return 0, &Error{Op: "Validator.Write", Msg: "write after Close", Kind: ErrClosed}
	}
	if v.err != nil {
		return 0, v.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	r, err := v.st.Update(p)
	if err != nil {
		v.err = wrapErr("Validator.Write", err, ErrUTF8)
		return 0, v.err
	}
	v.result = UTF8Result(r)
	if v.result != UTF8Valid && v.result != UTF8Incomplete {
		v.err = utf8Error("Validator.Write", v.result)
		return 0, v.err
	}
	return len(p), nil
}

// Result reports the stream so far: UTF8Valid on a character boundary,
// UTF8Incomplete inside a character, or the error found.
func (v *Validator) Result() UTF8Result { return v.result }

// Close ends the stream and reports an error matching ErrInvalidUTF8 if it
// is invalid or ends inside a character (UTF8Incomplete). Calling Close
// again returns the same result.
func (v *Validator) Close() error {
	if v.closed {
		return v.err
	}
	v.closed = true
	if v.err != nil {
		return v.err
	}
	r, err := v.st.Finish()
	if err != nil {
		v.err = wrapErr("Validator.Close", err, ErrUTF8)
		return v.err
	}
	v.result = UTF8Result(r)
	if v.result != UTF8Valid {
		v.err = utf8Error("Validator.Close", v.result)
	}
	return v.err
}

// Reset starts a new stream, also after Close.
func (v *Validator) Reset() {
	*v = Validator{}
}
