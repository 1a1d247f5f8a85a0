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

test-go:
	go test $(GOTESTFLAGS) ./...

test-web: frontend/node_modules/.installed
	$(NPM) test

e2e: web
	$(NPM) run e2e
