package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"nexo/internal/events"
)

// SMTP sends mail through an SMTP server (net/smtp).
type SMTP struct {
	addr     string // host:port
	host     string
	implicit bool // smtps: TLS from the first byte
	user     string
	pass     string
	from     *mail.Address
	timeout  time.Duration
	tls      *tls.Config // nil: system roots; tests trust their own CA
}

// NewSMTP parses rawURL, smtp://user:pass@host:port (STARTTLS when the server
// offers it; port 587 by default) or smtps://... (TLS from the start; port
// 465), and from, the sender as "Name <address>" or a bare address.
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("mail: SMTP URL does not parse") // the error would echo the password
	}
	port := map[string]string{"smtp": "587", "smtps": "465"}[u.Scheme]
	if port == "" {
		return nil, fmt.Errorf("mail: SMTP URL scheme %q, want smtp or smtps", u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, errors.New("mail: SMTP URL has no host")
	}
	if u.Port() != "" {
		port = u.Port()
	}
	sender, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mail: sender %q: %w", from, err)
	}
	s := &SMTP{addr: net.JoinHostPort(u.Hostname(), port), host: u.Hostname(), implicit: u.Scheme == "smtps",
		from: sender, timeout: 30 * time.Second}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	return s, nil
}

// Send delivers m in one SMTP session, bounded by ctx and a 30 s timeout.
// A 5xx reply is returned as events.Permanent: retrying cannot fix it.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if err := m.validate(); err != nil {
		return err
	}
	to, _ := mail.ParseAddress(m.To) // validated above
	body, err := s.compose(m, to)
	if err != nil {
		return err
	}
	if err := s.send(ctx, to.Address, body); err != nil {
		var te *textproto.Error
		if errors.As(err, &te) && te.Code >= 500 {
			return events.Permanent(fmt.Errorf("mail: smtp: %w", err))
		}
		return fmt.Errorf("mail: smtp: %w", err)
	}
	return nil
}

func (s *SMTP) send(ctx context.Context, rcpt string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	// One deadline for the whole conversation, and cancellation breaks any
	// blocked read or write: a stuck server cannot hold the relay.
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if s.implicit {
		conn = tls.Client(conn, s.tlsConfig())
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok && !s.implicit {
		if err := c.StartTLS(s.tlsConfig()); err != nil {
			return err
		}
	}
	if s.user != "" {
		// SECURITY: PlainAuth refuses to send the password over a connection
		// that is not TLS, unless the server is on localhost.
		if err := c.Auth(smtp.PlainAuth("", s.user, s.pass, s.host)); err != nil {
			return err
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return err
	}
	if err := c.Rcpt(rcpt); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(body); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func (s *SMTP) tlsConfig() *tls.Config {
	if s.tls != nil {
		return s.tls.Clone()
	}
	return &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
}

// compose renders m as an RFC 5322 message: text only, or text and HTML as
// multipart/alternative, each part quoted-printable UTF-8.
func (s *SMTP) compose(m Message, to *mail.Address) ([]byte, error) {
	id := m.ID
	if id == uuid.Nil {
		id = uuid.Must(uuid.NewV7())
	}
	domain := s.from.Address[strings.LastIndexByte(s.from.Address, '@')+1:]
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", s.from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", time.Now().UTC().Format(time.RFC1123Z))
	header("Message-ID", "<"+id.String()+"@"+domain+">")
	header("MIME-Version", "1.0")
	if m.HTML == "" {
		header("Content-Type", "text/plain; charset=utf-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, m.Text); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	mw := multipart.NewWriter(&b)
	header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	b.WriteString("\r\n")
	for _, part := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		if part.body == "" {
			continue
		}
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		if err := writeQP(w, part.body); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeQP(w io.Writer, s string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(s)); err != nil {
		return err
	}
	return qp.Close()
}
