package crm

import (
	"bytes"
	"context"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"nexo/internal/errs"
	"nexo/internal/web"
)

// This file holds the CSV routes: accounts.csv and contacts.csv (the
// lists' filters, every page at once) and the imports of the same files.

func (h *Handler) csvRoutes(r *web.Router) {
	r.Get("/accounts.csv", web.Perm("accounts:read"), h.exportAccounts)
	r.Post("/accounts/import", web.Perm("accounts:write"), h.importAccounts)
	r.Get("/contacts.csv", web.Perm("contacts:read"), h.exportContacts)
	r.Post("/contacts/import", web.Perm("contacts:write"), h.importContacts)
}

func (h *Handler) exportAccounts(c *fiber.Ctx) error {
	f := Filter{Q: c.Query("q")}
	var err error
	if f.Active, err = boolParam("active", c.Query("active")); err != nil {
		return err
	}
	return web.SendCSV(c, "accounts.csv", AccountColumns, func(emit func(...string) error) error {
		return h.svc.ExportAccounts(c.UserContext(), f, func(a Account, owner string) error {
			return emit(AccountRecord(a, owner)...)
		})
	})
}

func (h *Handler) exportContacts(c *fiber.Ctx) error {
	f := ContactFilter{Q: c.Query("q")}
	var err error
	if f.AccountID, err = queryID(c, "account_id"); err != nil {
		return err
	}
	return web.SendCSV(c, "contacts.csv", ContactColumns, func(emit func(...string) error) error {
		return h.svc.ExportContacts(c.UserContext(), f, func(ct Contact, acct AccountRef) error {
			return emit(ContactRecord(ct, acct)...)
		})
	})
}

func (h *Handler) importAccounts(c *fiber.Ctx) error {
	return runImport(c, "accounts", h.svc.ImportAccounts)
}

func (h *Handler) importContacts(c *fiber.Ctx) error {
	return runImport(c, "contacts", h.svc.ImportContacts)
}

type importIssueJSON struct {
	Row       int    `json:"row"`
	Field     string `json:"field"`
	Message   string `json:"message"`
	Duplicate bool   `json:"duplicate"`
}

type importJSON struct {
	Resource   string            `json:"resource"`
	DryRun     bool              `json:"dry_run"`
	Valid      bool              `json:"valid"`
	Applied    bool              `json:"applied"`
	Rows       int               `json:"rows"`
	Created    int               `json:"created"`
	Updated    int               `json:"updated"`
	Duplicates int               `json:"duplicates"`
	Errors     []importIssueJSON `json:"errors"`
}

type importFunc func(ctx context.Context, r io.Reader, opt ImportOptions) (ImportReport, error)

// runImport takes the CSV as a multipart upload (field file, with form
// fields dry_run and confirm_duplicates), a text/csv body (the options in
// the query: curl --data-binary @accounts.csv), or JSON {"csv", "dry_run",
// "confirm_duplicates"}. dry_run defaults to true, so a forgotten flag
// changes nothing.
func runImport(c *fiber.Ctx, resource string, run importFunc) error {
	data, opt, err := readImport(c)
	if err != nil {
		return err
	}
	if len(data) > MaxImportBytes {
		return fiber.NewError(fiber.StatusRequestEntityTooLarge, "the file is larger than 1 MiB; split it")
	}
	rep, err := run(c.UserContext(), bytes.NewReader(data), opt)
	if err != nil {
		return err
	}
	out := importJSON{Resource: resource, DryRun: opt.DryRun, Valid: len(rep.Issues) == 0, Applied: rep.Applied,
		Rows: rep.Rows, Created: rep.Created, Updated: rep.Updated, Errors: make([]importIssueJSON, len(rep.Issues))}
	dupRows, otherRows := map[int]bool{}, map[int]bool{}
	for i, is := range rep.Issues {
		out.Errors[i] = importIssueJSON(is)
		if is.Duplicate {
			dupRows[is.Row] = true
		} else {
			otherRows[is.Row] = true
		}
	}
	for n := range dupRows {
		if !otherRows[n] {
			out.Duplicates++
		}
	}
	return c.JSON(out)
}

func readImport(c *fiber.Ctx) ([]byte, ImportOptions, error) {
	var in struct {
		CSV               string `json:"csv"`
		DryRun            *bool  `json:"dry_run"`
		ConfirmDuplicates *bool  `json:"confirm_duplicates"`
	}
	var data []byte
	var err error
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	switch {
	case strings.HasPrefix(ct, fiber.MIMEMultipartForm):
		if data, err = uploadedFile(c); err != nil {
			return nil, ImportOptions{}, err
		}
		in.DryRun, err = boolParam("dry_run", c.FormValue("dry_run"))
		if err == nil {
			in.ConfirmDuplicates, err = boolParam("confirm_duplicates", c.FormValue("confirm_duplicates"))
		}
	case strings.HasPrefix(ct, "text/csv"):
		data = c.Body()
		in.DryRun, err = boolParam("dry_run", c.Query("dry_run"))
		if err == nil {
			in.ConfirmDuplicates, err = boolParam("confirm_duplicates", c.Query("confirm_duplicates"))
		}
	case strings.HasPrefix(ct, fiber.MIMEApplicationJSON):
		err = web.DecodeBytes(c.Body(), &in)
		data = []byte(in.CSV)
	default:
		err = errs.Field("body", "content type must be text/csv, multipart/form-data or application/json")
	}
	opt := ImportOptions{DryRun: in.DryRun == nil || *in.DryRun, ConfirmDuplicates: in.ConfirmDuplicates != nil && *in.ConfirmDuplicates}
	return data, opt, err
}

// uploadedFile reads the multipart field "file", at most one byte more than
// an import may have.
func uploadedFile(c *fiber.Ctx) ([]byte, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, errs.Field("file", "a CSV file is required")
	}
	if fh.Size > MaxImportBytes {
		return nil, fiber.NewError(fiber.StatusRequestEntityTooLarge, "the file is larger than 1 MiB; split it")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, errs.Field("file", "cannot be read")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxImportBytes+1))
	if err != nil {
		return nil, errs.Field("file", "cannot be read")
	}
	return data, nil
}

// boolParam reads an optional true/false parameter.
func boolParam(name, v string) (*bool, error) {
	switch v {
	case "":
		return nil, nil
	case "true", "false":
		b := v == "true"
		return &b, nil
	}
	return nil, errs.Field(name, "must be true or false")
}
