// Package stripekittest starts one stripe-mock per test binary for the
// packages that talk to Stripe (billing, connect). Without the binary the
// tests that need it skip, unless CI is set: CI must run them.
package stripekittest

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var mock struct {
	once sync.Once
	cmd  *exec.Cmd
	url  string
	err  string
}

// URL returns the base URL of a stripe-mock started once for the test
// binary on a free loopback port. Call Stop from TestMain after the tests.
func URL(t testing.TB) string {
	t.Helper()
	mock.once.Do(startStripeMock)
	if mock.url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("stripe-mock: %s", mock.err)
		}
		t.Skipf("stripe-mock: %s (go install github.com/stripe/stripe-mock@latest)", mock.err)
	}
	return mock.url
}

func findStripeMock() string {
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p
	}
	gopath, err := exec.Command("go", "env", "GOPATH").Output()
	if err != nil {
		return ""
	}
	p := filepath.Join(string(trimNL(gopath)), "bin", "stripe-mock")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

func startStripeMock() {
	bin := findStripeMock()
	if bin == "" {
		mock.err = "binary not found on PATH or in $(go env GOPATH)/bin"
		return
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		mock.err = err.Error()
		return
	}
	addr := l.Addr().String()
	_ = l.Close()
	// stripe-mock also serves HTTPS, on :12112 unless told: a system-chosen
	// port keeps two runs on one machine apart.
	cmd := exec.Command(bin, "-http-addr", addr, "-https-addr", "127.0.0.1:0")
	if err := cmd.Start(); err != nil {
		mock.err = err.Error()
		return
	}
	mock.cmd = cmd
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			_ = c.Close()
			mock.url = "http://" + addr
			return
		}
	}
	mock.err = "did not listen on " + addr + " within 15s"
	Stop()
}

func Stop() {
	if mock.cmd != nil && mock.cmd.Process != nil {
		_ = mock.cmd.Process.Kill()
		_, _ = mock.cmd.Process.Wait()
		mock.cmd = nil
	}
}
