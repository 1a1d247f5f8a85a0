package crm

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

// This file holds what the account and contact imports share: reading the
// CSV into rows of named cells, the report, and the error of a refused
// import. The rules of each resource are in import_accounts.go and
// import_contacts.go.

// Import bounds: a bigger file is split by the caller. MaxImportBytes is
// also below the HTTP body limit's default, so either refuses it first.
const (
	MaxImportRows  = 10_000
	MaxImportBytes = 1 << 20
)

// maxIssueFields bounds the fields of the error a refused import returns;
// the dry run's report lists every issue.
const maxIssueFields = 50

// ImportOptions control an import. ConfirmDuplicates imports rows that look
// like existing accounts (or like other rows of the file) anyway.
type ImportOptions struct {
	DryRun            bool
	ConfirmDuplicates bool
}

// ImportIssue is one problem found in an import: the row (the header is
// row 1), the column and what is wrong. Duplicate marks a row refused only
// because it looks like another account, which ConfirmDuplicates lifts.
type ImportIssue struct {
	Row       int
	Field     string
	Message   string
	Duplicate bool
}

// ImportReport says what an import did or, in a dry run, would do.
type ImportReport struct {
	Rows    int
	Created int
	Updated int
	Applied bool
	Issues  []ImportIssue
}

// record is one data row of an import: its number and its non-empty cells
// by column, trimmed. An empty cell leaves the value alone (a new record
// gets the default, an existing one keeps its value).
type record struct {
	n     int
	cells map[string]string
}

// readCSV reads an import: at most MaxImportBytes, a header naming known
// columns (each once, including one of required), then the rows. Issues
// are returned for the header and every malformed row, which is dropped.
// More than MaxImportRows rows is an error (422), not an issue.
func readCSV(r io.Reader, columns []string, required ...string) ([]record, []ImportIssue, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > MaxImportBytes {
		return nil, nil, errs.E(errs.FailedPrecondition, "the file is larger than %d bytes; split it", MaxImportBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // the BOM spreadsheets write
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1 // row length is checked per row, with its number
	header, err := cr.Read()
	if err != nil {
		return nil, []ImportIssue{{Row: 1, Field: "csv", Message: csvMessage(err, "the file is empty; a header row is required")}}, nil
	}
	cols, issues := checkHeader(header, columns, required)
	if len(issues) > 0 {
		return nil, issues, nil
	}
	var rows []record
	for n := 2; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, issues, nil
		}
		if n-1 > MaxImportRows {
			return nil, nil, errs.E(errs.FailedPrecondition, "the file has more than %d rows; split it", MaxImportRows)
		}
		if err != nil {
			// The reader cannot resync after a broken quote: stop here.
			return rows, append(issues, ImportIssue{Row: n, Field: "csv", Message: csvMessage(err, "malformed CSV")}), nil
		}
		if row, bad := cellsOf(cols, rec, n); len(bad) > 0 {
			issues = append(issues, bad...)
		} else if len(row.cells) > 0 { // blank lines are skipped
			rows = append(rows, row)
		}
	}
}

func csvMessage(err error, fallback string) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return "malformed CSV: " + pe.Err.Error()
	}
	return fallback
}

func checkHeader(header, columns, required []string) ([]string, []ImportIssue) {
	var issues []ImportIssue
	cols := make([]string, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		cols[i] = h
		switch {
		case !utf8.ValidString(h):
			issues = append(issues, ImportIssue{Row: 1, Field: "csv", Message: "the header is not UTF-8 text; save the file as CSV UTF-8"})
		case h == "":
			issues = append(issues, ImportIssue{Row: 1, Field: "csv", Message: fmt.Sprintf("column %d has no name", i+1)})
		case !slices.Contains(columns, h):
			issues = append(issues, ImportIssue{Row: 1, Field: h, Message: "unknown column; the columns are " + strings.Join(columns, ", ")})
		case slices.Contains(cols[:i], h):
			issues = append(issues, ImportIssue{Row: 1, Field: h, Message: "column appears twice"})
		}
	}
	if !slices.ContainsFunc(required, func(c string) bool { return slices.Contains(cols, c) }) {
		issues = append(issues, ImportIssue{Row: 1, Field: required[0],
			Message: "a column " + strings.Join(required, " or ") + " is required"})
	}
	return cols, issues
}

