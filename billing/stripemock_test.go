package billing

import (
	"testing"

	"nexo/internal/stripekit/stripekittest"
)

// stripeMock returns the base URL of the test binary's stripe-mock.
func stripeMock(t *testing.T) string { return stripekittest.URL(t) }

func stopStripeMock() { stripekittest.Stop() }
