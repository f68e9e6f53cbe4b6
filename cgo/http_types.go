package cgo

// Span is an offset and a length into a string the same call returned
// (the layout of the C GoSpan).
type Span struct{ Off, Len uint32 }

// Of returns the bytes of s that sp covers.
func (sp Span) Of(s string) string { return s[sp.Off : sp.Off+sp.Len] }

// HTTP1Config mirrors SocketHTTP1_Config.
type HTTP1Config struct {
	MaxRequestLine, MaxHeaderName, MaxHeaderValue int
	MaxHeaders, MaxHeaderSize, MaxChunkSize       int
	MaxTrailerSize                                int
	AllowObsFold, Strict                          bool
}

// HTTP1Head is a completed message head. Head is one Go copy of the
// parser's head buffer (terminators overwritten with NUL bytes, obs-folds
// with spaces); every other string is a substring of it, except Scheme,
// Authority and Path of an absolute-form target, which the parser builds.
type HTTP1Head struct {
	Head                       string
	Fields                     []Span // name, value, ... into Head; valid until the next call
	Method, Target, Reason     Span   // into Head
	MethodID, Version, Status  int
	Scheme, Authority, Path    string
	BodyMode                   int
	ContentLength              int64
	KeepAlive, Upgrade, Expect bool
	UpgradeProto               string
}

// HTTP1Result is what one Execute or ReadBody call did.
type HTTP1Result struct {
	Result        int   // SocketHTTP1_Result
	State         int   // SocketHTTP1_State after the call
	Consumed      int   // input bytes used (the error offset on failure)
	Written       int   // ReadBody: content bytes produced
	BodyRemaining int64 // see SocketHTTP1_Parser_body_remaining
	KeepAlive     bool  // current should_keepalive, once the head is done

	HeadReady bool      // this call completed the head:
	Head      HTTP1Head // valid when HeadReady

	// Set by the call that completed a chunked body: one Go copy of the
	// trailer section and name/value spans into it.
	TrailersReady bool
	Trailers      string
	TrailerFields []Span // valid until the next call
}

// HTTP1 parser results and states (SocketHTTP1_Result, _State, _BodyMode).
const (
	HTTP1OK         = 0
	HTTP1Incomplete = 1
	HTTP1Error      = 2 // first error value; every result >= it is an error

	HTTP1StateComplete = 7
	HTTP1StateError    = 8

	HTTP1BodyNone          = 0
	HTTP1BodyContentLength = 1
	HTTP1BodyChunked       = 2
	HTTP1BodyUntilClose    = 3
)

// HTTP1SerHead is the input of HTTP1Serialize: a request line (Method,
// Target, Authority) or a status line (Status, Reason).
type HTTP1SerHead struct {
	Version       int // 10 or 11
	Status        int
	HasBody       bool
	ContentLength int64 // -1 when unknown
	Method        string
	Target        string // path, or host:port for CONNECT
	Authority     string // Host unless a field sets it
	Reason        string // "" for the registered phrase
}

// HPACKField is one field as spans into the strings of its header block:
// what HPACKDecoder.Decode returns and HPACKEncoder.Encode takes (the
// layout of the C GoHPACKSpanField).
type HPACKField struct {
	Name, Value Span
	Sensitive   bool // sent as a never-indexed literal
}

// HPACKEncodeBound is the most bytes Encode writes for fields whose
// strings total strsLen bytes: every string literal with up to 5 length
// bytes, a 5-byte index or name prefix per field, two size updates.
func HPACKEncodeBound(strsLen, nfields int) int { return strsLen + 16*nfields + 32 }

// HPACKResultOK is HPACK_OK; HPACK results are SocketHPACK_Result values.
const HPACKResultOK = 0

// Live C objects of the HTTP bindings, by kind (see Owner).
var (
	HTTP1Parsers  = NewKind("HTTP1Parser")
	HTTP1Codecs   = NewKind("HTTP1Codec") // content decoders and encoders
	HPACKEncoders = NewKind("HPACKEncoder")
	HPACKDecoders = NewKind("HPACKDecoder")
)
