// Package redisserver starts a throw-away redis-server on a unix socket,
// without persistence, for tests and benchmarks.
package redisserver

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Start launches the redis-server at path with its socket and files in
// dir, and waits until it says it is ready. Extra arguments are appended
// (e.g. "--databases", "2000"). stop kills it.
func Start(path, dir string, extra ...string) (stop func(), socket string, err error) {
	socket = filepath.Join(dir, "redis.sock")
	args := append([]string{
		"--port", "0",
		"--unixsocket", socket,
		"--unixsocketperm", "700",
		"--dir", dir,
		"--save", "",
		"--appendonly", "no",
		"--loglevel", "notice",
	}, extra...)
	cmd := exec.Command(path, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start redis-server: %w", err)
	}
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		var lines []string
		for sc.Scan() {
			lines = append(lines, sc.Text())
			// "Ready to accept connections" (tcp) or "... ready to accept connections at <socket>".
			if strings.Contains(strings.ToLower(sc.Text()), "ready to accept connections") {
				ready <- nil
				_, _ = io.Copy(io.Discard, out)
				return
			}
		}
		ready <- fmt.Errorf("redis-server exited before it was ready:\n%s", strings.Join(lines, "\n"))
	}()
	select {
	case err := <-ready:
		if err != nil {
			_ = cmd.Wait()
			return nil, "", err
		}
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, "", errors.New("redis-server not ready after 20s")
	}
	return func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}, socket, nil
}
