package store

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Rate limits shared by every replica, kept in Redis: the whole bot's rate
// (one bot token) and each chat's, so that N replicas together send no
// more than one would.
//
// The bot's rate is a GCRA (generic cell rate algorithm, as
// github.com/go-redis/redis_rate does) with no burst: each send reserves
// the next slot, 1/rate after the one before, on Redis's clock (TIME), so
// that the slots of all replicas interleave and no 1-second window holds
// more than the rate, also right after a start or a pause; the caller
// sleeps until its slot. Our own script rather than redis_rate: it also
// holds the adaptive rate (AIMD: cut on Telegram's 429, climbs back by
// RateClimb per second up to the configured one) and Telegram's pause, and
// reserves instead of refusing. A pause after a 429 is on the caller's
// clock, like the queues' ready times.
//
// Then, when the caller is about to send (BotGo, after its wait), a second
// check on the moments of sending: a send that woke late (a busy machine)
// would otherwise go out close to the next one, on time, and a second
// would hold one message too many. The last sends' times (Redis ms) are a
// ring of as many as the configured rate (whole messages a second, at most
// rateRingMax): the send goes only if the one that many sends back is over
// a second old, or waits the rest. BotGo also honours a pause that began
// while the caller waited for its slot (a 429 to another replica): the
// slots reserved before it are not sent during it. On a 429, the sends of
// the last second in the ring are what Telegram let through: the rate is
// cut to rateEstimate of that (when it is at least half the rate; else,
// as when there is no ring, by RateCut), so that a limit below the
// configured rate is found at the first 429, not after several cuts.
//
// A chat's rate is a GCRA with a burst, on the caller's clock: a message
// always takes its token (the replies to one update go together, the debt
// is waited in the chat's queue), ChatDelay says how long the chat's next
// item must wait.
//
//	suivi:rate:bot           hash  tat (Redis ms), rate, at, cut (Redis ms), paused (caller ms),
//	                               w0..w<n-1> (Redis ms of the last sends), wi (the ring's next)
//	suivi:rate:chat:<pseudonym of the chat>   hash  tat, paused (caller ms) (TTL)

// The adaptation of the bot's rate to Telegram's 429s (AIMD).
const (
	// RateCut multiplies the rate on a 429 (at most once per rateCutEvery)
	// when the sends of the last second do not tell Telegram's limit.
	RateCut = 0.9
	// rateEstimate is the share of the sends of the last second (what
	// Telegram let through before its 429) the rate is cut to.
	rateEstimate = 0.95
	// rateRingMax is the most sends a second whose times are kept (the
	// ring); a higher configured rate (a benchmark's, not Telegram's) has
	// no ring.
	rateRingMax = 100
	// RateClimb is how much the rate climbs back per second (msg/s/s).
	RateClimb = 0.025
	// rateSlack spaces the slots 2% wider than 1/rate, so that the jitter
	// of the network does not put one message too many in a second.
	rateSlack = 1.02
	// rateCutEvery: the 429s of messages sent together count as one.
	rateCutEvery = 2 * time.Second
	// rateFloor is the lowest the rate is cut to, as a share of the
	// configured one.
	rateFloor = 0.2
)

// rateTake reserves the bot's next send slot.
//
// KEYS[1] suivi:rate:bot
// ARGV[1] configured rate (msg/s), ARGV[2] most wait (ms), ARGV[3] climb
// (msg/s/s), ARGV[4] the caller's now (ms), ARGV[5] slack, ARGV[6] (when
// given) the ring's size n: a slot with no wait is let go at once, as
// rateGo would (TakeSlot)
// Returns {1, wait ms} (reserved: send after the wait, then ask rateGo),
// {3, 0} (reserved with no wait and let go: counted in the ring), {0, wait
// ms} (the next slot is further than the most wait: nothing reserved), or
// {2, ms} (paused after a 429 for that long, on the caller's clock).
var rateTake = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local h = redis.call('HMGET', KEYS[1], 'tat', 'rate', 'at', 'paused')
local paused = tonumber(h[4]) or 0
if paused > tonumber(ARGV[4]) then return {2, paused - tonumber(ARGV[4])} end
local max = tonumber(ARGV[1])
local rate = tonumber(h[2]) or max
local at = tonumber(h[3]) or now
if rate < max and now > at then rate = math.min(max, rate + tonumber(ARGV[3]) * (now - at) / 1000) end
if rate > max then rate = max end
local tat = tonumber(h[1]) or now
if tat < now then tat = now end
local wait = tat - now
if wait > tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'rate', rate, 'at', now)
  return {0, math.ceil(wait)}
