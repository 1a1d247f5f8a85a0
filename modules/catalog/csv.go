package catalog

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"nexo/internal/web"
)

// CSV columns, in export order. Import accepts any subset that includes sku,
// in any order; the header names the columns.
var csvColumns = []string{"sku", "name", "description", "type", "unit", "list_price_minor", "currency",
	"cost_minor", "tax_rate_id", "lot_tracked", "reorder_point", "lead_time_days", "daily_capacity", "active"}

// MaxImportRows bounds one import (the body limit bounds its bytes).
const MaxImportRows = 10_000

// ImportIssue is one problem found in an import: the row (the header is
// row 1), the column and what is wrong.
type ImportIssue struct {
	Row     int
	Field   string
	Message string
}

// ImportReport says what an import did or, in a dry run, would do.
type ImportReport struct {
	Rows    int
	Created int
	Updated int
	Applied bool
	Issues  []ImportIssue
}

// csvRow is one parsed data row.
type csvRow struct {
	n  int // row number, header = 1
	in ProductInput
}

// WriteProductsCSV writes the header and products; cost is left out unless
// withCost (A4). Text that a spreadsheet would run as a formula is prefixed
// with ' (OWASP CSV injection); the importer strips that prefix again.
func WriteProductsCSV(w io.Writer, withCost bool, each func(func(Product) error) error) error {
	cols := exportColumns(withCost)
	cw := csv.NewWriter(w)
	if err := cw.Write(cols); err != nil {
		return err
	}
	err := each(func(p Product) error {
		rec := make([]string, len(cols))
		for i, c := range cols {
			rec[i] = cell(&p, c)
		}
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func exportColumns(withCost bool) []string {
	if withCost {
		return csvColumns
	}
	return slices.DeleteFunc(slices.Clone(csvColumns), func(c string) bool { return c == "cost_minor" })
}

func cell(p *Product, col string) string {
	i64 := func(v int64) string { return strconv.FormatInt(v, 10) }
	switch col {
	case "sku":
		return p.SKU
	case "name":
		return web.Defuse(p.Name)
	case "description":
		return web.Defuse(p.Description)
	case "type":
		return string(p.Type)
	case "unit":
		return p.Unit
	case "list_price_minor":
		return i64(p.ListPriceMinor)
	case "currency":
		return p.Currency
	case "cost_minor":
		return i64(p.CostMinor)
	case "tax_rate_id":
		if p.TaxRateID == nil {
			return ""
		}
		return p.TaxRateID.String()
	case "lot_tracked":
		return strconv.FormatBool(p.LotTracked)
	case "reorder_point":
		return i64(p.ReorderPoint)
	case "lead_time_days":
		return strconv.Itoa(p.LeadTimeDays)
	case "daily_capacity":
		return i64(p.DailyCapacity)
	}
	return strconv.FormatBool(p.Active)
}

func undefuse(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}

// parseCSV reads an import: the header, then rows of values. Issues are
// returned for the header and every bad cell; rows with issues are dropped.
func parseCSV(r io.Reader, allowCost bool) ([]csvRow, []ImportIssue) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // row length is checked per row, with its number
	header, err := cr.Read()
	if err != nil {
		return nil, []ImportIssue{{1, "csv", csvMessage(err, "a header row is required")}}
	}
	cols, issues := checkHeader(header, allowCost)
	if len(issues) > 0 {
		return nil, issues
	}
	var rows []csvRow
	for n := 2; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rows, append(issues, ImportIssue{n, "csv", csvMessage(err, "malformed CSV")})
		}
		if n-1 > MaxImportRows {
			return rows, append(issues, ImportIssue{n, "csv", fmt.Sprintf("at most %d rows per import", MaxImportRows)})
		}
		in, bad := parseRecord(cols, rec, n)
		if len(bad) > 0 {
			issues = append(issues, bad...)
			continue
		}
		rows = append(rows, csvRow{n: n, in: in})
	}
	return rows, issues
}

func csvMessage(err error, fallback string) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return "malformed CSV: " + pe.Err.Error()
	}
	return fallback
}

func checkHeader(header []string, allowCost bool) ([]string, []ImportIssue) {
	var issues []ImportIssue
	cols := make([]string, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		cols[i] = h
		switch {
		case !slices.Contains(csvColumns, h):
			issues = append(issues, ImportIssue{1, h, "unknown column"})
		case slices.Contains(cols[:i], h):
			issues = append(issues, ImportIssue{1, h, "column appears twice"})
		case h == "cost_minor" && !allowCost:
			issues = append(issues, ImportIssue{1, h, "setting cost needs the costs:read permission"})
		}
	}
	if !slices.Contains(cols, "sku") {
		issues = append(issues, ImportIssue{1, "sku", "the sku column is required"})
	}
	return cols, issues
}

// parseRecord turns one row into a ProductInput; empty cells are left unset
// (a new product gets the default, an existing one keeps its value).
func parseRecord(cols, rec []string, n int) (ProductInput, []ImportIssue) {
	var in ProductInput
	var issues []ImportIssue
	for i, col := range cols {
		v := ""
		if i < len(rec) {
			v = strings.TrimSpace(rec[i])
		}
		if v == "" {
			continue
		}
		if msg := setCell(&in, col, v); msg != "" {
			issues = append(issues, ImportIssue{n, col, msg})
		}
	}
	if len(rec) > len(cols) {
		issues = append(issues, ImportIssue{n, "csv", "more values than columns"})
	}
	if in.SKU == nil {
		issues = append(issues, ImportIssue{n, "sku", "is required"})
	}
	return in, issues
}

func setCell(in *ProductInput, col, v string) string {
	str := func(dst **string, s string) { *dst = &s }
	switch col {
	case "sku":
		str(&in.SKU, v)
	case "name":
		str(&in.Name, undefuse(v))
	case "description":
		str(&in.Description, undefuse(v))
	case "type":
		t := Type(v)
		in.Type = &t
	case "unit":
		str(&in.Unit, v)
	case "currency":
		str(&in.Currency, v)
	case "tax_rate_id":
		id, err := uuid.Parse(v)
		if err != nil || id == uuid.Nil {
			return "must be a tax rate id"
		}
		in.TaxRateID = &id
	case "lot_tracked", "active":
		b, ok := parseBool(v)
		if !ok {
			return "must be true or false"
		}
		if col == "active" {
			in.Active = &b
		} else {
			in.LotTracked = &b
		}
	default:
		return setNumber(in, col, v)
	}
	return ""
}

func setNumber(in *ProductInput, col, v string) string {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return "must be a whole number (amounts in minor units, e.g. 1250 for 12.50)"
	}
	switch col {
	case "list_price_minor":
		in.ListPriceMinor = &n
	case "cost_minor":
		in.CostMinor = &n
	case "reorder_point":
		in.ReorderPoint = &n
	case "daily_capacity":
		in.DailyCapacity = &n
	case "lead_time_days":
		if n < 0 || n > MaxLeadDays {
			return "must be between 0 and 3650"
		}
		d := int(n)
		in.LeadTimeDays = &d
	}
	return ""
}

func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "true", "1", "yes":
		return true, true
	case "false", "0", "no":
		return false, true
	}
	return false, false
}
