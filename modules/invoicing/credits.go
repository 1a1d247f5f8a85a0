package invoicing

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
)

// IssueCreditNote credits units of an invoice's lines, reducing its
// balance. Per line, never more than was invoiced and not yet credited (a
// 422 naming lines[i].quantity). What the open balance cannot absorb (the
// invoice was paid) un-applies that much of its payments and becomes a
// refund due to the customer, in the same transaction. The number comes
// from the "credit_note" series in this transaction, after every check.
func (s *Service) IssueCreditNote(ctx context.Context, in NewCreditNote) (CreditNote, error) {
	if err := in.check(); err != nil {
		return CreditNote{}, err
	}
	cn := CreditNote{ID: newID(), InvoiceID: in.InvoiceID, Reason: in.Reason, IssueDate: s.today(), CreatedAt: s.stamp()}
	if p, ok := tenant.PrincipalFrom(ctx); ok {
		cn.CreatedBy = &p.ID
	}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		inv, err := loadInvoice(ctx, tx, in.InvoiceID, true)
		if errs.Is(err, errs.NotFound) {
			return errs.Field("invoice_id", "no such invoice")
		} else if err != nil {
			return err
		}
		before := inv
		before.Lines = append([]Line(nil), inv.Lines...)
		if err := credit(&inv, &cn, in.Lines); err != nil {
			return err
		}
		if cn.Number, err = s.numbers.NextNumber(ctx, tx, "credit_note"); err != nil {
			return err
		}
		if err := insertCredit(ctx, tx, &inv, &cn); err != nil {
			return err
		}
		if excess := cn.TotalMinor - inv.Balance(); excess > 0 {
			if err := s.owe(ctx, tx, &inv, &cn, excess); err != nil {
				return err
			}
		}
		inv.CreditedMinor += cn.TotalMinor
		if err := s.settle(ctx, tx, &before, &inv, "invoice.credited"); err != nil {
			return err
		}
		if err := audit(ctx, tx, "credit_note.issued", "credit_notes", cn.ID, nil, &cn); err != nil {
			return err
		}
		return publish(ctx, tx, TopicCreditNoteIssued, map[string]any{"credit_note_id": cn.ID, "number": cn.Number,
			"invoice_id": inv.ID, "account_id": inv.AccountID, "total_minor": cn.TotalMinor, "currency": cn.Currency})
	})
	return cn, err
}

// credit applies the requested lines to inv's lines and prices cn.
func credit(inv *Invoice, cn *CreditNote, want []NewCreditLine) error {
	cn.AccountID, cn.Currency = inv.AccountID, inv.Currency
	byID := make(map[uuid.UUID]*Line, len(inv.Lines))
	for i := range inv.Lines {
		byID[inv.Lines[i].ID] = &inv.Lines[i]
	}
	bad, over := errs.Fields{}, errs.Fields{}
	for i, w := range want {
		l, ok := byID[w.InvoiceLineID]
		switch {
		case !ok:
			bad.Add(fmt.Sprintf("lines[%d].invoice_line_id", i), "is not a line of this invoice")
		case w.Quantity > l.Quantity-l.CreditedQty:
			over.Add(fmt.Sprintf("lines[%d].quantity", i), fmt.Sprintf("at most %d units are left to credit", l.Quantity-l.CreditedQty))
		default:
			net, tax := creditAmounts(*l, w.Quantity)
			l.CreditedQty, l.CreditedNet, l.CreditedTax = l.CreditedQty+w.Quantity, l.CreditedNet+net, l.CreditedTax+tax
			cn.Lines = append(cn.Lines, CreditLine{ID: newID(), InvoiceLineID: l.ID, Quantity: w.Quantity,
				NetMinor: net, TaxMinor: tax, TotalMinor: net + tax})
			cn.NetMinor, cn.TaxMinor = cn.NetMinor+net, cn.TaxMinor+tax
		}
	}
	if err := bad.Err(); err != nil {
		return err
	}
	if len(over) > 0 {
		return &errs.Error{Code: errs.FailedPrecondition, Message: "cannot credit more than was invoiced", Fields: over}
	}
	cn.TotalMinor = cn.NetMinor + cn.TaxMinor
	if cn.TotalMinor == 0 {
		return precondition("lines", "the credited units amount to nothing")
	}
	return nil
}

