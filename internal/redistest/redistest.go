// Package redistest gives tests a real Redis: one redis-server per test
// package, listening on a unix socket in a temporary directory, and a fresh
// logical database per test.
//
// Where redis-server is not on PATH it falls back to an in-process miniredis
// and says so, unless SUIVI_TEST_REAL_REDIS=1, when that is a failure.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { redistest.Run(m) }
package redistest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"suivi/internal/redisserver"
)

// databases is how many logical databases the server offers: one per test.
const databases = 2000

// server is the package's redis-server, started by Run. It is set once
// before any test runs and never changed afterwards.
var server struct {
	socket string
	next   atomic.Int32
}

// Run starts redis-server, runs the tests and stops the server. It exits the
// process with the tests' status.
func Run(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	path, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("SUIVI_TEST_REAL_REDIS") == "1" {
			fmt.Fprintln(os.Stderr, "redistest: SUIVI_TEST_REAL_REDIS=1 but redis-server is not on PATH (apt-get install redis-server)")
			return 1
		}
		fmt.Fprintln(os.Stderr, "redistest: redis-server not found on PATH: falling back to in-process miniredis")
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "suivi-redis-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "redistest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	stop, socket, err := redisserver.Start(path, dir, "--databases", fmt.Sprint(databases))
	if err != nil {
		fmt.Fprintln(os.Stderr, "redistest:", err)
		return 1
	}
	defer stop()
	server.socket = socket
	return m.Run()
}

// URL returns a redis:// (or unix://) URL of a fresh, empty database for
// this test, for code that takes REDIS_URL, such as a child process.
func URL(t testing.TB) string {
	t.Helper()
	if server.socket == "" {
		mr := miniredis.RunT(t)
		return "redis://" + mr.Addr() + "/0"
	}
	db := server.next.Add(1)
	if db >= databases {
		t.Fatalf("redistest: more than %d databases requested", databases)
	}
	u := fmt.Sprintf("unix://%s?db=%d", server.socket, db)
	// Start empty even if a previous run left something behind.
	c := redis.NewClient(&redis.Options{Network: "unix", Addr: server.socket, DB: int(db)})
	defer c.Close()
	if err := c.FlushDB(context.Background()).Err(); err != nil {
		t.Fatalf("redistest: flush db %d: %v", db, err)
	}
	return u
}

// Client returns a client on a fresh, empty database for this test, closed
// when the test ends.
func Client(t testing.TB) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(URL(t))
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Real reports whether tests run against a real redis-server.
func Real() bool { return server.socket != "" }
