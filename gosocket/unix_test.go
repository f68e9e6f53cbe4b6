package gosocket

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
)

// abstractName is a Unix socket name in the abstract namespace, unique
// to this process (the namespace is shared by the whole machine).
func abstractName(s string) string { return fmt.Sprintf("@gosocket-%s-%d", s, os.Getpid()) }

func unixPair(t *testing.T, addr string) (*UnixConn, *UnixConn, func()) {
	t.Helper()
	c1, c2, stop := pipe(t, "unix", addr)
	return c1.(*UnixConn), c2.(*UnixConn), stop
}

func TestUnixPathListener(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	ln, err := Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := ln.Addr().(*net.UnixAddr); !ok || a.Name != path {
		t.Errorf("Addr = %#v", ln.Addr())
	}
	go func() {
		c, err := ln.AcceptUnix()
		if err != nil {
			return
		}
		c.Write([]byte("hi"))
		c.Close()
	}()
	c, err := DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	c.Close()
	if string(b) != "hi" || err != nil {
		t.Errorf("read %q, %v", b, err)
	}
	ln.Close()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket file left after Close: %v", err)
	}
	if _, err := DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"}); err == nil {
		t.Error("dial after Close succeeded")
	}
}

func TestUnixAbstractAndPeerCredentials(t *testing.T) {
	name := abstractName("creds")
	c1, c2, stop := unixPair(t, name)
	defer stop()
	if got := c2.LocalAddr().String(); got != name {
		t.Errorf("accepted LocalAddr = %q, want %q", got, name)
	}
	if got := c1.RemoteAddr().String(); got != name {
		t.Errorf("dialled RemoteAddr = %q, want %q", got, name)
	}
	for _, c := range []*UnixConn{c1, c2} {
		pid, uid, gid, err := c.PeerCredentials()
		if err != nil {
			t.Fatal(err)
		}
		if pid != os.Getpid() || uid != os.Getuid() || gid != os.Getgid() {
			t.Errorf("PeerCredentials = %d/%d/%d, want %d/%d/%d", pid, uid, gid, os.Getpid(), os.Getuid(), os.Getgid())
		}
	}
	tcp1, _, stopTCP := pipe(t, "tcp", "127.0.0.1:0")
	defer stopTCP()
	if _, _, _, err := (&UnixConn{tcp1.(*Conn)}).PeerCredentials(); err == nil {
		t.Error("PeerCredentials on TCP succeeded")
	}
}

func TestUnixSendRecvFiles(t *testing.T) {
	c1, c2, stop := unixPair(t, abstractName("fdpass"))
	defer stop()
	dir := t.TempDir()
	var files []*os.File
	for i := range 3 {
		f, err := os.Create(filepath.Join(dir, fmt.Sprint(i)))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(f, "content of file %d", i)
		files = append(files, f)
	}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	if n, err := c1.SendFiles(files, []byte("three files")); err != nil || n != 11 {
		t.Fatalf("SendFiles = %d, %v", n, err)
	}
	buf := make([]byte, 64)
	got, n, err := c2.RecvFiles(8, buf)
	if err != nil {
		t.Fatal(err)
	}
	if string(buf[:n]) != "three files" || len(got) != 3 {
		t.Fatalf("RecvFiles: payload %q, %d files", buf[:n], len(got))
	}
	for i, f := range got {
		b := make([]byte, 64)
		k, _ := f.ReadAt(b, 0) // the offset is shared with the sender's file
		if want := fmt.Sprintf("content of file %d", i); string(b[:k]) != want {
			t.Errorf("file %d reads %q, want %q", i, b[:k], want)
		}
		f.Close()
	}
	// The sent files stay usable here, and not blocking: Fd was not used.
	if _, err := files[0].Write([]byte("!")); err != nil {
		t.Error(err)
	}

	// Empty payload, empty receive buffer.
	if _, err := c1.SendFiles(files[:1], nil); err != nil {
		t.Fatal(err)
	}
	got, n, err = c2.RecvFiles(1, nil)
	if err != nil || len(got) != 1 || n != 0 {
		t.Fatalf("RecvFiles(1, nil) = %d files, %d, %v", len(got), n, err)
	}
	got[0].Close()

	// Too many files for max: an error, and none leak (fd count test).
	if _, err := c1.SendFiles(files, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if got, _, err := c2.RecvFiles(1, buf); err == nil {
		t.Errorf("RecvFiles with max 1 for 3 files succeeded (%d files)", len(got))
	}

	if _, err := c1.SendFiles(nil, []byte("x")); err == nil {
		t.Error("SendFiles without files succeeded")
	}
	closed, _ := os.Open(os.DevNull)
	closed.Close()
	if _, err := c1.SendFiles([]*os.File{closed}, []byte("x")); err == nil {
		t.Error("SendFiles of a closed file succeeded")
	}
}

// TestUnixRecvFilesPlainData: a message without descriptors.
func TestUnixRecvFilesPlainData(t *testing.T) {
	c1, c2, stop := unixPair(t, abstractName("fdplain"))
	defer stop()
	c1.Write([]byte("plain"))
	buf := make([]byte, 16)
	got, n, err := c2.RecvFiles(4, buf)
	if err != nil || len(got) != 0 || string(buf[:n]) != "plain" {
		t.Errorf("RecvFiles = %d files, %q, %v", len(got), buf[:n], err)
	}
	c1.Close()
	if _, _, err := c2.RecvFiles(4, buf); err != io.EOF {
		t.Errorf("RecvFiles at EOF = %v, want io.EOF", err)
	}
}
