package portal

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"regexp"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/google/uuid"

	"nexo/internal/mail"
	"nexo/internal/money"
	"nexo/tenant"
)

//go:embed mailtmpl/notice.html mailtmpl/notice.txt
var mailFiles embed.FS

// SECURITY: the HTML body is html/template, which escapes by context: the
// tenant's display name, the contact's name, carrier and return reason are
// typed by tenants and customers and must never become markup.
var (
	noticeHTML = htmltemplate.Must(htmltemplate.ParseFS(mailFiles, "mailtmpl/notice.html"))
	noticeText = texttemplate.Must(texttemplate.ParseFS(mailFiles, "mailtmpl/notice.txt"))
)

// mailBrand is the tenant's branding as its emails show it.
type mailBrand struct {
	slug, name, locale string
	accent             string // #rrggbb
	logoURL            string // absolute; "" without a logo
	base               string // the server's base URL, for links
}

var accentRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// branding reads the tenant's portal branding; NotFound when the tenant is
// not active (its portal answers 404 to everyone).
func (s *Service) branding(ctx context.Context, tenantID uuid.UUID) (mailBrand, error) {
	tn, err := s.tenants.TenantByID(ctx, tenantID)
	if err != nil {
		return mailBrand{}, err
	}
	b, err := s.tenants.PortalBranding(ctx, tn.Slug)
	if err != nil {
		return mailBrand{}, err
	}
	out := mailBrand{slug: b.Slug, name: b.DisplayName, locale: b.Locale, accent: b.AccentColor, base: s.opt.BaseURL}
	if !accentRE.MatchString(out.accent) {
		out.accent = tenant.DefaultAccent
	}
	if !validLocale(out.locale) {
		out.locale = "en"
	}
	if b.LogoETag != "" {
		// The public logo route the portal's header uses; the version keeps
		// mail clients from showing a replaced logo from their cache.
		out.logoURL = s.opt.BaseURL + "/api/v1/portal/" + url.PathEscape(b.Slug) + "/logo?v=" + url.QueryEscape(b.LogoETag)
	}
	return out, nil
}

// words are one language's texts of the notices. The Spanish speaks to the
// customer as "tú", as the portal does.
type words struct {
	hello, helloAnon string            // "Hello %s,"
	titles           map[string]string // subject and heading, by notice kind
	intros           map[string]string // one sentence; %[1]s is the company, %[2]s the number
	buttons          map[string]string
	labels           map[string]string // fact labels
	track            string
	toBeConfirmed    string
	footer           string // %s is the company
	prefs            string
	months           [12]string
}

