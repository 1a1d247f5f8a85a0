# The two everyday commands (see README): `make run` and `make test`.
# Both build the web app first, so the binary always embeds a current one.
.PHONY: run test web test-go test-web e2e

NPM := npm --prefix frontend

run: web
	go run ./cmd/nexo serve --demo

test: web test-go test-web e2e

web: frontend/node_modules/.installed
	$(NPM) run build

# npm ci only when the lock file changed since the last install.
frontend/node_modules/.installed: frontend/package-lock.json
	$(NPM) ci
	touch $@

GOTESTFLAGS ?=

# stripe-mock serves Stripe's API to the billing tests and the browser
# journeys; installed into GOPATH/bin (through the Go module proxy) once.
GOBIN_DIR := $(shell go env GOPATH)/bin
STRIPE_MOCK := $(GOBIN_DIR)/stripe-mock
export PATH := $(GOBIN_DIR):$(PATH)

$(STRIPE_MOCK):
	go install github.com/stripe/stripe-mock@v0.203.0

test-go: $(STRIPE_MOCK)
	# cmd/nexo runs every HTTP journey and both matrices; under -race on two
	# cores it takes close to go test's default 10-minute limit.
	go test -timeout 30m $(GOTESTFLAGS) ./...

test-web: frontend/node_modules/.installed
	$(NPM) test

e2e: web $(STRIPE_MOCK)
	$(NPM) run e2e