end
redis.call('HSET', KEYS[1], 'tat', tat + 1000 * tonumber(ARGV[5]) / rate, 'rate', rate, 'at', now)
local n = tonumber(ARGV[6])
if n and wait <= 0 then
  if n < 1 then return {3, 0} end
  local i = tonumber(redis.call('HGET', KEYS[1], 'wi')) or 0
  if i >= n then i = 0 end
  local oldest = tonumber(redis.call('HGET', KEYS[1], 'w' .. i)) or 0
  if now - oldest >= 1000 then
    redis.call('HSET', KEYS[1], 'w' .. i, now, 'wi', (i + 1) % n)
    return {3, 0}
  end
end
return {1, math.ceil(wait)}`)

// rateCut lowers the bot's rate after a 429 and pauses every send.
//
// KEYS[1] suivi:rate:bot
// ARGV[1] configured rate, ARGV[2] cut factor, ARGV[3] lowest rate,
// ARGV[4] ms between two cuts, ARGV[5] climb, ARGV[6] the caller's now
// (ms), ARGV[7] pause (ms; 0: none), ARGV[8] ring size (0: none),
// ARGV[9] share of the last second's sends
// Returns the rate (msg/s, times 1000).
var rateCut = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local h = redis.call('HMGET', KEYS[1], 'rate', 'at', 'cut', 'paused')
local max = tonumber(ARGV[1])
local rate = tonumber(h[1]) or max
local at = tonumber(h[2]) or now
if rate < max and now > at then rate = math.min(max, rate + tonumber(ARGV[5]) * (now - at) / 1000) end
if rate > max then rate = max end
local cut = tonumber(h[3]) or 0
if now - cut >= tonumber(ARGV[4]) then
  local sent = 0
  local n = tonumber(ARGV[8])
  if n > 0 then
    local f = {}
    for i = 0, n - 1 do f[#f + 1] = 'w' .. i end
    for _, w in ipairs(redis.call('HMGET', KEYS[1], unpack(f))) do
      if w and now - tonumber(w) < 1000 then sent = sent + 1 end
    end
  end
  if sent >= rate / 2 then
    rate = math.min(rate, sent) * tonumber(ARGV[9])
  else
    rate = rate * tonumber(ARGV[2])
  end
  rate = math.max(tonumber(ARGV[3]), rate)
  redis.call('HSET', KEYS[1], 'cut', now)
end
redis.call('HSET', KEYS[1], 'rate', rate, 'at', now)
local upto = tonumber(ARGV[6]) + tonumber(ARGV[7])
if tonumber(ARGV[7]) > 0 and upto > (tonumber(h[4]) or 0) then redis.call('HSET', KEYS[1], 'paused', upto) end
return math.floor(rate * 1000)`)