var catalog = map[string]words{
	"en": {
		hello: "Hello %s,", helloAnon: "Hello,",
		titles: map[string]string{
			noticeOrderConfirmed: "Order confirmed", noticeShipmentShipped: "Order shipped", noticeShipmentDelivered: "Order delivered",
			noticeInvoiceIssued: "Invoice issued", noticeReturnApproved: "Return approved", noticeCreditNoteIssued: "Credit note issued",
			noticeRefundSent: "Refund sent",
		},
		intros: map[string]string{
			noticeOrderConfirmed:    "%[1]s has confirmed your order %[2]s.",
			noticeShipmentShipped:   "Your order %[2]s is on its way.",
			noticeShipmentDelivered: "Your order %[2]s has been delivered.",
			noticeInvoiceIssued:     "%[1]s has issued invoice %[2]s.",
			noticeReturnApproved:    "%[1]s has approved your return %[2]s.",
			noticeCreditNoteIssued:  "%[1]s has issued credit note %[2]s.",
			noticeRefundSent:        "%[1]s has sent you a refund for invoice %[2]s.",
		},
		buttons: map[string]string{
			noticeOrderConfirmed: "View the order", noticeShipmentShipped: "View the order", noticeShipmentDelivered: "View the order",
			noticeInvoiceIssued: "View the invoice", noticeReturnApproved: "View the return", noticeCreditNoteIssued: "View the invoice",
			noticeRefundSent: "View the invoice",
		},
		labels: map[string]string{
			"order": "Order", "total": "Total", "promised": "Promised date", "shipment": "Shipment", "carrier": "Carrier",
			"tracking": "Tracking number", "invoice": "Invoice", "due": "Due date", "return": "Return", "reason": "Reason",
			"credit_note": "Credit note", "credited": "Amount credited", "refund_due": "Refund due to you",
			"refunded": "Amount refunded",
		},
		track:         "Track the shipment",
		toBeConfirmed: "to be confirmed",
		footer:        "You receive this email because you have access to the customer portal of %s.",
		prefs:         "Email preferences",
		months:        [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"},
	},
	"es": {
		hello: "Hola, %s:", helloAnon: "Hola:",
		titles: map[string]string{
			noticeOrderConfirmed: "Pedido confirmado", noticeShipmentShipped: "Pedido enviado", noticeShipmentDelivered: "Pedido entregado",
			noticeInvoiceIssued: "Factura emitida", noticeReturnApproved: "Devolución aprobada", noticeCreditNoteIssued: "Abono emitido",
			noticeRefundSent: "Reembolso enviado",
		},
		intros: map[string]string{
			noticeOrderConfirmed:    "%[1]s ha confirmado tu pedido %[2]s.",
			noticeShipmentShipped:   "Tu pedido %[2]s está en camino.",
			noticeShipmentDelivered: "Tu pedido %[2]s ha sido entregado.",
			noticeInvoiceIssued:     "%[1]s ha emitido la factura %[2]s.",
			noticeReturnApproved:    "%[1]s ha aprobado tu devolución %[2]s.",
			noticeCreditNoteIssued:  "%[1]s ha emitido el abono %[2]s.",
			noticeRefundSent:        "%[1]s te ha enviado un reembolso de la factura %[2]s.",
		},
		buttons: map[string]string{
			noticeOrderConfirmed: "Ver el pedido", noticeShipmentShipped: "Ver el pedido", noticeShipmentDelivered: "Ver el pedido",
			noticeInvoiceIssued: "Ver la factura", noticeReturnApproved: "Ver la devolución", noticeCreditNoteIssued: "Ver la factura",
			noticeRefundSent: "Ver la factura",
		},
		labels: map[string]string{
			"order": "Pedido", "total": "Total", "promised": "Fecha prevista", "shipment": "Envío", "carrier": "Transportista",
			"tracking": "Número de seguimiento", "invoice": "Factura", "due": "Vencimiento", "return": "Devolución", "reason": "Motivo",
			"credit_note": "Abono", "credited": "Importe abonado", "refund_due": "Importe a reembolsar",
			"refunded": "Importe reembolsado",
		},
		track:         "Seguir el envío",
		toBeConfirmed: "por confirmar",
		footer:        "Recibes este correo porque tienes acceso al portal de clientes de %s.",
		prefs:         "Preferencias de correo",
		months:        [12]string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"},
	},
}

func wordsOf(locale string) words {
	if w, ok := catalog[locale]; ok {
		return w
	}
	return catalog["en"]
}

// formatDate writes a calendar date (stored as midnight UTC) as the portal
// shows it (Intl's medium date style): "5 Mar 2027", "5 mar 2027".
func formatDate(d *time.Time, locale string) string {
	w := wordsOf(locale)
	if d == nil {
		return w.toBeConfirmed
	}
	t := d.UTC()
	return t.Format("2") + " " + w.months[t.Month()-1] + " " + t.Format("2006")
}

func moneyFact(label string, minor int64, currency string) noticeFact {
	return noticeFact{label: label, value: func(locale string) string { return money.FormatLocale(minor, currency, locale) }}
}

// mailView is what both templates render.
type mailView struct {
	Lang, Subject, Brand, Heading, Greeting, Intro string
	Accent                                         htmltemplate.CSS
	LogoURL, TrackURL, Link, PrefsURL              string
	TrackLabel, Button, Footer, PrefsLabel         string
	Facts                                          []viewFact
}

type viewFact struct{ Label, Value string }

// oneLine keeps text typed by people (a company name) from breaking a
// header: the mail package refuses a subject with a line break.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// renderNotice builds n's email in locale for a recipient named firstName.
func renderNotice(n *notice, b mailBrand, locale, firstName string) (mail.Message, error) {
	w := wordsOf(locale)
	company := oneLine(b.name)
	base := "/portal/" + url.PathEscape(b.slug)
	v := mailView{Lang: locale, Brand: company, Heading: w.titles[n.kind],
		Subject:  oneLine(w.titles[n.kind] + ": " + n.number + " · " + company),
		Greeting: w.helloAnon, Intro: fmt.Sprintf(w.intros[n.kind], company, n.number),
		// SECURITY: accentRE checked it is exactly #rrggbb, so it is safe CSS.
		Accent: htmltemplate.CSS(b.accent), LogoURL: b.logoURL, TrackURL: n.trackURL, TrackLabel: w.track,
		Link: b.base + base + n.path, Button: w.buttons[n.kind], PrefsURL: b.base + base + "/preferences", PrefsLabel: w.prefs,
		Footer: fmt.Sprintf(w.footer, company)}
	if name := oneLine(firstName); name != "" {
		v.Greeting = fmt.Sprintf(w.hello, name)
	}
	for _, f := range n.facts {
		v.Facts = append(v.Facts, viewFact{Label: w.labels[f.label], Value: f.value(locale)})
	}
	var html, text bytes.Buffer
	if err := noticeHTML.Execute(&html, v); err != nil {
		return mail.Message{}, err
	}
	if err := noticeText.Execute(&text, v); err != nil {
		return mail.Message{}, err
	}
	return mail.Message{Subject: v.Subject, Text: text.String(), HTML: html.String(), Kind: "portal_" + n.kind}, nil
}
