package main

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// redisProxy sits between a child process and the benchmark's redis-server
// (unix sockets both) and counts what goes through: connections opened and
// round trips. A Redis client writes a command, or a whole pipeline, then
// waits for the answer before it writes again on that connection, so each
// burst the client writes is one round trip (a pipeline of 10 commands is
// one; a blocking command is one however long it blocks). The proxy reads
// with a large buffer so that a burst is not split.
type redisProxy struct {
	ln       net.Listener
	upstream string

	conns      atomic.Int64 // connections accepted
	open       atomic.Int64 // open now
	peak       atomic.Int64 // most open at once
	roundTrips atomic.Int64 // client bursts forwarded

	wg sync.WaitGroup
}

// newRedisProxy listens on the unix socket path and forwards to upstream.
func newRedisProxy(path, upstream string) (*redisProxy, error) {
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	p := &redisProxy{ln: ln, upstream: upstream}
	p.wg.Go(p.accept)
	return p, nil
}

func (p *redisProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.conns.Add(1)
		n := p.open.Add(1)
		for {
			pk := p.peak.Load()
			if n <= pk || p.peak.CompareAndSwap(pk, n) {
				break
			}
		}
		p.wg.Go(func() { p.serve(c) })
	}
}

func (p *redisProxy) serve(c net.Conn) {
	defer p.open.Add(-1)
	defer c.Close()
	up, err := net.Dial("unix", p.upstream)
	if err != nil {
		return
	}
	defer up.Close()
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(c, up)
		_ = c.Close()
		close(done)
	}()
	buf := make([]byte, 1<<20)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			p.roundTrips.Add(1)
			if _, werr := up.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	_ = up.Close()
	<-done
}

// counts returns the connections accepted and the round trips so far.
func (p *redisProxy) counts() (conns, roundTrips int64) {
	return p.conns.Load(), p.roundTrips.Load()
}

func (p *redisProxy) Close() error {
	err := p.ln.Close()
	p.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
