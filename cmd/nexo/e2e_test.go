package main

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBinaryEndToEnd builds the real binary and runs it as a new user would:
// `nexo serve --demo` in embedded mode on a free port, then logs in over
// real HTTP, checks the body limit, and stops it with SIGTERM.
func TestBinaryEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "nexo")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	base := "http://127.0.0.1:" + port
	var logs bytes.Buffer
	cmd := exec.Command(bin, "serve", "--demo")
	cmd.Env = append(os.Environ(), "NEXO_HTTP_ADDR=127.0.0.1:"+port, "NEXO_DATA_DIR="+filepath.Join(dir, "data"),
		"NEXO_DATABASE_URL=", "NEXO_REDIS_URL=", "NEXO_INSECURE_COOKIES=true", "NEXO_BASE_URL="+base)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("not ready after 30s:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("embedded start to ready, demo seed included: %v", time.Since(start))

	resp, err := http.Post(base+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"email":"owner@demo.nexo.test","password":"`+demoPassword+`"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("demo login: %v %v\n%s", err, resp, logs.String())
	}
	cookie := resp.Header.Get("Set-Cookie")
	resp.Body.Close()
	req, _ := http.NewRequest("GET", base+"/api/v1/me", nil)
	req.Header.Set("Cookie", strings.SplitN(cookie, ";", 2)[0])
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("me: %v %v", err, resp)
	}
	// The demo has business data to look at: its order of 1,000 valves is
	// waiting for production with 500 reserved.
	req, _ = http.NewRequest("GET", base+"/api/v1/orders", nil)
	req.Header.Set("Cookie", strings.SplitN(cookie, ";", 2)[0])
	var orders struct {
		Items []struct {
			Status string `json:"status"`
		} `json:"items"`
	}
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("orders: %v %v", err, resp)
	} else if err := json.NewDecoder(resp.Body).Decode(&orders); err != nil || len(orders.Items) != 1 || orders.Items[0].Status != "in_production" {
		t.Errorf("demo orders: %+v %v", orders, err)
	}
	// ... and a draft quote for 300 one-inch valves, 120 of them in stock.
	req, _ = http.NewRequest("GET", base+"/api/v1/quotes", nil)
	req.Header.Set("Cookie", strings.SplitN(cookie, ";", 2)[0])
	var quotes struct {
		Items []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"items"`
	}
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("quotes: %v %v", err, resp)
	} else if err := json.NewDecoder(resp.Body).Decode(&quotes); err != nil || len(quotes.Items) != 1 || quotes.Items[0].Status != "draft" {
		t.Errorf("demo quotes: %+v %v", quotes, err)
	}
	big := bytes.Repeat([]byte(" "), 2<<20)
	if resp, err := http.Post(base+"/api/v1/signup", "application/json", bytes.NewReader(big)); err == nil {
		if resp.StatusCode != 413 {
			t.Errorf("2 MiB body: %d, want 413", resp.StatusCode)
		}
		resp.Body.Close()
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit 30s after SIGTERM")
	}
}
