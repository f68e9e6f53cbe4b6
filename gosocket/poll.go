package gosocket

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libsocket/libsocket/cgo"
)

// Events is a set of readiness events of a Poll.
type Events uint32

// Event bits. EventError and EventHangup are always reported; EventEdge
// is a registration flag (edge-triggered reporting) and never appears in
// an Event.
const (
	EventRead   Events = cgo.PollRead
	EventWrite  Events = cgo.PollWrite
	EventError  Events = cgo.PollError
	EventHangup Events = cgo.PollHangup
	EventEdge   Events = cgo.PollEdge
)

// Pollable is a socket a Poll can watch: *Conn, *UnixConn and *Listener.
type Pollable interface {
	pollTarget() (*sockFile, cgo.Socket)
}

// Event is one ready socket returned by Poll.Wait.
type Event struct {
	Source Pollable // the socket, as given to Add
	Data   any      // the data given to Add or Mod
	Events Events
}

// Poll is the C event loop (SocketPoll: epoll on Linux) for programs that
// want to drive sockets themselves rather than block goroutines on them.
// Read and Write of a socket reported ready do not block; a socket stays
// usable with deadlines and blocking calls at the same time, as Go's
// poller watches it independently.
//
// Add, Mod, Del and Wake may be called from any goroutine, also while
// another one is in Wait. Wait calls are serialized; a blocked Wait holds
// an OS thread. Closing a watched socket removes it from the Poll.
type Poll struct {
	own     cgo.Owner[cgo.Poll] // the C loop; Close frees it after Wait returns
	closing atomic.Bool         // set first by Close: Wait refuses to start
	waitMu  sync.Mutex

	mu     sync.Mutex // guards regs and tokens
	regs   map[uintptr]pollReg
	tokens uintptr         // last registration token handed to C
	buf    []cgo.PollEvent // Wait's scratch, guarded by waitMu
}

// pollReg is one watched socket. C stores only token, the event's user
// data, so Go values never cross into C; an event is delivered only if its
// socket is still registered with the same token.
type pollReg struct {
	src   Pollable
	data  any
	token uintptr
}

// NewPoll creates an event loop returning at most maxEvents events per
// Wait (1..10000).
func NewPoll(maxEvents int) (*Poll, error) {
	if maxEvents > cgo.MaxPollEvents {
		// The C library clamps larger values (as the original); Go
		// reports the mistake instead.
		return nil, &Error{Op: "NewPoll", Msg: "maxEvents " + strconv.Itoa(maxEvents) + " outside 1.." + strconv.Itoa(cgo.MaxPollEvents), Kind: ErrPoll}
	}
	c, err := cgo.NewPoll(maxEvents)
	if err != nil {
		return nil, wrapErr("NewPoll", err, ErrPoll)
	}
	p := &Poll{regs: make(map[uintptr]pollReg)}
	cgo.Own(p, &p.own, cgo.Polls, c, cgo.Poll.Free)
	return p, nil
}

// Add watches s for events (EventRead, EventWrite, optionally EventEdge);
// data comes back in the Events of s. It fails if s is already watched or
// closed.
func (p *Poll) Add(s Pollable, events Events, data any) error {
	return p.ctl("Poll.Add", cgo.PollAdd, s, events, data)
}

// Mod replaces the events and data of a watched socket.
func (p *Poll) Mod(s Pollable, events Events, data any) error {
	return p.ctl("Poll.Mod", cgo.PollMod, s, events, data)
}

func (p *Poll) ctl(op string, cop int, s Pollable, events Events, data any) error {
	sf, sock := s.pollTarget()
	err := p.own.Use(func(c cgo.Poll) error {
		sf.pollsMu.Lock()
		defer sf.pollsMu.Unlock()
		if sf.noPolls {
			return closedError(op)
		}
		p.mu.Lock()
		p.tokens++
		token := p.tokens
		p.mu.Unlock()
		err := sf.control(op, func() error { return c.Ctl(cop, sock, uint32(events), token) })
		if err != nil {
			return err
		}
		p.mu.Lock()
		p.regs[sock.ID()] = pollReg{src: s, data: data, token: token}
		p.mu.Unlock()
		if sf.polls == nil {
			sf.polls = make(map[*Poll]struct{})
		}
		sf.polls[p] = struct{}{}
		return nil
	})
	if errors.Is(err, cgo.ErrClosed) {
		return closedError(op)
	}
	return err
}

