package portal

import (
	"strings"
	"testing"
	"time"
)

// The templates escape what tenants and customers type, carry the brand in
// both bodies, and follow the recipient's language for words, dates and
// amounts.
func TestRenderNotice(t *testing.T) {
	promised := time.Date(2027, 3, 5, 0, 0, 0, 0, time.UTC)
	n := &notice{kind: noticeOrderConfirmed, number: "SO-00042", path: "/orders/abc",
		facts: []noticeFact{textFact("order", "SO-00042"), moneyFact("total", 123456789, "EUR"),
			{label: "promised", value: func(l string) string { return formatDate(&promised, l) }}}}
	b := mailBrand{slug: "acme", name: `Evil <script>alert(1)</script> & "Co"` + "\r\nBcc: x@y.z", locale: "en",
		accent: "#aa3300", logoURL: "https://nexo.test/api/v1/portal/acme/logo?v=1", base: "https://nexo.test"}

	es, err := renderNotice(n, b, "es", `<b>Ana</b>`)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(es.HTML, "<script>") || strings.Contains(es.HTML, "<b>Ana") {
		t.Errorf("HTML body carries markup typed by people:\n%s", es.HTML)
	}
	for _, want := range []string{"Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Co&#34;", "Hola, &lt;b&gt;Ana&lt;/b&gt;:",
		"Pedido confirmado", "1.234.567,89 EUR", "5 mar 2027", `border-top:4px solid #aa3300`, `background:#aa3300`,
		`src="https://nexo.test/api/v1/portal/acme/logo?v=1"`, `href="https://nexo.test/portal/acme/orders/abc"`,
		`href="https://nexo.test/portal/acme/preferences"`, `lang="es"`} {
		if !strings.Contains(es.HTML, want) {
			t.Errorf("Spanish HTML lacks %q:\n%s", want, es.HTML)
		}
	}
	if strings.ContainsAny(es.Subject, "\r\n") || !strings.HasPrefix(es.Subject, "Pedido confirmado: SO-00042 · Evil <script>") {
		t.Errorf("subject: %q", es.Subject)
	}
	if !strings.Contains(es.Text, "Total: 1.234.567,89 EUR") || !strings.Contains(es.Text, "Ver el pedido: https://nexo.test/portal/acme/orders/abc") {
		t.Errorf("Spanish text:\n%s", es.Text)
	}

	en, err := renderNotice(n, b, "en", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Order confirmed", "Hello,", "1,234,567.89 EUR", "5 Mar 2027", "View the order"} {
		if !strings.Contains(en.Text, want) || !strings.Contains(en.HTML, want) {
			t.Errorf("English email lacks %q:\n%s\n%s", want, en.Text, en.HTML)
		}
	}
	if en.Kind != "portal_order_confirmed" {
		t.Errorf("kind %q", en.Kind)
	}

	// No logo: no image at all; no promised date yet: said so in words.
	b.logoURL = ""
	n.facts[2] = noticeFact{label: "promised", value: func(l string) string { return formatDate(nil, l) }}
	none, _ := renderNotice(n, b, "es", "Ana")
	if strings.Contains(none.HTML, "<img") || !strings.Contains(none.Text, "Fecha prevista: por confirmar") {
		t.Errorf("without logo or date:\n%s\n%s", none.HTML, none.Text)
	}
}

// Every notice kind has its words in both languages.
func TestNoticeCatalog(t *testing.T) {
	kinds := []string{noticeOrderConfirmed, noticeShipmentShipped, noticeShipmentDelivered, noticeInvoiceIssued,
		noticeReturnApproved, noticeCreditNoteIssued}
	for locale, w := range catalog {
		for _, k := range kinds {
			if w.titles[k] == "" || w.intros[k] == "" || w.buttons[k] == "" {
				t.Errorf("%s: %s lacks a title, intro or button", locale, k)
			}
		}
		for label := range catalog["en"].labels {
			if w.labels[label] == "" {
				t.Errorf("%s: no label %s", locale, label)
			}
		}
	}
}
