package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// cmdHealthcheck asks the bot running on this host for /healthz. Container
// images without a shell or curl use it as their health check.
func cmdHealthcheck(ctx context.Context, getenv func(string) string, stderr io.Writer) int {
	addr := getenv("SUIVI_HTTP_ADDR")
	if addr == "" {
		fmt.Fprintln(stderr, "suivi: healthcheck needs SUIVI_HTTP_ADDR")
		return exitUsage
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		fmt.Fprintf(stderr, "suivi: SUIVI_HTTP_ADDR %q: %v\n", addr, err)
		return exitUsage
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(stderr, "suivi: unhealthy:", err)
		return exitFailure
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(stderr, "suivi: unhealthy: HTTP", resp.StatusCode)
		return exitFailure
	}
	return exitOK
}
