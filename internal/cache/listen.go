package cache

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/redis/go-redis/v9"
)

// Listener receives what Listen hears on a channel. Its methods are called
// from Listen's goroutine, one at a time.
type Listener interface {
	// Subscribed is called each time the subscription is confirmed: the
	// first time and after every reconnection. Messages published while it
	// was away are lost, so a listener that keeps state derived from them
	// must start afresh.
	Subscribed(first bool)
	// Lost is called once when a working subscription fails; nothing is
	// heard until the next Subscribed.
	Lost(err error)
	// Message is called with each message's payload.
	Message(payload string)
}

// Listen timings: a connection that went silent is pinged after
// listenIdle, so a dead one is noticed; re-subscription backs off up to
// listenMaxBackoff while Redis is away.
const (
	listenIdle       = 15 * time.Second
	listenMaxBackoff = 5 * time.Second
)

// Listen subscribes to channel and delivers to l until ctx ends. It never
// fails: while Redis is down it retries with backoff, and go-redis
// re-subscribes on the new connection (reported as Subscribed again).
func Listen(ctx context.Context, client redis.UniversalClient, channel string, l Listener) {
	ps := client.Subscribe(ctx) // no channel yet: does not touch the network
	// Closing is what interrupts a receive that is waiting; the context
	// alone does not.
	stop := context.AfterFunc(ctx, func() { _ = ps.Close() })
	defer func() {
		stop()
		_ = ps.Close()
	}()
	backoff := 100 * time.Millisecond
	subscribed, failing := false, false
	if err := ps.Subscribe(ctx, channel); err != nil && ctx.Err() == nil {
		// The channel is recorded anyway; the next receive reconnects and
		// re-subscribes.
		l.Lost(err)
		failing = true
	}
	for ctx.Err() == nil {
		msg, err := ps.ReceiveTimeout(ctx, listenIdle)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				_ = ps.Ping(ctx) // a dead connection fails the next receive
				continue
			}
			if !failing {
				l.Lost(err)
				failing = true
			}
			sleep(ctx, backoff)
			backoff = min(backoff*2, listenMaxBackoff)
			continue
		}
		backoff = 100 * time.Millisecond
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				failing = false
				l.Subscribed(!subscribed)
				subscribed = true
			}
		case *redis.Message:
			l.Message(m.Payload)
		}
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
