// Package redistest gives tests a real Redis: one redis-server per test
// package, listening on a unix socket in a temporary directory, and a fresh
// logical database per test.
//
// Where redis-server is not on PATH it falls back to an in-process miniredis
// and says so, unless SUIVI_TEST_REAL_REDIS=1, when that is a failure.
//
// With SUIVI_TEST_CLUSTER=1 it also starts a Redis Cluster of three
// masters (three redis-server --cluster-enabled yes on free ports, joined
// by redis-cli --cluster create), and Client and Env hand it out instead:
// the tests then run against the cluster. A cluster has one database, so
// each test that asks for it gets it emptied (FLUSHALL on every master)
// and holds it alone until it ends: those tests run one after another.
// Tests that need the cluster (RequireCluster) are skipped otherwise, with
// a one-line reason.
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
	"strings"
	"sync"
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
	// cluster holds the addresses of the cluster's masters (SUIVI_TEST_CLUSTER=1).
	cluster []string
}

// clusterUse lets one test at a time use the cluster: a test that holds it
// may ask again (its subtests too) without waiting.
var clusterUse struct {
	mu     sync.Mutex
	holder string // name of the test holding the cluster
	free   *sync.Cond
}

func init() { clusterUse.free = sync.NewCond(&clusterUse.mu) }

// ClusterEnv is the variable that runs the tests against a Redis Cluster.
const ClusterEnv = "SUIVI_TEST_CLUSTER"

// Cluster reports whether the tests run against a Redis Cluster.
func Cluster() bool { return len(server.cluster) > 0 }

// RequireCluster skips a test that needs the Redis Cluster when the tests
// do not run with one.
func RequireCluster(t testing.TB) {
	t.Helper()
	if !Cluster() {
		t.Skip("needs a Redis Cluster: set " + ClusterEnv + "=1 (redis-server and redis-cli on PATH)")
	}
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
	if os.Getenv(ClusterEnv) == "1" {
		cli, err := exec.LookPath("redis-cli")
		if err != nil {
			fmt.Fprintln(os.Stderr, "redistest: "+ClusterEnv+"=1 but redis-cli is not on PATH (apt-get install redis-tools)")
			return 1
		}
		stopCluster, addrs, err := redisserver.StartCluster(path, cli, dir, 3)
		if err != nil {
			fmt.Fprintln(os.Stderr, "redistest: cluster:", err)
			return 1
		}
		defer stopCluster()
		server.cluster = addrs
	}
	return m.Run()
}

// ClusterAddrs returns the addresses of the cluster's masters, emptied for
// this test, which holds the cluster until it ends.
func ClusterAddrs(t testing.TB) []string {
	t.Helper()
	RequireCluster(t)
	name := t.Name()
	clusterUse.mu.Lock()
	for clusterUse.holder != "" && clusterUse.holder != name && !strings.HasPrefix(name, clusterUse.holder+"/") {
		clusterUse.free.Wait()
	}
	first := clusterUse.holder == ""
	if first {
		clusterUse.holder = name
		t.Cleanup(func() {
			clusterUse.mu.Lock()
			clusterUse.holder = ""
			clusterUse.free.Broadcast()
			clusterUse.mu.Unlock()
		})
	}
	clusterUse.mu.Unlock()
	if first {
		c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: server.cluster})
		defer c.Close()
		err := c.ForEachMaster(context.Background(), func(ctx context.Context, n *redis.Client) error {
			return n.FlushAll(ctx).Err()
		})
		if err != nil {
			t.Fatalf("redistest: flush the cluster: %v", err)
		}
	}
	return server.cluster
}

// Env returns the variable and value that point Suivi at this test's Redis:
// REDIS_CLUSTER_ADDRS on the cluster (SUIVI_TEST_CLUSTER=1), else REDIS_URL
// of a fresh database.
func Env(t testing.TB) (name, value string) {
	t.Helper()
	if Cluster() {
		return "REDIS_CLUSTER_ADDRS", strings.Join(ClusterAddrs(t), ",")
	}
	return "REDIS_URL", URL(t)
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
// when the test ends: the cluster's (SUIVI_TEST_CLUSTER=1), else a
// database of the package's redis-server.
func Client(t testing.TB) redis.UniversalClient {
	t.Helper()
	if Cluster() {
		c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: ClusterAddrs(t)})
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	return NodeClient(t)
}

// NodeClient returns a client on a fresh, empty database of the package's
// single redis-server (or miniredis), even when the tests run on a cluster:
// for tests of what only one node does.
func NodeClient(t testing.TB) *redis.Client {
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

// Keys returns every key matching pattern, with a SCAN of each master on a
// cluster (a SCAN sees one node's keys only).
func Keys(ctx context.Context, rdb redis.UniversalClient, pattern string) ([]string, error) {
	var (
		mu  sync.Mutex
		out []string
	)
	scan := func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, pattern, 500).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			out = append(out, iter.Val())
			mu.Unlock()
		}
		return iter.Err()
	}
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return scan(ctx, c) })
		return out, err
	}
	return out, scan(ctx, rdb)
}
