package events

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// relayMetrics counts outcomes by topic (a small, code-defined label set).
// A nil *relayMetrics counts nothing, so the relay needs no registry.
type relayMetrics struct {
	ok, fail, dl *prometheus.CounterVec
}

func newRelayMetrics(reg prometheus.Registerer) *relayMetrics {
	if reg == nil {
		return nil
	}
	vec := func(name, help string) *prometheus.CounterVec {
		return register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"topic"}))
	}
	return &relayMetrics{
		ok:   vec("nexo_outbox_dispatched_total", "Outbox events handled successfully, by topic."),
		fail: vec("nexo_outbox_failed_total", "Failed outbox handler attempts, by topic."),
		dl:   vec("nexo_outbox_dead_total", "Outbox events given up on (status dead), by topic."),
	}
}

func (m *relayMetrics) dispatched(topic string) {
	if m != nil {
		m.ok.WithLabelValues(topic).Inc()
	}
}

func (m *relayMetrics) failed(topic string) {
	if m != nil {
		m.fail.WithLabelValues(topic).Inc()
	}
}

func (m *relayMetrics) dead(topic string) {
	if m != nil {
		m.dl.WithLabelValues(topic).Inc()
	}
}

// register registers c, or returns the collector already registered under
// the same name: several relays (instances in one test process) share a registry.
func register(reg prometheus.Registerer, c *prometheus.CounterVec) *prometheus.CounterVec {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
				return existing
			}
		}
	}
	return c
}
