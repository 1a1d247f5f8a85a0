package invoicing

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// The ByAccount reads list one account's invoices, payments, credit notes or refunds
// (without lines) newest first by creation time, id breaking ties. A
// non-zero before keeps only those strictly older than (before, beforeID),
// so a reader merging several kinds of documents by time can page through
// them without gaps (the *_account_created indexes serve them).

// InvoicesByAccount lists the account's invoices.
func (s *Service) InvoicesByAccount(ctx context.Context, accountID uuid.UUID, before time.Time, beforeID uuid.UUID, limit int) ([]Invoice, error) {
	var rows []invoiceRow
	err := s.byAccount(ctx, &rows, "i", accountID, before, beforeID, limit)
	out := make([]Invoice, len(rows))
	for i := range rows {
		out[i] = rows[i].invoice()
	}
	return out, err
}

// PaymentsByAccount lists the account's payments.
func (s *Service) PaymentsByAccount(ctx context.Context, accountID uuid.UUID, before time.Time, beforeID uuid.UUID, limit int) ([]Payment, error) {
	var rows []paymentRow
	err := s.byAccount(ctx, &rows, "p", accountID, before, beforeID, limit)
	out := make([]Payment, len(rows))
	for i := range rows {
		out[i] = rows[i].payment()
	}
	return out, err
}

// CreditNotesByAccount lists the account's credit notes.
func (s *Service) CreditNotesByAccount(ctx context.Context, accountID uuid.UUID, before time.Time, beforeID uuid.UUID, limit int) ([]CreditNote, error) {
	var rows []creditRow
	err := s.byAccount(ctx, &rows, "c", accountID, before, beforeID, limit)
	out := make([]CreditNote, len(rows))
	for i := range rows {
		out[i] = rows[i].creditNote()
	}
	return out, err
}

// RefundsByAccount lists the account's refunds, placed at when they
// became due.
func (s *Service) RefundsByAccount(ctx context.Context, accountID uuid.UUID, before time.Time, beforeID uuid.UUID, limit int) ([]Refund, error) {
	var rows []refundRow
	err := s.byAccount(ctx, &rows, "r", accountID, before, beforeID, limit)
	out := make([]Refund, len(rows))
	for i := range rows {
		out[i] = rows[i].refund()
	}
	return out, err
}

// byAccount scans one page of rows (a slice of a model aliased alias).
func (s *Service) byAccount(ctx context.Context, rows any, alias string, accountID uuid.UUID, before time.Time, beforeID uuid.UUID, limit int) error {
	if limit <= 0 {
		limit = 50
	}
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(rows).Where("?.account_id = ?", bun.Ident(alias), accountID).
			OrderExpr("?.created_at DESC, ?.id DESC", bun.Ident(alias), bun.Ident(alias)).Limit(int64(limit))
		if !before.IsZero() {
			q.Where("(?.created_at, ?.id) < (?, ?)", bun.Ident(alias), bun.Ident(alias), before.UTC(), beforeID)
		}
		return q.Scan(ctx)
	})
}