// cellsOf names the non-empty cells of one row. Text is checked for UTF-8
// here, so nothing else has to; the formula prefix of an export is removed.
func cellsOf(cols, rec []string, n int) (record, []ImportIssue) {
	row := record{n: n, cells: map[string]string{}}
	var issues []ImportIssue
	if len(rec) > len(cols) {
		issues = append(issues, ImportIssue{Row: n, Field: "csv", Message: fmt.Sprintf("%d values under %d columns", len(rec), len(cols))})
	}
	for i, col := range cols {
		if i >= len(rec) {
			break
		}
		v := strings.TrimSpace(rec[i])
		switch {
		case !utf8.ValidString(v):
			issues = append(issues, ImportIssue{Row: n, Field: col, Message: "must be UTF-8 text; save the file as CSV UTF-8"})
		case v != "":
			row.cells[col] = undefuse(v)
		}
	}
	return row, issues
}

// undefuse removes the ' an export puts before formula-like text.
func undefuse(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}

// cellText returns a pointer to the cell's text, nil when it is empty.
func (r record) text(col string) *string {
	v, ok := r.cells[col]
	if !ok {
		return nil
	}
	return &v
}

// cellBool parses a true/false cell into *dst, reporting a bad one.
func (r record) boolean(col string, dst **bool, issues *[]ImportIssue) {
	v, ok := r.cells[col]
	if !ok {
		return
	}
	var b bool
	switch strings.ToLower(v) {
	case "true", "1", "yes":
		b = true
	case "false", "0", "no":
	default:
		*issues = append(*issues, ImportIssue{Row: r.n, Field: col, Message: "must be true or false"})
		return
	}
	*dst = &b
}

// id parses an id cell (nil when empty), reporting a bad one.
func (r record) id(col string, issues *[]ImportIssue) *uuid.UUID {
	v, ok := r.cells[col]
	if !ok {
		return nil
	}
	id, err := uuid.Parse(v)
	if err != nil || id == uuid.Nil {
		*issues = append(*issues, ImportIssue{Row: r.n, Field: col, Message: "must be an id"})
		return nil
	}
	return &id
}

// integer parses a whole-number cell into *dst, reporting a bad one.
func (r record) integer(col string, dst **int, issues *[]ImportIssue) {
	v, ok := r.cells[col]
	if !ok {
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		*issues = append(*issues, ImportIssue{Row: r.n, Field: col, Message: "must be a whole number"})
		return
	}
	*dst = &n
}

// fieldIssues turns a validation error into issues of row n; rename maps
// the service's field names to the file's columns.
func fieldIssues(n int, err error, rename map[string]string) []ImportIssue {
	if err == nil {
		return nil
	}
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return []ImportIssue{{Row: n, Field: "row", Message: errs.FieldReason(err, "")}}
	}
	out := make([]ImportIssue, 0, len(e.Fields))
	for f, msg := range e.Fields {
		if c, ok := rename[f]; ok {
			f = c
		}
		out = append(out, ImportIssue{Row: n, Field: f, Message: msg})
	}
	return out
}

func sortIssues(is []ImportIssue) []ImportIssue {
	sort.SliceStable(is, func(i, j int) bool {
		if is[i].Row != is[j].Row {
			return is[i].Row < is[j].Row
		}
		return is[i].Field < is[j].Field
	})
	return is
}

// issueRows counts the distinct data rows with issues.
func issueRows(is []ImportIssue) int {
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
