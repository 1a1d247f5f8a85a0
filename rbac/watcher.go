package rbac

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/casbin/casbin/v2/persist"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"nexo/internal/cache"
)

// Channel is the Redis pub/sub channel policy changes are announced on. It is
// global ("g:"): one message names the tenant it concerns.
const Channel = "g:rbac:policy"

// publishTimeout bounds Update so a write request never waits long on a
// dead Redis; the periodic reload covers what is lost.
const publishTimeout = time.Second

// Watcher fans policy changes out between app instances over Redis pub/sub
// (R4). It implements casbin's persist.Watcher; UpdateDomain narrows a
// message to one tenant so receivers reload only that domain.
type Watcher struct {
	client redis.UniversalClient
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
		id:     uuid.NewString(),
		log:    slog.Default(),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	go func() {
		defer close(w.done)
		cache.Listen(ctx, client, Channel, (*watcherListener)(w))
	}()
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

// watcherListener is the Watcher seen from cache.Listen.
type watcherListener Watcher

// Subscribed reloads everything after a re-subscription: messages
// published while the connection was away were lost.
func (l *watcherListener) Subscribed(first bool) {
	w := (*Watcher)(l)
	if !first {
		w.logger().Info("rbac watcher: subscription restored")
		w.notify("")
	}
}

func (l *watcherListener) Lost(err error) {
	(*Watcher)(l).logger().Warn("rbac watcher: lost subscription, retrying", "error", err)
}

func (l *watcherListener) Message(payload string) { (*Watcher)(l).handle(payload) }

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