// rateGo lets a send go: not during a pause, and not as the n+1th in a
// second (the ring of the last n sends' times).
//
// KEYS[1] suivi:rate:bot
// ARGV[1] ring size n (0: none), ARGV[2] the caller's now (ms), ARGV[3]
// '1' when the send waited for its slot (only then is the pause checked)
// Returns {1, 0} (go: counted in the ring), {0, wait ms} (n sends went in
// the last second: try again after the wait), or {2, ms} (paused after a
// 429 for that long, on the caller's clock).
var rateGo = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local h = redis.call('HMGET', KEYS[1], 'paused', 'wi')
local paused = tonumber(h[1]) or 0
if ARGV[3] == '1' and paused > tonumber(ARGV[2]) then return {2, paused - tonumber(ARGV[2])} end
local n = tonumber(ARGV[1])
if n < 1 then return {1, 0} end
local i = tonumber(h[2]) or 0
if i >= n then i = 0 end
local oldest = tonumber(redis.call('HGET', KEYS[1], 'w' .. i)) or 0
if now - oldest < 1000 then return {0, math.max(1, 1000 - (now - oldest))} end
redis.call('HSET', KEYS[1], 'w' .. i, now, 'wi', (i + 1) % n)
return {1, 0}`)

// rateRing is the ring's size for a configured rate: its whole messages
// a second, none above rateRingMax.
func rateRing(perSec float64) int {
	if n := int(perSec); n <= rateRingMax {
		return n
	}
	return 0
}

// BotWindowed reports whether BotGo keeps a ring of send times at perSec
// (else, after no wait, there is nothing for it to check).
func BotWindowed(perSec float64) bool { return rateRing(perSec) > 0 }

// BotGo is asked when a send is about to go, after its slot's wait: it
// counts the send in the ring of the last sends' times and returns 0, or
// how long to wait first (the send that many back is less than a second
// old: ask again after it), or, when the send waited for its slot (waited)
// and Telegram paused the bot meanwhile, paused, how long remains (on
// now's clock). A send that took its slot with no wait is on its way, as
// one already sent.
func (s *Store) BotGo(ctx context.Context, perSec float64, waited bool, now time.Time) (wait, paused time.Duration, err error) {
	w := "0"
	if waited {
		w = "1"
	}
	v, err := rateGo.Run(ctx, s.rdb, []string{s.k.rateBot()}, rateRing(perSec), ms(now), w).Int64Slice()
	if err != nil || len(v) != 2 {
		return 0, 0, fmt.Errorf("bot rate: %w", err)
	}
	d := time.Duration(v[1]) * time.Millisecond
	switch v[0] {
	case 2:
		return 0, d, nil
	case 0:
		return d, 0, nil
	}
	return 0, 0, nil
}

// BotSlot reserves the bot's next send slot under the shared rate (perSec
// at most, lower after 429s) and returns how long to wait for it. When the
// slot is further than maxWait, nothing is reserved and ok is false; when
// Telegram paused the bot, paused is how long remains (on now's clock).
func (s *Store) BotSlot(ctx context.Context, perSec float64, maxWait time.Duration, now time.Time) (wait time.Duration, ok bool, paused time.Duration, err error) {
	return botSlotAnswer(rateTake.Run(ctx, s.rdb, []string{s.k.rateBot()}, rateTakeArgs(perSec, maxWait, now)...))
}

func rateTakeArgs(perSec float64, maxWait time.Duration, now time.Time) []any {
	return []any{perSec, maxWait.Milliseconds(), RateClimb, ms(now), rateSlack}
}

// Slot is the bot's send slot as TakeSlot gives it.
type Slot struct {
	// Wait is how long to wait for the slot (OK) or for the next one
	// (not OK: further than the most wait, nothing reserved).
	Wait time.Duration
	OK   bool
	// Gone: reserved with no wait and let go, counted in the ring of the
	// last sends: send now, without BotGo.
	Gone bool
	// Paused is how long Telegram's pause of the bot lasts (on the
	// caller's clock); nothing reserved.
	Paused time.Duration
}

// TakeSlot is BotSlot, and when the slot needs no wait, BotGo in the same
// script: a send that nothing holds back costs one round trip, not two
// (issue 9). Otherwise the caller waits Wait, then asks BotGo.
func (s *Store) TakeSlot(ctx context.Context, perSec float64, maxWait time.Duration, now time.Time) (Slot, error) {
	return slotAnswer(rateTake.Run(ctx, s.rdb, []string{s.k.rateBot()}, takeSlotArgs(perSec, maxWait, now)...))
}

func takeSlotArgs(perSec float64, maxWait time.Duration, now time.Time) []any {
	return append(rateTakeArgs(perSec, maxWait, now), rateRing(perSec))
}

// botSlotAnswer reads rateTake's answer.
func botSlotAnswer(cmd *redis.Cmd) (wait time.Duration, ok bool, paused time.Duration, err error) {
	sl, err := slotAnswer(cmd)
	return sl.Wait, sl.OK, sl.Paused, err
}

// slotAnswer reads rateTake's answer as a Slot.
func slotAnswer(cmd *redis.Cmd) (Slot, error) {
	v, err := cmd.Int64Slice()
	if err != nil || len(v) != 2 {
		return Slot{}, fmt.Errorf("bot rate: %w", err)
	}
	d := time.Duration(v[1]) * time.Millisecond
	switch v[0] {
	case 2:
		return Slot{Paused: d}, nil
	case 0:
		return Slot{Wait: d}, nil
	case 3:
		return Slot{OK: true, Gone: true}, nil
	}
	return Slot{Wait: d, OK: true}, nil
}

// CutBotRate lowers the shared rate after Telegram's 429 (once for the
// 429s that come together: to what went in the last second, or by
// RateCut) and, when pause > 0, pauses every send for it (on now's
// clock). It returns the rate now.
func (s *Store) CutBotRate(ctx context.Context, perSec float64, pause time.Duration, now time.Time) (float64, error) {
	v, err := rateCut.Run(ctx, s.rdb, []string{s.k.rateBot()}, perSec, RateCut, perSec*rateFloor,
		rateCutEvery.Milliseconds(), RateClimb, ms(now), pause.Milliseconds(), rateRing(perSec), rateEstimate).Int64()
	if err != nil {
		return 0, fmt.Errorf("cut bot rate: %w", err)
	}
	return float64(v) / 1000, nil
}

// BotRate returns the shared rate now (perSec until a 429 cut it).
func (s *Store) BotRate(ctx context.Context, perSec float64) (float64, error) {
	v, err := s.rdb.HMGet(ctx, s.k.rateBot(), "rate").Result()
	if err != nil {
		return 0, fmt.Errorf("bot rate: %w", err)
	}
	if str, ok := v[0].(string); ok {
		var r float64
		if _, err := fmt.Sscan(str, &r); err == nil {
			return min(r, perSec), nil
		}
	}
	return perSec, nil
}

// rateChat is one chat's limiter, on the caller's clock.
//
// KEYS[1] suivi:rate:chat:<chat>
// ARGV[1] now (ms), ARGV[2] interval 1/rate (ms), ARGV[3] burst tolerance
// (ms: (burst-1) intervals), ARGV[4] 'take', 'peek' or 'pause',
// ARGV[5] pause until (ms, with 'pause')
// Returns ms: with 'take', the pause left (0: the token is taken, even
// over the rate); with 'peek', how long the next message must wait.
var rateChat = redis.NewScript(`
local now = tonumber(ARGV[1])
local h = redis.call('HMGET', KEYS[1], 'tat', 'paused')
local tat = tonumber(h[1]) or now
local paused = tonumber(h[2]) or 0
if ARGV[4] == 'pause' then
  if tonumber(ARGV[5]) > paused then
    redis.call('HSET', KEYS[1], 'paused', ARGV[5])
    redis.call('PEXPIRE', KEYS[1], math.ceil(math.max(tonumber(ARGV[5]), tat) - now) + 60000)
  end
  return 0