// insertCredit writes the credit note, its lines and the invoice lines'
// credited amounts.
func insertCredit(ctx context.Context, tx bun.IDB, inv *Invoice, cn *CreditNote) error {
	row := &creditRow{ID: cn.ID, Number: cn.Number, InvoiceID: cn.InvoiceID, AccountID: cn.AccountID, Reason: cn.Reason,
		Currency: cn.Currency, IssueDate: cn.IssueDate, NetMinor: cn.NetMinor, TaxMinor: cn.TaxMinor,
		TotalMinor: cn.TotalMinor, CreatedBy: cn.CreatedBy, CreatedAt: cn.CreatedAt}
	if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
		return err
	}
	rows := make([]*creditLineRow, len(cn.Lines))
	for i, l := range cn.Lines {
		rows[i] = &creditLineRow{ID: l.ID, CreditNoteID: cn.ID, Position: i, InvoiceLineID: l.InvoiceLineID,
			Quantity: l.Quantity, NetMinor: l.NetMinor, TaxMinor: l.TaxMinor, TotalMinor: l.TotalMinor}
	}
	if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return err
	}
	credited := make(map[uuid.UUID]bool, len(cn.Lines))
	for _, l := range cn.Lines {
		credited[l.InvoiceLineID] = true
	}
	for i := range inv.Lines {
		l := &inv.Lines[i]
		if !credited[l.ID] {
			continue
		}
		_, err := tx.NewUpdate().Model(lineRowOf(inv.ID, i, l)).Column("credited_qty", "credited_net_minor", "credited_tax_minor").
			Where("l.id = ?", l.ID).Exec(ctx)
		if err != nil {
			return err
		}
	}
	return nil
}

// GetCreditNote returns one credit note with its lines.
func (s *Service) GetCreditNote(ctx context.Context, id uuid.UUID) (CreditNote, error) {
	var cn CreditNote
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var r creditRow
		if err := tx.NewSelect().Model(&r).Apply(bindAccount(ctx, "c.account_id")).Where("c.id = ?", id).Scan(ctx); err != nil {
			if errs.Is(db.Translate(err), errs.NotFound) {
				return errs.E(errs.NotFound, "credit note not found")
			}
			return err
		}
		cn = r.creditNote()
		var lines []creditLineRow
		if err := tx.NewSelect().Model(&lines).Where("cl.credit_note_id = ?", id).Order("cl.position").Scan(ctx); err != nil {
			return err
		}
		// The credited lines read as the invoice's did, and the credit
		// note names its invoice: a customer sees what was credited.
		ids := make([]uuid.UUID, len(lines))
		for i, l := range lines {
			ids[i] = l.InvoiceLineID
		}
		descs, invs := map[uuid.UUID]string{}, map[uuid.UUID]string{}
		if err := tenant.Names(ctx, tx, "invoice_lines", "description", ids, descs); err != nil {
			return err
		}
		if err := tenant.Names(ctx, tx, "invoices", "number", []uuid.UUID{cn.InvoiceID}, invs); err != nil {
			return err
		}
		cn.InvoiceNumber = invs[cn.InvoiceID]
		var err error
		if cn.Refund, err = refundOfCredit(ctx, tx, cn.ID); err != nil {
			return err
		}
		cn.Lines = make([]CreditLine, len(lines))
		for i, l := range lines {
			cn.Lines[i] = CreditLine{ID: l.ID, InvoiceLineID: l.InvoiceLineID, Description: descs[l.InvoiceLineID],
				Quantity: l.Quantity, NetMinor: l.NetMinor, TaxMinor: l.TaxMinor, TotalMinor: l.TotalMinor}
		}
		return nil
	})
	return cn, err
}

// FindCreditNotes lists credit notes matching f, newest first, without lines.
func (s *Service) FindCreditNotes(ctx context.Context, f DocFilter) ([]CreditNote, error) {
	f.check()
	var rows []creditRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).Apply(bindAccount(ctx, "c.account_id")).OrderExpr("c.id DESC").Limit(int64(f.Limit))
		if f.InvoiceID != nil {
			q.Where("c.invoice_id = ?", *f.InvoiceID)
		}
		if f.AccountID != nil {
			q.Where("c.account_id = ?", *f.AccountID)
		}
		if f.After != nil {
			q.Where("c.id < ?", *f.After)
		}
		return q.Scan(ctx)
	})
	out := make([]CreditNote, len(rows))
	for i := range rows {
		out[i] = rows[i].creditNote()
	}
	return out, err
}
