package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"suivi/domain"
	"suivi/store"
)

// Config is Suivi's configuration, read from the environment. The variable
// names are public (README, compose files): keep them.
type Config struct {
	Token       string                // TELEGRAM_BOT_TOKEN
	APIURL      string                // TELEGRAM_API_URL
	RedisURL    string                // REDIS_URL
	Cluster     *redis.ClusterOptions // REDIS_CLUSTER_ADDRS (nil: one node, REDIS_URL)
	Admins      []int64               // SUIVI_ADMIN_IDS
	Zone        *time.Location        // SUIVI_TIMEZONE
	ZoneName    string
	HTTPAddr    string           // SUIVI_HTTP_ADDR
	BotUsername string           // SUIVI_BOT_USERNAME
	WebhookURL  string           // SUIVI_WEBHOOK_URL
	PublicURL   string           // SUIVI_PUBLIC_URL
	Work        domain.WorkHours // SUIVI_WORKING_HOURS
	WorkLimited bool             // false: SUIVI_WORKING_HOURS=always
	Secret      string           // SUIVI_WEBHOOK_SECRET
	InviteTTL   time.Duration    // SUIVI_INVITE_TTL
	Workers     int              // SUIVI_WORKERS
	Lease       time.Duration    // SUIVI_INBOX_LEASE
	JobLease    time.Duration    // SUIVI_JOB_LEASE
	Shards      int              // SUIVI_SHARDS
	RateGlobal  float64          // SUIVI_RATE_GLOBAL
	RateChat    float64          // SUIVI_RATE_CHAT
	LogLevel    slog.Level       // SUIVI_LOG_LEVEL
	Retention   int              // SUIVI_RETENTION_MONTHS
	Grace       time.Duration    // SUIVI_CHECKIN_GRACE
	Keys        *store.Keyring   // SUIVI_DATA_KEYS
}