end
if paused > now then return paused - now end
if ARGV[4] == 'peek' then
  return math.max(0, math.ceil(tat - tonumber(ARGV[3]) - now))
end
if tat < now then tat = now end
tat = tat + tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'tat', tat)
redis.call('PEXPIRE', KEYS[1], math.ceil(math.max(tat, paused) - now) + 60000)
return 0`)

// ChatLimit is one chat's rate: PerSecond, with bursts of Burst messages.
type ChatLimit struct {
	PerSecond float64
	Burst     int
}

func (l ChatLimit) args() (interval, tolerance float64) {
	interval = 1000 / l.PerSecond
	return interval, float64(max(l.Burst, 1)-1) * interval
}

// TakeChat takes a chat's token for a message (even over its rate: the
// debt is what ChatDelay waits). It returns how long Telegram's pause of
// the chat still lasts; then nothing is taken.
func (s *Store) TakeChat(ctx context.Context, chat int64, l ChatLimit, now time.Time) (paused time.Duration, err error) {
	iv, tol := l.args()
	n, err := rateChat.Run(ctx, s.rdb, []string{s.rateChatKey(chat)}, ms(now), iv, tol, "take", 0).Int64()
	if err != nil {
		return 0, fmt.Errorf("chat rate: %w", err)
	}
	return time.Duration(n) * time.Millisecond, nil
}

// ChatDelay returns how long a chat's next message must wait: its own
// rate, or Telegram's pause of the chat.
func (s *Store) ChatDelay(ctx context.Context, chat int64, l ChatLimit, now time.Time) (time.Duration, error) {
	iv, tol := l.args()
	n, err := rateChat.Run(ctx, s.rdb, []string{s.rateChatKey(chat)}, ms(now), iv, tol, "peek", 0).Int64()
	if err != nil {
		return 0, fmt.Errorf("chat rate: %w", err)
	}
	return time.Duration(n) * time.Millisecond, nil
}

// PauseChat holds a chat's messages until until (Telegram's retry_after).
func (s *Store) PauseChat(ctx context.Context, chat int64, until, now time.Time) error {
	if err := rateChat.Run(ctx, s.rdb, []string{s.rateChatKey(chat)}, ms(now), 0, 0, "pause", ms(until)).Err(); err != nil {
		return fmt.Errorf("pause chat: %w", err)
	}
	return nil
}
