package invoicing

import (
	"bytes"
	"context"
	"fmt"
	"strconv"

	"github.com/go-pdf/fpdf"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// PDF renders an invoice: the issuing company, number, issue and due
// dates, the customer, every line with its tax rate and amounts, the
// totals, what is paid and credited, and the balance. Amounts are written
// from minor units with integer arithmetic (FormatMinor); floats only place
// text on the page. The document's dates are the invoice's, so the same
// invoice renders to the same bytes.
func (s *Service) PDF(ctx context.Context, id uuid.UUID) ([]byte, Invoice, error) {
	var inv Invoice
	var customer string
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		if inv, err = loadInvoice(ctx, tx, id, false); err != nil {
			return err
		}
		acc, err := account(ctx, tx, inv.AccountID)
		customer = acc.Name
		return err
	})
	if err != nil {
		return nil, Invoice{}, err
	}
	company, err := s.company.CompanyName(ctx)
	if err != nil {
		return nil, Invoice{}, err
	}
	var howToPay []string
	if s.payDetails != nil {
		if howToPay, err = s.payDetails.PaymentLines(ctx, inv); err != nil {
			return nil, Invoice{}, err
		}
	}
	out, err := render(inv, company, customer, howToPay)
	return out, inv, err
}

// render lays an invoice out on A4 with the core Helvetica font; text is
// translated to its cp1252 encoding (characters outside it print as "?").
// howToPay (the tenant's bank details) is printed under the totals.
func render(inv Invoice, company, customer string, howToPay []string) ([]byte, error) {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetCatalogSort(true) // resources in a fixed order: same invoice, same bytes
	p.SetCreationDate(inv.CreatedAt)
	p.SetModificationDate(inv.UpdatedAt)
	p.SetTitle("Invoice "+inv.Number, true)
	tr := p.UnicodeTranslatorFromDescriptor("")
	p.AddPage()
	p.SetFont("Helvetica", "B", 16)
	p.CellFormat(0, 9, tr(company), "", 1, "L", false, 0, "")
	p.SetFont("Helvetica", "", 11)
	p.CellFormat(0, 7, tr("Invoice "+inv.Number), "", 1, "L", false, 0, "")
	p.SetFont("Helvetica", "", 9)
	for _, kv := range [][2]string{{"Issue date", inv.IssueDate.Format("2006-01-02")},
		{"Due date", inv.DueDate.Format("2006-01-02")}, {"Customer", customer}, {"Currency", inv.Currency}} {
		p.CellFormat(30, 5, kv[0], "", 0, "L", false, 0, "")
		p.CellFormat(0, 5, tr(kv[1]), "", 1, "L", false, 0, "")
	}
	p.Ln(4)
	lineTable(p, tr, inv)
	p.Ln(3)
	// Paid is what the customer sent; what credit notes gave back of it
	// is printed as refunded (or owed back), so the rows add up to the
	// balance: total − paid − credited + refunds.
	totals := [][2]string{{"Net", FormatMinor(inv.NetMinor, inv.Currency)},
		{"Tax", FormatMinor(inv.TaxMinor, inv.Currency)}, {"Total", FormatMinor(inv.TotalMinor, inv.Currency)},
		{"Paid", FormatMinor(inv.PaidMinor+inv.RefundMinor, inv.Currency)}, {"Credited", FormatMinor(inv.CreditedMinor, inv.Currency)}}
	if inv.RefundMinor > 0 {
		totals = append(totals, [2]string{"Refunds to you", FormatMinor(inv.RefundMinor, inv.Currency)})
	}
	totals = append(totals, [2]string{"Balance due", FormatMinor(inv.Balance(), inv.Currency)})
	for _, kv := range totals {
		p.CellFormat(150, 5, kv[0], "", 0, "R", false, 0, "")
		p.CellFormat(40, 5, kv[1], "", 1, "R", false, 0, "")
	}
	if len(howToPay) > 0 {
		p.Ln(6)
		p.SetFont("Helvetica", "B", 9)
		p.CellFormat(0, 5, "How to pay", "", 1, "L", false, 0, "")
		p.SetFont("Helvetica", "", 9)
		for _, l := range howToPay {
			p.MultiCell(0, 5, tr(l), "", "L", false)
		}
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("invoice pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// lineTable writes the invoice lines with their rates and amounts.
func lineTable(p *fpdf.Fpdf, tr func(string) string, inv Invoice) {
	widths := []float64{62, 14, 28, 14, 14, 28, 30}
	head := []string{"Description", "Qty", "Unit price", "Disc.", "Tax", "Net", "Total"}
	p.SetFont("Helvetica", "B", 8)
	for i, h := range head {
		p.CellFormat(widths[i], 6, h, "B", 0, "L", false, 0, "")
	}
	p.Ln(-1)
	p.SetFont("Helvetica", "", 8)
	for _, l := range inv.Lines {
		desc := []rune(l.Description)
		if len(desc) > 40 {
			desc = append(desc[:39], '…')
		}
		cells := []string{tr(string(desc)), strconv.FormatInt(l.Quantity, 10), FormatMinor(l.UnitPriceMinor, inv.Currency),
			percent(l.DiscountBP), percent(l.TaxRateBP), FormatMinor(l.NetMinor, inv.Currency),
			FormatMinor(l.TotalMinor, inv.Currency)}
		for i, c := range cells {
			p.CellFormat(widths[i], 5, c, "", 0, "L", false, 0, "")
		}
		p.Ln(-1)
	}
}

// percent writes basis points as a percentage: 2100 → "21%", 550 → "5.5%".
func percent(bp int) string {
	s := strconv.Itoa(bp / 100)
	if r := bp % 100; r != 0 {
		frac := fmt.Sprintf("%02d", r)
		if frac[1] == '0' {
			frac = frac[:1]
		}
		s += "." + frac
	}
	return s + "%"
}
