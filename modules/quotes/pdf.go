package quotes

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/google/uuid"

	"nexo/internal/money"
)

// PDF renders a quote the caller may see: the company, number and
// revision, the customer, validity and promised date, every line with its
// discount, tax and amounts, and the totals. Amounts are written from minor
// units with integer arithmetic; floats only place text on the page. The
// document's dates are the quote's, so the same quote renders the same bytes.
func (s *Service) PDF(ctx context.Context, sc Scope, id uuid.UUID) ([]byte, Quote, error) {
	q, err := s.Get(ctx, sc, id)
	if err != nil {
		return nil, Quote{}, err
	}
	company, err := s.company.CompanyName(ctx)
	if err != nil {
		return nil, Quote{}, err
	}
	out, err := render(q, company, s.Today())
	return out, q, err
}

// render lays a quote out on A4 with the core Helvetica font; text is
// translated to cp1252 (characters outside it print as "?").
func render(q Quote, company string, today time.Time) ([]byte, error) {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetCatalogSort(true)
	p.SetCreationDate(q.CreatedAt)
	p.SetModificationDate(q.UpdatedAt)
	title := fmt.Sprintf("Quote %s rev. %d", q.Number, q.Revision)
	p.SetTitle(title, true)
	tr := p.UnicodeTranslatorFromDescriptor("")
	p.AddPage()
	p.SetFont("Helvetica", "B", 16)
	p.CellFormat(0, 9, tr(company), "", 1, "L", false, 0, "")
	p.SetFont("Helvetica", "", 11)
	p.CellFormat(0, 7, tr(title), "", 1, "L", false, 0, "")
	p.SetFont("Helvetica", "", 9)
	promised := "-"
	if q.PromisedDate != nil {
		promised = q.PromisedDate.Format(time.DateOnly)
	}
	for _, kv := range [][2]string{{"Customer", q.AccountName}, {"Status", string(q.Current(today))},
		{"Valid until", q.ValidUntil.Format(time.DateOnly)}, {"Delivery from", promised}, {"Currency", q.Currency}} {
		p.CellFormat(30, 5, kv[0], "", 0, "L", false, 0, "")
		p.CellFormat(0, 5, tr(kv[1]), "", 1, "L", false, 0, "")
	}
	p.Ln(4)
	widths := []float64{62, 14, 28, 14, 14, 28, 30}
	p.SetFont("Helvetica", "B", 8)
	for i, h := range []string{"Description", "Qty", "Unit price", "Disc.", "Tax", "Net", "Total"} {
		p.CellFormat(widths[i], 6, h, "B", 0, "L", false, 0, "")
	}
	p.Ln(-1)
	p.SetFont("Helvetica", "", 8)
	for _, l := range q.Lines {
		desc := []rune(l.Description)
		if len(desc) > 40 {
			desc = append(desc[:39], '…')
		}
		cells := []string{tr(string(desc)), strconv.FormatInt(l.Quantity, 10), money.Format(l.UnitPriceMinor, q.Currency),
			percent(l.DiscountBP), percent(l.TaxRateBP), money.Format(l.NetMinor, q.Currency), money.Format(l.TotalMinor, q.Currency)}
		for i, c := range cells {
			p.CellFormat(widths[i], 5, c, "", 0, "L", false, 0, "")
		}
		p.Ln(-1)
	}
	p.Ln(3)
	for _, kv := range [][2]string{{"Net", money.Format(q.SubtotalMinor, q.Currency)},
		{"Tax", money.Format(q.TaxMinor, q.Currency)}, {"Total", money.Format(q.TotalMinor, q.Currency)}} {
		p.CellFormat(150, 5, kv[0], "", 0, "R", false, 0, "")
		p.CellFormat(40, 5, kv[1], "", 1, "R", false, 0, "")
	}
	if q.Notes != "" {
		p.Ln(4)
		p.MultiCell(0, 5, tr(q.Notes), "", "L", false)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("quote pdf: %w", err)
	}
	return buf.Bytes(), nil
}