// configVars documents every variable; the README's table mirrors it.
var configVars = []struct{ name, def, doc string }{
	{"TELEGRAM_BOT_TOKEN", "", "Bot token from @BotFather (required to run)"},
	{"TELEGRAM_API_URL", "https://api.telegram.org", "Bot API server"},
	{"REDIS_URL", "redis://127.0.0.1:6379/0", "Redis (redis://, rediss:// or unix://)"},
	{"REDIS_CLUSTER_ADDRS", "", "Redis Cluster nodes host:port,... (optionally redis[s]://user:pass@ in front); replaces REDIS_URL"},
	{"SUIVI_ADMIN_IDS", "", "Comma-separated Telegram user ids of admins"},
	{"SUIVI_TIMEZONE", "Europe/Paris", "Default IANA zone of beneficiaries"},
	{"SUIVI_HTTP_ADDR", "", "Address of the HTTP server (health, webhook), e.g. :8080"},
	{"SUIVI_BOT_USERNAME", "", "Bot username for invite links (default: asked with getMe)"},
	{"SUIVI_WEBHOOK_URL", "", "Public HTTPS URL of /telegram/webhook; empty = long polling"},
	{"SUIVI_PUBLIC_URL", "", "Public URL of this server, where advisors reach the web desk (/desk/); https for the Mini App"},
	{"SUIVI_WORKING_HOURS", "mon-fri 09:00-18:00", "Advisors' working hours unless they set their own; always for none"},
	{"SUIVI_WEBHOOK_SECRET", "", "Secret token Telegram sends with each webhook call"},
	{"SUIVI_INVITE_TTL", "336h", "How long an invite link stays valid"},
	{"SUIVI_WORKERS", "8", "Chats handled in parallel per replica"},
	{"SUIVI_INBOX_LEASE", "30s", "How long a crashed replica's chats wait before another takes them"},
	{"SUIVI_JOB_LEASE", "2m", "How long a crashed replica's scheduled jobs wait before another fires them"},
	{"SUIVI_SHARDS", "16", "Shards of the queues (fixed for a deployment)"},
	{"SUIVI_RATE_GLOBAL", "25", "Messages per second for the whole bot, all replicas together (cut on 429, then climbs back)"},
	{"SUIVI_RATE_CHAT", "1", "Messages per second to one chat"},
	{"SUIVI_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"SUIVI_RETENTION_MONTHS", "24", "Months a beneficiary's data is kept after the end of the accompaniment"},
	{"SUIVI_CHECKIN_GRACE", "6h", "How long a check-in left unfinished waits for a new answer before what was answered goes to the advisor"},
	{"SUIVI_DATA_KEYS", "", "Keys that seal free text in Redis, id:base64key,... (the first seals, all open); required"},
}

var secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// maxCheckinGrace bounds SUIVI_CHECKIN_GRACE: a week, the rhythm of
// check-ins.
const maxCheckinGrace = 7 * 24 * time.Hour

// loadConfig reads the configuration. It returns every problem at once, one
// line each. needToken is false for commands that don't talk to Telegram.
func loadConfig(getenv func(string) string, needToken bool) (Config, []string) {
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	def := func(name string) string {
		for _, c := range configVars {
			if c.name == name {
				return c.def
			}
		}
		return ""
	}
	get := func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def(name)
	}
	c := Config{
		Token:       get("TELEGRAM_BOT_TOKEN"),
		APIURL:      strings.TrimRight(get("TELEGRAM_API_URL"), "/"),
		RedisURL:    get("REDIS_URL"),
		HTTPAddr:    get("SUIVI_HTTP_ADDR"),
		BotUsername: strings.TrimPrefix(get("SUIVI_BOT_USERNAME"), "@"),
		WebhookURL:  get("SUIVI_WEBHOOK_URL"),
		PublicURL:   strings.TrimRight(get("SUIVI_PUBLIC_URL"), "/"),
		Secret:      get("SUIVI_WEBHOOK_SECRET"),
	}
	if needToken && c.Token == "" {
		bad("TELEGRAM_BOT_TOKEN is required: the token @BotFather gave you")
	} else if c.Token != "" && !regexp.MustCompile(`^\d+:[A-Za-z0-9_-]+$`).MatchString(c.Token) {
		bad("TELEGRAM_BOT_TOKEN does not look like a bot token (digits:letters)")
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("TELEGRAM_API_URL must be an http(s) URL, not %q", c.APIURL)
	}
	if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss" && u.Scheme != "unix") {
		bad("REDIS_URL must be a redis://, rediss:// or unix:// URL")
	}
	if v := get("REDIS_CLUSTER_ADDRS"); v != "" {
		if o, err := parseClusterAddrs(v); err != nil {
			bad("REDIS_CLUSTER_ADDRS: %v", err)
		} else {
			c.Cluster = o
		}
	}
	for _, s := range strings.Split(get("SUIVI_ADMIN_IDS"), ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			bad("SUIVI_ADMIN_IDS: %q is not a Telegram user id", s)
			continue
		}
		c.Admins = append(c.Admins, id)
	}
	c.ZoneName = get("SUIVI_TIMEZONE")
	if err := domain.ValidTimezone(c.ZoneName); err != nil {
		bad("SUIVI_TIMEZONE: %v", err)
	} else {
		c.Zone, _ = time.LoadLocation(c.ZoneName)
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.RawQuery != "" {
			bad("SUIVI_PUBLIC_URL must be an http(s):// URL like https://suivi.example.org")
		}
	}
	if w, limited, err := domain.ParseWorkHours(get("SUIVI_WORKING_HOURS")); err != nil {
		bad("SUIVI_WORKING_HOURS: %v", err)
	} else {
		c.Work, c.WorkLimited = w, limited
	}
	if c.WebhookURL != "" {
		u, err := url.Parse(c.WebhookURL)
		local := err == nil && u.Scheme == "http" && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost")
		if err != nil || u.Host == "" || (u.Scheme != "https" && !local) {
			bad("SUIVI_WEBHOOK_URL must be an https:// URL")
		}
		if !secretRE.MatchString(c.Secret) {
			bad("SUIVI_WEBHOOK_SECRET is required with a webhook: 1-256 characters A-Z a-z 0-9 _ -")
		}
		if c.HTTPAddr == "" {
			bad("SUIVI_HTTP_ADDR is required with a webhook: the address Telegram's calls reach")
		}
	}
	dur := func(name string, min time.Duration) time.Duration {
		d, err := time.ParseDuration(get(name))
		if err != nil || d < min {
			bad("%s must be a duration of at least %s, like %s", name, min, def(name))
			return 0
		}
		return d
	}
	c.InviteTTL = dur("SUIVI_INVITE_TTL", time.Hour)
	c.Lease = dur("SUIVI_INBOX_LEASE", time.Second)
	c.JobLease = dur("SUIVI_JOB_LEASE", 5*time.Second)
	if g, err := time.ParseDuration(get("SUIVI_CHECKIN_GRACE")); err != nil || g < time.Minute || g > maxCheckinGrace {
		bad("SUIVI_CHECKIN_GRACE must be a duration from 1m to 168h (a week), like %s", def("SUIVI_CHECKIN_GRACE"))
	} else {
		c.Grace = g
	}
	num := func(name string, min float64) float64 {
		f, err := strconv.ParseFloat(get(name), 64)
		if err != nil || f < min {
			bad("%s must be a number of at least %g", name, min)
		}
		return f
	}
	c.Workers = int(num("SUIVI_WORKERS", 1))
	if n := num("SUIVI_SHARDS", 1); n > store.MaxShards || n != float64(int(n)) {
		bad("SUIVI_SHARDS must be a whole number from 1 to %d", store.MaxShards)
	} else {
		c.Shards = int(n)
	}
	c.RateGlobal = num("SUIVI_RATE_GLOBAL", 0.1)
	c.RateChat = num("SUIVI_RATE_CHAT", 0.1)
	c.Retention = int(num("SUIVI_RETENTION_MONTHS", 1))
	if err := c.LogLevel.UnmarshalText([]byte(get("SUIVI_LOG_LEVEL"))); err != nil {
		bad("SUIVI_LOG_LEVEL must be debug, info, warn or error")
	}
	// Required by every command that reads or writes Suivi's data: without
	// it, free text would go to Redis in clear, and a key made up at start
	// would lose it at the next one.
	if v := get("SUIVI_DATA_KEYS"); v == "" {
		bad("SUIVI_DATA_KEYS is required: the keys that seal free text in Redis (make one with: suivi keys new)")
	} else if k, err := store.ParseKeyring(v); err != nil {
		bad("SUIVI_DATA_KEYS: %v", err)
	} else {
		c.Keys = k
	}
	return c, probs
}

