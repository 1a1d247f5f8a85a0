package rbac

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/casbin/casbin/v2/persist"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
)

// Channel is the Redis pub/sub channel policy changes are announced on. It is
// global ("g:"): one message names the tenant it concerns.
const Channel = "g:rbac:policy"

// Timings of the watcher. publishTimeout bounds Update so a write request
// never waits long on a dead Redis; the periodic reload covers what is lost.
const (
	publishTimeout = time.Second
	receiveTimeout = 15 * time.Second // then ping, to notice a silently dead connection
	maxBackoff     = 5 * time.Second
)

// Watcher fans policy changes out between app instances over Redis pub/sub
// (R4). It implements casbin's persist.Watcher; UpdateDomain narrows a
// message to one tenant so receivers reload only that domain.
type Watcher struct {
	client redis.UniversalClient
	ps     *redis.PubSub
	id     string // this instance; its own messages are ignored
	log    *slog.Logger

	mu sync.Mutex
	cb func(string)

	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

var _ persist.Watcher = (*Watcher)(nil)

// message is what goes over the channel. An empty Domain asks for a full reload.
type message struct {
	Source string `json:"i"`
	Domain string `json:"d,omitempty"`
}

// NewWatcher subscribes to Channel in the background. It does not fail when
// Redis is down: the subscription is retried with backoff until Close (or
// until ctx ends), and every re-subscription triggers a full reload through
// the callback, because messages published meanwhile were lost.
func NewWatcher(ctx context.Context, client redis.UniversalClient) (*Watcher, error) {
	if client == nil {
		return nil, errors.New("rbac: watcher needs a redis client")
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &Watcher{
		client: client,
		ps:     client.Subscribe(ctx), // no channel yet: does not touch the network
		id:     uuid.NewString(),
		log:    slog.Default(),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	go w.run(ctx)
	return w, nil
}

// SetLogger replaces the logger (slog.Default until set).
func (w *Watcher) SetLogger(l *slog.Logger) {
	if l != nil {
		w.mu.Lock()
		w.log = l
		w.mu.Unlock()
	}
}

// SetUpdateCallback sets f, called with the domain a message names ("" for
// a full reload). It is called from the watcher's goroutine, one at a time.
func (w *Watcher) SetUpdateCallback(f func(string)) error {
	w.mu.Lock()
	w.cb = f
	w.mu.Unlock()
	return nil
}

// Update asks every other instance for a full reload.
func (w *Watcher) Update() error { return w.publish(message{Source: w.id}) }

// UpdateDomain asks every other instance to reload one domain.
func (w *Watcher) UpdateDomain(domain string) error {
	return w.publish(message{Source: w.id, Domain: domain})
}

// Close stops the subscription; the callback is not called afterwards.
func (w *Watcher) Close() {
	w.once.Do(func() {
		w.cancel()
		_ = w.ps.Close()
		<-w.done
	})
}

func (w *Watcher) publish(m message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), publishTimeout)
	defer cancel()
	return w.client.Publish(ctx, Channel, b).Err()
}

// run receives until ctx ends, re-subscribing with backoff while Redis is away.
func (w *Watcher) run(ctx context.Context) {
	defer close(w.done)
	backoff := 100 * time.Millisecond
	subscribed, failing := false, false
	if err := w.ps.Subscribe(ctx, Channel); err != nil && ctx.Err() == nil {
		// The channel is recorded anyway; the next receive reconnects and
		// re-subscribes.
		w.logger().Warn("rbac watcher: subscribe failed, retrying", "error", err)
		failing = true
	}
	for ctx.Err() == nil {
		msg, err := w.ps.ReceiveTimeout(ctx, receiveTimeout)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				_ = w.ps.Ping(ctx) // a dead connection fails the next receive
				continue
			}
			if !failing {
				w.logger().Warn("rbac watcher: lost subscription, retrying", "error", err)
				failing = true
			}
			sleep(ctx, backoff)
			backoff = min(backoff*2, maxBackoff)
			continue
		}
		backoff = 100 * time.Millisecond
		switch m := msg.(type) {
		case *redis.Subscription:
			if failing {
				w.logger().Info("rbac watcher: subscription restored")
				failing = false
			}
			if m.Kind == "subscribe" && subscribed {
				w.notify("") // messages may have been missed while away
			}
			subscribed = true
		case *redis.Message:
			w.handle(m.Payload)
		}
	}
}

func (w *Watcher) handle(payload string) {
	var m message
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		w.logger().Warn("rbac watcher: bad message", "error", err)
		return
	}
	if m.Source == w.id {
		return // this instance already applied its own change
	}
	w.notify(m.Domain)
}

func (w *Watcher) notify(domain string) {
	w.mu.Lock()
	cb := w.cb
	w.mu.Unlock()
	if cb != nil {
		cb(domain)
	}
}

func (w *Watcher) logger() *slog.Logger {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.log
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
