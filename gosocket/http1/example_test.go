package http1_test

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/libsocket/libsocket/gosocket/http1"
)

func ExampleParser_Execute() {
	p, err := http1.NewRequestParser(nil)
	if err != nil {
		panic(err)
	}
	defer p.Close()

	// Input arrives in pieces; the split does not matter.
	for _, piece := range []string{"GET /index.html?q=1 HT", "TP/1.1\r\nHost: example.com\r\nAccept: */*\r\n", "\r\n"} {
		if _, err := p.Execute([]byte(piece)); err != nil {
			panic(err)
		}
	}
	r := p.Request()
	fmt.Println(r.Method, r.Target, r.Host, r.KeepAlive)
	for _, f := range r.Header {
		fmt.Printf("%s: %s\n", f.Name, f.Value)
	}
	fmt.Println(r.Header.ToHTTPHeader().Get("accept"))
	// Output:
	// GET /index.html?q=1 example.com true
	// Host: example.com
	// Accept: */*
	// */*
}

func ExampleParser_ReadHead() {
	conn := bufio.NewReader(strings.NewReader(
		"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" +
			"GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
	p, _ := http1.NewRequestParser(nil)
	defer p.Close()
	for {
		if err := p.ReadHead(conn); err == io.EOF {
			break
		} else if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(p.Body(conn))
		r := p.Request()
		fmt.Printf("%s %s %v body=%q keep-alive=%v\n", r.Method, r.Target, r.BodyMode, body, r.KeepAlive)
		p.Reset()
	}
	// Output:
	// POST /a chunked body="hello" keep-alive=true
	// GET /b none body="" keep-alive=false
}

func ExampleParseError() {
	p, _ := http1.NewRequestParser(nil)
	defer p.Close()
	_, err := p.Execute([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"))
	fmt.Println(err)
	// Output:
	// http1: Request smuggling attempt detected at offset 75
}

func ExampleAppendResponseHead() {
	b, _ := http1.AppendResponseHead(nil, 200, "", http1.Header{{"Content-Type", "text/plain"}}, -1)
	b = http1.AppendChunk(b, []byte("hi"))
	b, _ = http1.AppendLastChunk(b, nil)
	fmt.Printf("%q\n", b)
	// Output:
	// "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
}
