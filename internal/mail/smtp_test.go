package mail

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"nexo/internal/events"
)

func newTestSMTP(t *testing.T, url string) *SMTP {
	t.Helper()
	s, err := NewSMTP(url, "Nexo <no-reply@nexo.test>")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// parseData reads the DATA the fake received as an RFC 5322 message.
func parseData(t *testing.T, data string) *mail.Message {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatalf("DATA is not a message: %v\n%s", err, data)
	}
	return msg
}

func qpBody(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(quotedprintable.NewReader(r))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSMTPSendsMessage(t *testing.T) {
	f := startFakeSMTP(t, &fakeSMTP{user: "u@x", pass: "p:w/d"})
	s := newTestSMTP(t, "smtp://u%40x:p%3Aw%2Fd@127.0.0.1:"+f.port())
	id := uuid.Must(uuid.NewV7())
	text := "Hello Ann,\nyour link: https://nexo.test/reset?token=abc\n.a line starting with a dot\nCafé ☕ " + strings.Repeat("long ", 30)
	err := s.Send(context.Background(), Message{ID: id, To: "Ann Example <ann@example.com>", Subject: "Réinitialiser", Text: text})
	if err != nil {
		t.Fatal(err)
	}
	got := f.last()
	if !got.authed || got.tls || got.from != "no-reply@nexo.test" || len(got.rcpt) != 1 || got.rcpt[0] != "ann@example.com" {
		t.Fatalf("session = %+v", got)
	}
	msg := parseData(t, got.data)
	h := msg.Header
	subject, _ := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	to, _ := h.AddressList("To")
	if subject != "Réinitialiser" || len(to) != 1 || to[0].Name != "Ann Example" || h.Get("From") != `"Nexo" <no-reply@nexo.test>` {
		t.Fatalf("headers = %v", h)
	}
	if h.Get("Message-Id") != "<"+id.String()+"@nexo.test>" || h.Get("Mime-Version") != "1.0" {
		t.Fatalf("Message-ID/MIME-Version = %v", h)
	}
	if _, err := mail.ParseDate(h.Get("Date")); err != nil {
		t.Fatalf("Date: %v", err)
	}
	if ct := h.Get("Content-Type"); ct != "text/plain; charset=utf-8" || h.Get("Content-Transfer-Encoding") != "quoted-printable" {
		t.Fatalf("content type %q", ct)
	}
	// SMTP ends the DATA with a line break of its own; the rest is exact.
	if body := qpBody(t, msg.Body); strings.TrimSuffix(body, "\n") != text {
		t.Fatalf("body = %q\nwant   %q", body, text)
	}
}

func TestSMTPStartTLSAndHTML(t *testing.T) {
	serverTLS, clientTLS := testTLS(t)
	f := startFakeSMTP(t, &fakeSMTP{tls: serverTLS, user: "u", pass: "p"})
	s := newTestSMTP(t, "smtp://u:p@127.0.0.1:"+f.port())
	s.tls = clientTLS
	err := s.Send(context.Background(), Message{To: "bob@example.com", Subject: "Hi", Text: "plain", HTML: "<p>rich</p>"})
	if err != nil {
		t.Fatal(err)
	}
	got := f.last()
	if !got.tls || !got.authed {
		t.Fatalf("session = %+v, want upgraded to TLS before AUTH", got)
	}
	msg := parseData(t, got.data)
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var parts []string
	for {
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p.Header.Get("Content-Type")+"|"+qpBody(t, p))
	}
	want := []string{"text/plain; charset=utf-8|plain", "text/html; charset=utf-8|<p>rich</p>"}
	if strings.Join(parts, "\n") != strings.Join(want, "\n") {
		t.Fatalf("parts = %q", parts)
	}
}

func TestSMTPImplicitTLS(t *testing.T) {
	serverTLS, clientTLS := testTLS(t)
	f := startFakeSMTP(t, &fakeSMTP{tls: serverTLS, implicit: true, user: "u", pass: "p"})
	s := newTestSMTP(t, "smtps://u:p@127.0.0.1:"+f.port())
	s.tls = clientTLS
	if err := s.Send(context.Background(), Message{To: "c@example.com", Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	if got := f.last(); !got.tls || !got.authed || got.data == "" {
		t.Fatalf("session = %+v", got)
	}
}

func TestSMTPRejectionIsPermanent(t *testing.T) {
	f := startFakeSMTP(t, &fakeSMTP{rejectRcpt: "gone@example.com"})
	s := newTestSMTP(t, "smtp://127.0.0.1:"+f.port())
	err := s.Send(context.Background(), Message{To: "gone@example.com", Subject: "s", Text: "t"})
	if err == nil || !events.IsPermanent(err) {
		t.Fatalf("err = %v, want a permanent error", err)
	}
	f.user, f.pass = "right", "right"
	s = newTestSMTP(t, "smtp://wrong:wrong@127.0.0.1:"+f.port())
	if err := s.Send(context.Background(), Message{To: "a@example.com", Subject: "s", Text: "t"}); err == nil {
		t.Fatal("bad credentials accepted")
	}
}

// TestSMTPTimeout: a server that accepts and never greets cannot hold the
// sender past its timeout; the failure is retryable.
func TestSMTPTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var held []net.Conn // accepted, never answered
		defer func() {
			for _, c := range held {
				_ = c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	s := newTestSMTP(t, "smtp://"+ln.Addr().String())
	s.timeout = 200 * time.Millisecond
	start := time.Now()
	err = s.Send(context.Background(), Message{To: "a@example.com", Subject: "s", Text: "t"})
	if err == nil || events.IsPermanent(err) || time.Since(start) > 5*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.timeout = time.Minute
	time.AfterFunc(100*time.Millisecond, cancel)
	if err := s.Send(ctx, Message{To: "a@example.com", Subject: "s", Text: "t"}); err == nil {
		t.Fatal("cancelled send succeeded")
	}
}

func TestNewSMTP(t *testing.T) {
	for _, tc := range []struct{ url, from, addr string }{
		{"smtp://mail.example.com", "a@b.c", "mail.example.com:587"},
		{"smtps://u:p@mail.example.com", "a@b.c", "mail.example.com:465"},
		{"smtp://mail.example.com:2525", "Nexo <a@b.c>", "mail.example.com:2525"},
		{"http://mail.example.com", "a@b.c", ""},
		{"smtp://", "a@b.c", ""},
		{"smtp://mail.example.com", "not an address", ""},
		{"smtp://u:%zz@host", "a@b.c", ""},
	} {
		s, err := NewSMTP(tc.url, tc.from)
		if tc.addr == "" {
			if err == nil {
				t.Errorf("NewSMTP(%q, %q) accepted", tc.url, tc.from)
			}
			if err != nil && strings.Contains(err.Error(), "%zz") {
				t.Errorf("error echoes the URL: %v", err)
			}
			continue
		}
		if err != nil || s.addr != tc.addr || s.implicit != strings.HasPrefix(tc.url, "smtps") {
			t.Errorf("NewSMTP(%q) = %+v, %v", tc.url, s, err)
		}
	}
}
