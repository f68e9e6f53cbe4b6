package gosocket

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"

	"github.com/libsocket/libsocket/cgo"
)

// MaxFilesPerMessage is the most files one SendFiles call can pass.
const MaxFilesPerMessage = cgo.MaxFDsPerMessage

// UnixConn is a Unix-domain stream connection: a Conn that can also pass
// open files (SCM_RIGHTS) and report the peer's credentials.
type UnixConn struct {
	*Conn
}

// DialUnix connects to raddr on network "unix", as net.DialUnix: raddr.Name
// is a file path, or "@name" in the abstract namespace. laddr must be nil
// (binding the client end is not supported). Use a Dialer for a context
// or a timeout.
func DialUnix(network string, laddr, raddr *net.UnixAddr) (*UnixConn, error) {
	if network != "unix" {
		return nil, opError("dial", network, nil, nil, "", unknownNetwork("DialUnix", network))
	}
	if raddr == nil {
		return nil, opError("dial", network, nil, nil, "",
			&Error{Op: "DialUnix", Msg: "missing address", Kind: ErrSocket})
	}
	if laddr != nil {
		return nil, opError("dial", network, laddr, raddr, "",
			&Error{Op: "DialUnix", Msg: "a local address is not supported", Kind: ErrSocket})
	}
	return dialUnix(context.Background(), raddr.Name)
}

// SendFiles passes the descriptors of files (1..MaxFilesPerMessage) to the
// peer together with data, in one message, and returns len(data). The
// peer receives duplicates of the descriptors; the files stay open here.
// Stream sockets need payload to carry descriptors, so an empty data is
// sent as a single zero byte (as the C library does), which the peer
// reads as payload.
//
// The files' descriptors are used without (*os.File).Fd, which would put
// them into blocking mode: each file is held open through its RawConn
// until the message is sent.
func (c *UnixConn) SendFiles(files []*os.File, data []byte) (int, error) {
	if len(files) == 0 || len(files) > MaxFilesPerMessage {
		return 0, &Error{Op: "UnixConn.SendFiles", Msg: fmt.Sprintf("%d files (want 1..%d)", len(files), MaxFilesPerMessage), Kind: ErrSocket}
	}
	payload := data
	if len(payload) == 0 {
		payload = []byte{0}
	}
	fds := make([]int32, len(files))
	var sent int
	err := withFDs(files, fds, func() error {
		var err error
		sent, err = c.sendFDs(fds, payload)
		return err
	})
	if err != nil {
		return 0, err
	}
	if len(data) == 0 {
		return 0, nil
	}
	return sent, nil
}

// withFDs collects the descriptors of files into fds, keeping each file
// referenced (RawConn.Control) while fn runs.
func withFDs(files []*os.File, fds []int32, fn func() error) error {
	if len(files) == 0 {
		return fn()
	}
	i := len(fds) - len(files)
	if files[0] == nil {
		return &Error{Op: "UnixConn.SendFiles", Msg: "nil file #" + strconv.Itoa(i), Kind: ErrSocket}
	}
	rc, err := files[0].SyscallConn()
	if err != nil {
		return wrapErr("UnixConn.SendFiles", err, ErrSocket)
	}
	var inner error
	if err := rc.Control(func(fd uintptr) {
		fds[i] = int32(fd)
		inner = withFDs(files[1:], fds, fn)
	}); err != nil {
		return wrapErr("UnixConn.SendFiles", err, ErrSocket)
	}
	return inner
}

func (c *UnixConn) sendFDs(fds []int32, payload []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	var n int
	var serr error
	err := c.rc.Write(func(uintptr) bool {
		n, serr = c.sock.SendFDs(fds, payload)
		return n != 0 || serr != nil
	})
	if err != nil {
		return 0, c.pollError("UnixConn.SendFiles", err)
	}
	if serr != nil {
		return 0, wrapErr("UnixConn.SendFiles", serr, ErrSocket)
	}
	return n, nil
}

// RecvFiles receives one message carrying up to max files (at most
// MaxFilesPerMessage) and reads its payload into buf. The files are new
// descriptors (close-on-exec) owned by the caller; a message without
// descriptors returns no files. More than max files in the message is an
// error, and all of them are closed. With an empty buf, one byte of
// payload is read and dropped.
func (c *UnixConn) RecvFiles(max int, buf []byte) ([]*os.File, int, error) {
	if max < 1 || max > MaxFilesPerMessage {
		return nil, 0, &Error{Op: "UnixConn.RecvFiles", Msg: fmt.Sprintf("max %d (want 1..%d)", max, MaxFilesPerMessage), Kind: ErrSocket}
	}
	b := buf
	if len(b) == 0 {
		b = make([]byte, 1) // tells "something arrived" from would-block
	}
	fds := make([]int32, max)
	var nfds, n int
	var rerr error
	c.rmu.Lock()
	err := c.rc.Read(func(uintptr) bool {
		nfds, n, rerr = c.sock.RecvFDs(fds, b)
		return nfds != 0 || n != 0 || rerr != nil
	})
	c.rmu.Unlock()
	if err != nil {
		return nil, 0, c.pollError("UnixConn.RecvFiles", err)
	}
	if rerr != nil {
		return nil, 0, readError("UnixConn.RecvFiles", rerr)
	}
	files := make([]*os.File, nfds)
	for i, fd := range fds[:nfds] {
		files[i] = os.NewFile(uintptr(fd), "gosocket-recvfd-"+strconv.Itoa(int(fd)))
	}
	if len(buf) == 0 {
		n = 0
	}
	return files, n, nil
}

// PeerCredentials returns the process ID, user ID and group ID of the
// peer (SO_PEERCRED), as they were when the connection was made.
func (c *UnixConn) PeerCredentials() (pid, uid, gid int, err error) {
	err = c.control("UnixConn.PeerCredentials", func() (err error) {
		pid, uid, gid, err = c.sock.PeerCred()
		return err
	})
	return pid, uid, gid, err
}
