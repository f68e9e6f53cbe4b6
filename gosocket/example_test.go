package gosocket_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/libsocket/libsocket/cgo"
	"github.com/libsocket/libsocket/gosocket"
)

func ExampleSHA256() {
	fmt.Printf("%x\n", gosocket.SHA256([]byte("abc")))
	// Output: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
}

func ExampleHMACSHA256() {
	mac := gosocket.HMACSHA256([]byte("Jefe"), []byte("what do ya want for nothing?"))
	fmt.Println(gosocket.HexEncode(mac[:]))
	// Output: 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843
}

func ExampleNewSHA256() {
	h := gosocket.NewSHA256()
	h.Write([]byte("a"))
	h.Write([]byte("bc"))
	fmt.Printf("%x\n", h.Sum(nil))
	// Output: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
}

func ExampleBase64Decode() {
	for _, s := range []string{"Zm9vYmFy", "Zg", "Zg=", "Zh=="} {
		b, err := gosocket.Base64Decode(s)
		fmt.Printf("%q %q %v\n", s, b, errors.Is(err, gosocket.ErrInvalidInput))
	}
	// Output:
	// "Zm9vYmFy" "foobar" false
	// "Zg" "f" false
	// "Zg=" "" true
	// "Zh==" "" true
}

func ExampleWebSocketAccept() {
	accept, err := gosocket.WebSocketAccept("dGhlIHNhbXBsZSBub25jZQ==")
	fmt.Println(accept, err)
	// Output: s3pPLMBiTxaQ9kYGzzhZRbK+xOo= <nil>
}

func ExampleValidateUTF8() {
	for _, s := range []string{"héllo", "\xed\xa0\x80", "\xe2\x82"} {
		r, err := gosocket.ValidateUTF8([]byte(s))
		fmt.Printf("%v (error: %v)\n", r, err != nil)
	}
	// Output:
	// Valid UTF-8 (error: false)
	// UTF-16 surrogate (U+D800-U+DFFF) (error: true)
	// Incomplete sequence (needs more bytes) (error: true)
}

func ExampleValidator() {
	var v gosocket.Validator
	// "é" is split across two writes, as across two WebSocket fragments.
	fmt.Fprint(&v, "caf\xc3")
	fmt.Println(v.Result())
	fmt.Fprint(&v, "\xa9!")
	fmt.Println(v.Result(), v.Close())
	// Output:
	// Incomplete sequence (needs more bytes)
	// Valid UTF-8 <nil>
}

func ExampleRateLimiter() {
	lim, err := gosocket.NewRateLimiter(1, 3) // 1 token per second, bursts of 3
	if err != nil {
		panic(err)
	}
	defer lim.Close()
	fmt.Println(lim.Allow(2), lim.Allow(1), lim.Allow(1))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fmt.Println(lim.Wait(ctx, 1))
	// Output:
	// true true false
	// context canceled
}

func ExampleNewRateLimiter_error() {
	_, err := gosocket.NewRateLimiter(0, 10)
	var e *gosocket.Error
	if errors.As(err, &e) {
		fmt.Println(e.Exception, errors.Is(err, gosocket.ErrRateLimit))
		fmt.Println(err)
	}
	// Output:
	// SocketRateLimit_Failed true
	// gosocket: NewRateLimiter: tokens_per_sec must be > 0 (SocketRateLimit_Failed)
}

func ExampleSetLogger() {
	h := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: gosocket.LevelTrace,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // keep the output stable
			}
			return a
		},
	})
	gosocket.SetLogger(slog.New(h))
	defer gosocket.SetLogger(nil)

	// The C library logs; here a test hook makes it.
	cgo.LogEmit(cgo.LogWarn, "DNS", "resolver slow")
	// Output: level=WARN msg="resolver slow" component=DNS
}

func ExampleMetricsSnapshot() {
	gosocket.ResetMetrics()
	cgo.IncrementMetric(0, 2) // what the C library does on connect
	m := gosocket.MetricsSnapshot()
	fmt.Println(m.SocketConnectSuccess, m.Map()["socket.connect_success"])
	// Output: 2 2
}