// parseClusterAddrs reads REDIS_CLUSTER_ADDRS: host:port,host:port,...,
// optionally after redis:// or rediss:// (TLS) and user:password@, which
// then apply to every node, as in REDIS_URL:
// rediss://suivi:secret@10.0.0.1:6379,10.0.0.2:6379.
func parseClusterAddrs(v string) (*redis.ClusterOptions, error) {
	o := &redis.ClusterOptions{}
	rest := v
	if scheme, after, ok := strings.Cut(v, "://"); ok {
		if scheme != "redis" && scheme != "rediss" {
			return nil, fmt.Errorf("scheme must be redis:// or rediss://, not %s://", scheme)
		}
		rest = after
		// The credentials end at the last '@' (a password may hold one).
		if i := strings.LastIndexByte(rest, '@'); i >= 0 {
			u, err := url.Parse(scheme + "://" + rest[:i+1] + "host")
			if err != nil {
				return nil, errors.New("bad user:password@")
			}
			o.Username = u.User.Username()
			o.Password, _ = u.User.Password()
			rest = rest[i+1:]
		}
		if scheme == "rediss" {
			o.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
	}
	for _, a := range strings.Split(strings.TrimRight(rest, "/"), ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		host, port, err := net.SplitHostPort(a)
		if err != nil || host == "" || port == "" {
			return nil, fmt.Errorf("%q is not host:port", a)
		}
		if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
			return nil, fmt.Errorf("%q: bad port", a)
		}
		o.Addrs = append(o.Addrs, a)
	}
	if len(o.Addrs) == 0 {
		return nil, errors.New("no node given (host:port,host:port,...)")
	}
	if o.TLSConfig != nil {
		host, _, _ := net.SplitHostPort(o.Addrs[0])
		o.TLSConfig.ServerName = host
	}
	return o, nil
}
