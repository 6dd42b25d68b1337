package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// The references the throughput runs compare Suivi with are this same
// program, started again as a child process with SUIVI_BENCH_CHILD set, so
// that its CPU is measured apart from the fake Bot API's and the
// benchmark's: a bare go-telegram/bot echo bot (long polling, one reply per
// update) and a bare go-telegram/bot sender (32 goroutines). Both use a
// pooled HTTP client configured as Suivi's (cmd/suivi httpClient).
const childEnv = "SUIVI_BENCH_CHILD"

// runChild runs the reference named by SUIVI_BENCH_CHILD, if any, and
// reports whether it did (main then returns).
func runChild() bool {
	kind := os.Getenv(childEnv)
	if kind == "" {
		return false
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch kind {
	case "echo":
		err = refEcho(ctx)
	case "send":
		err = refSend(ctx)
	default:
		err = fmt.Errorf("unknown %s=%q", childEnv, kind)
	}
	if err != nil {
		fatal(err)
	}
	return true
}

// pooledClient is cmd/suivi's httpClient without the metrics.
func pooledClient(timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 128
	tr.MaxIdleConnsPerHost = 64
	tr.MaxConnsPerHost = 64
	tr.IdleConnTimeout = 90 * time.Second
	return &http.Client{Transport: tr, Timeout: timeout}
}

func refBot(extra ...tg.Option) (*tg.Bot, error) {
	opts := append([]tg.Option{
		tg.WithServerURL(os.Getenv("TELEGRAM_API_URL")),
		tg.WithSkipGetMe(),
		tg.WithHTTPClient(time.Minute, pooledClient(time.Minute)),
		tg.WithErrorsHandler(func(error) {}),
	}, extra...)
	return tg.New(os.Getenv("TELEGRAM_BOT_TOKEN"), opts...)
}

// strangerReply is about as long as Suivi's answer to a stranger.
const strangerReply = "Bonjour ! Je suis Suivi, l'assistant de suivi de votre accompagnement. " +
	"Pour commencer, ouvrez le lien personnel que votre conseiller ou conseillère vous a donné."

// refEcho answers each message with one message, until ctx ends.
func refEcho(ctx context.Context) error {
	b, err := refBot(tg.WithDefaultHandler(func(ctx context.Context, b *tg.Bot, u *models.Update) {
		if u.Message == nil {
			return
		}
		_, _ = b.SendMessage(ctx, &tg.SendMessageParams{ChatID: u.Message.Chat.ID, Text: strangerReply})
	}))
	if err != nil {
		return err
	}
	b.Start(ctx)
	return nil
}

// reminderText is about as long as a Suivi step reminder.
const reminderText = "Rappel : « Inscription à des cours de FLE » est prévu pour demain. " +
	"Objectif : améliorer mon français pour les entretiens d'embauche. Vous pouvez compter sur votre conseillère."

// refSend sends one message to each chat of BENCH_CHATS (first:count) from
// 32 goroutines, then waits for ctx to end (the benchmark reads its CPU
// time before stopping it).
func refSend(ctx context.Context) error {
	first, count, err := parseChats(os.Getenv("BENCH_CHATS"))
	if err != nil {
		return err
	}
	b, err := refBot()
	if err != nil {
		return err
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= count || ctx.Err() != nil {
					return
				}
				_, _ = b.SendMessage(ctx, &tg.SendMessageParams{ChatID: first + i, Text: reminderText})
			}
		})
	}
	wg.Wait()
	<-ctx.Done()
	return nil
}

func parseChats(s string) (first, count int64, err error) {
	a, c, ok := strings.Cut(s, ":")
	if !ok {
		return 0, 0, fmt.Errorf("BENCH_CHATS=%q: want first:count", s)
	}
	if first, err = strconv.ParseInt(a, 10, 64); err != nil {
		return 0, 0, fmt.Errorf("BENCH_CHATS=%q: %w", s, err)
	}
	if count, err = strconv.ParseInt(c, 10, 64); err != nil {
		return 0, 0, fmt.Errorf("BENCH_CHATS=%q: %w", s, err)
	}
	return first, count, nil
}