// Del stops watching s; a socket that is not watched is ignored.
func (p *Poll) Del(s Pollable) error {
	sf, _ := s.pollTarget()
	sf.pollsMu.Lock()
	delete(sf.polls, p)
	sf.pollsMu.Unlock()
	return p.forget(s)
}

// forget removes s from the C loop and the registrations.
func (p *Poll) forget(s Pollable) error {
	sf, sock := s.pollTarget()
	err := p.own.Use(func(c cgo.Poll) error {
		err := sf.control("Poll.Del", func() error { return c.Ctl(cgo.PollDel, sock, 0, 0) })
		p.mu.Lock()
		if r, ok := p.regs[sock.ID()]; ok && sameSocket(r.src, sf) {
			delete(p.regs, sock.ID())
		}
		p.mu.Unlock()
		return err
	})
	if errors.Is(err, cgo.ErrClosed) {
		return nil // Close forgot every socket
	}
	return err
}

func sameSocket(p Pollable, sf *sockFile) bool {
	x, _ := p.pollTarget()
	return x == sf
}

// detachPolls removes the socket from every Poll watching it. Close calls
// it before the socket is freed.
func (s *sockFile) detachPolls() {
	s.pollsMu.Lock()
	s.noPolls = true
	polls := s.polls
	s.polls = nil
	s.pollsMu.Unlock()
	for p := range polls {
		p.mu.Lock()
		var src Pollable
		for _, r := range p.regs {
			if sameSocket(r.src, s) {
				src = r.src
				break
			}
		}
		p.mu.Unlock()
		if src != nil {
			p.forget(src)
		}
	}
}

// Wait waits until a watched socket is ready, a Wake, or the timeout
// (negative: no timeout) and returns the ready sockets, possibly none.
// It returns an error matching net.ErrClosed when the Poll was closed.
func (p *Poll) Wait(timeout time.Duration) ([]Event, error) {
	ms := -1
	if timeout >= 0 {
		ms = int(min((timeout+time.Millisecond-1)/time.Millisecond, 1<<31-1))
	}
	p.waitMu.Lock()
	defer p.waitMu.Unlock()
	var events []Event
	err := p.own.Use(func(c cgo.Poll) error {
		if p.closing.Load() {
			return cgo.ErrClosed
		}
		var err error
		p.buf, err = c.Wait(ms, p.buf[:0])
		if err != nil {
			return wrapErr("Poll.Wait", err, ErrPoll)
		}
		if p.closing.Load() {
			return cgo.ErrClosed
		}
		events = make([]Event, 0, len(p.buf))
		p.mu.Lock()
		for _, ev := range p.buf {
			r, ok := p.regs[ev.Socket]
			if !ok || r.token != ev.Data {
				continue // removed or changed after the wait returned it
			}
			events = append(events, Event{Source: r.src, Data: r.data, Events: Events(ev.Events)})
		}
		p.mu.Unlock()
		return nil
	})
	if errors.Is(err, cgo.ErrClosed) {
		return nil, closedError("Poll.Wait")
	}
	return events, err
}

// Wake makes the Wait in progress return, or the next one if none is
// waiting. Safe from any goroutine.
func (p *Poll) Wake() error {
	err := p.own.Use(func(c cgo.Poll) error { return wrapErr("Poll.Wake", c.Wake(), ErrPoll) })
	if errors.Is(err, cgo.ErrClosed) {
		return closedError("Poll.Wake")
	}
	return err
}

// Close interrupts a Wait in progress (it returns an error matching
// net.ErrClosed), forgets every watched socket (they stay open) and frees
// the loop. It is idempotent.
//
// The loop is a cgo.Owner: Wait, Add, Mod, Del and Wake run under Use, and
// Owner.Close waits for them. A blocked Wait would hold Close off for its
// whole timeout, so Close first sets closing (no new Wait starts) and
// wakes the loop (a wake-up queued before the wait starts still ends it).
func (p *Poll) Close() error {
	if !p.closing.CompareAndSwap(false, true) {
		return nil
	}
	p.own.Use(func(c cgo.Poll) error { return c.Wake() })
	p.own.Close()
	p.mu.Lock()
	regs := p.regs
	p.regs = nil
	p.mu.Unlock()
	for _, r := range regs {
		sf, _ := r.src.pollTarget()
		sf.pollsMu.Lock()
		delete(sf.polls, p)
		sf.pollsMu.Unlock()
	}
	return nil
}
