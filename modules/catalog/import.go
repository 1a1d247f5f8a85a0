package catalog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
	"nexo/tenant"
)

// ImportOptions control an import. AllowCost says whether the caller may set
// cost (the cost_minor column); without it the column is refused.
type ImportOptions struct {
	DryRun    bool
	AllowCost bool
}

// maxIssueFields bounds the fields of the error a failed import returns; the
// dry run's report lists every issue.
const maxIssueFields = 50

// ImportProducts creates or updates products from CSV, keyed by SKU: a SKU
// of the tenant updates that product (empty cells keep its values), a new
// SKU creates one. Every row is checked first; a dry run only reports. A
// real run applies all rows in one transaction, or none: with any issue it
// returns the report and an invalid error naming rows[n].field.
func (s *Service) ImportProducts(ctx context.Context, r io.Reader, opt ImportOptions) (ImportReport, error) {
	rows, issues := parseCSV(r, opt.AllowCost)
	rep := ImportReport{Rows: len(rows) + countIssueRows(issues)}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		existing, more, err := s.checkImport(ctx, tx, rows)
		if err != nil {
			return err
		}
		rep.Issues = sortIssues(append(issues, more...))
		for _, row := range rows {
			if _, ok := existing[*row.in.SKU]; ok {
				rep.Updated++
			} else {
				rep.Created++
			}
		}
		if opt.DryRun || len(rep.Issues) > 0 {
			return nil
		}
		rep.Applied = true
		s.cache.invalidate(ctx) // once for all rows, after commit
		return s.applyImport(ctx, tx, rows, existing)
	})
	if err != nil {
		rep.Applied = false
		return rep, err
	}
	if !opt.DryRun && len(rep.Issues) > 0 {
		return rep, issuesError(rep.Issues)
	}
	return rep, nil
}

// checkImport validates every row against the tenant's data: the product
// each SKU names (if any), duplicates within the file, the rules of a new or
// changed product, and tax rates. It returns the existing products by SKU.
func (s *Service) checkImport(ctx context.Context, tx bun.IDB, rows []csvRow) (map[string]Product, []ImportIssue, error) {
	existing, err := productsBySKU(ctx, tx, rows)
	if err != nil {
		return nil, nil, err
	}
	taxes := map[uuid.UUID]bool{}
	var issues []ImportIssue
	first := map[string]int{}
	for i := range rows {
		row := &rows[i]
		sku := *row.in.SKU
		if n, dup := first[sku]; dup {
			issues = append(issues, ImportIssue{row.n, "sku", fmt.Sprintf("repeats row %d", n)})
			continue
		}
		first[sku] = row.n
		p, ok := existing[sku]
		// check fills a new product's defaults into row.in, which the
		// apply step then writes.
		err := row.in.check(!ok)
		if err == nil {
			row.in.apply(&p)
			err = checkProduct(&p)
		}
		issues = append(issues, fieldIssues(row.n, err)...)
		if err == nil && p.TaxRateID != nil {
			if err := checkTax(ctx, tx, taxes, *p.TaxRateID); err != nil {
				if !errs.Is(err, errs.Invalid) {
					return nil, nil, err
				}
				issues = append(issues, ImportIssue{row.n, "tax_rate_id", "no such tax rate"})
			}
		}
	}
	return existing, issues, nil
}

// checkTax checks a tax rate once per import (memo holds the answers).
func checkTax(ctx context.Context, tx bun.IDB, memo map[uuid.UUID]bool, id uuid.UUID) error {
	ok, seen := memo[id]
	if !seen {
		var err error
		if ok, err = taxRateExists(ctx, tx, id); err != nil {
			return err
		}
		memo[id] = ok
	}
	if !ok {
		return errs.Field("tax_rate_id", "no such tax rate")
	}
	return nil
}

func productsBySKU(ctx context.Context, tx bun.IDB, rows []csvRow) (map[string]Product, error) {
	out := map[string]Product{}
	skus := make([]string, 0, len(rows))
	for _, r := range rows {
		// Only well-formed SKUs are looked up: check reports the others, and
		// bytes such as NUL must never reach the SQL text (bun formats
		// arguments into it on SQLite).
		if skuRE.MatchString(*r.in.SKU) {
			skus = append(skus, *r.in.SKU)
		}
	}
	for start := 0; start < len(skus); start += 500 {
		var found []productRow
		chunk := skus[start:min(start+500, len(skus))]
		if err := tx.NewSelect().Model(&found).Where("p.sku IN (?)", bun.In(chunk)).Scan(ctx); err != nil {
			return nil, err
		}
		for _, r := range found {
			out[r.SKU] = r.product()
		}
	}
	return out, nil
}

// applyImport writes the checked rows with their audit rows and events.
func (s *Service) applyImport(ctx context.Context, tx bun.IDB, rows []csvRow, existing map[string]Product) error {
	for _, row := range rows {
		var err error
		if p, ok := existing[*row.in.SKU]; ok {
			_, err = s.updateProduct(ctx, tx, p, row.in)
		} else {
			_, err = s.insertProduct(ctx, tx, row.in)
		}
		if err != nil {
			// Something changed since the check (a concurrent import):
			// name the row; the transaction rolls back.
			if errs.CodeOf(err) == errs.Internal {
				return err
			}
			return issuesError(fieldIssues(row.n, err))
		}
	}
	return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "products.imported", Resource: "imports", ResourceID: "products",
		After: map[string]int{"rows": len(rows)}})
}

// fieldIssues turns a validation error into issues of row n.
func fieldIssues(n int, err error) []ImportIssue {
	if err == nil {
		return nil
	}
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return []ImportIssue{{n, "row", errs.FieldReason(err, "")}}
	}
	out := make([]ImportIssue, 0, len(e.Fields))
	for f, msg := range e.Fields {
		out = append(out, ImportIssue{n, f, msg})
	}
	return out
}

func sortIssues(is []ImportIssue) []ImportIssue {
	sort.Slice(is, func(i, j int) bool {
		if is[i].Row != is[j].Row {
			return is[i].Row < is[j].Row
		}
		return is[i].Field < is[j].Field
	})
	return is
}

// countIssueRows counts the data rows parseCSV dropped for bad cells.
func countIssueRows(is []ImportIssue) int {
	rows := map[int]bool{}
	for _, i := range is {
		if i.Row > 1 {
			rows[i.Row] = true
		}
	}
	return len(rows)
}

// issuesError is the invalid error of a refused import: fields
// "rows[n].column", at most maxIssueFields of them.
func issuesError(is []ImportIssue) error {
	f := errs.Fields{}
	for _, i := range is {
		if len(f) == maxIssueFields {
			break
		}
		f.Add(fmt.Sprintf("rows[%d].%s", i.Row, i.Field), i.Message)
	}
	e := f.Err().(*errs.Error)
	e.Message = fmt.Sprintf("the import has %d problems and nothing was applied; a dry run lists them all", len(is))
	return e
}
