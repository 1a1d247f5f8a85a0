package rbac

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/internal/web"
	"nexo/tenant"
)

// roleRow keeps a custom role's name and description; its permissions are
// the casbin rules of key "custom:<id>" (the copy here is for export/audit).
type roleRow struct {
	bun.BaseModel `bun:"table:roles,alias:r"`
	tenant.Scoped
	ID          uuid.UUID `bun:"id,pk,type:uuid"`
	Name        string    `bun:"name"`
	Description string    `bun:"description"`
	Permissions string    `bun:"permissions"`
	CreatedAt   time.Time `bun:"created_at"`
	UpdatedAt   time.Time `bun:"updated_at"`
}

// Handler serves roles and the permission list.
type Handler struct {
	e  *Enforcer
	db *tenant.DB
}

// NewHandler returns the roles HTTP handler.
func NewHandler(e *Enforcer, d *tenant.DB) *Handler { return &Handler{e: e, db: d} }

// Routes mounts the role routes on r (at /api/v1).
func (h *Handler) Routes(r *web.Router) {
	r.Get("/permissions", web.Perm("roles:read"), h.permissions)
	r.Get("/roles", web.Perm("roles:read"), h.list)
	r.Post("/roles", web.Perm("roles:manage"), h.create)
	r.Get("/roles/:id", web.Perm("roles:read"), h.get)
	r.Patch("/roles/:id", web.Perm("roles:manage"), h.update)
	r.Delete("/roles/:id", web.Perm("roles:manage"), h.delete)
}

type roleJSON struct {
	ID          *uuid.UUID `json:"id"`
	Key         string     `json:"key"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Builtin     bool       `json:"builtin"`
	Permissions []string   `json:"permissions"`
}

func customKey(id uuid.UUID) string { return CustomPrefix + id.String() }

func (h *Handler) out(tid uuid.UUID, r *roleRow) roleJSON {
	id := r.ID
	perms := h.e.RolePermissions(tid, customKey(r.ID))
	if perms == nil {
		perms = []string{}
	}
	return roleJSON{ID: &id, Key: customKey(r.ID), Name: r.Name, Description: r.Description, Permissions: perms}
}

func (h *Handler) permissions(c *fiber.Ctx) error {
	type permJSON struct {
		Key         string `json:"key"`
		Module      string `json:"module"`
		Description string `json:"description"`
	}
	all := All()
	out := make([]permJSON, len(all))
	for i, p := range all {
		out[i] = permJSON{Key: p.Key, Module: p.Module, Description: p.Description}
	}
	return c.JSON(web.List[permJSON]{Items: out})
}

func (h *Handler) list(c *fiber.Ctx) error {
	p, _ := tenant.PrincipalFrom(c.UserContext())
	var out []roleJSON
	for _, r := range BuiltinRoles() {
		out = append(out, roleJSON{Key: r.Key, Name: r.Name, Description: r.Description, Builtin: true, Permissions: r.Permissions})
	}
	var rows []roleRow
	err := h.db.Run(c.UserContext(), func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&rows).OrderExpr("r.name").Limit(1000).Scan(ctx)
	})
	if err != nil {
		return err
	}
	for i := range rows {
		out = append(out, h.out(p.TenantID, &rows[i]))
	}
	return c.JSON(web.List[roleJSON]{Items: out})
}

func pathID(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, errs.E(errs.NotFound, "role not found")
	}
	return id, nil
}

func (h *Handler) get(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, _ := tenant.PrincipalFrom(c.UserContext())
	var row roleRow
	if err := h.db.Run(c.UserContext(), func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&row).Where("r.id = ?", id).Scan(ctx)
	}); err != nil {
		return err
	}
	return c.JSON(h.out(p.TenantID, &row))
}

type roleInput struct {
	Name        *string   `json:"name"`
	Description *string   `json:"description"`
	Permissions *[]string `json:"permissions"`
}

// validate checks the fields present; creating requires name and permissions.
func (h *Handler) validate(ctx context.Context, in *roleInput, creating bool) error {
	f := errs.Fields{}
	if in.Name != nil || creating {
		name := ""
		if in.Name != nil {
			name = strings.TrimSpace(*in.Name)
			in.Name = &name
		}
		if name == "" || utf8.RuneCountInString(name) > 60 {
			f.Add("name", "is required, at most 60 characters")
		}
	}
	if in.Description != nil && utf8.RuneCountInString(*in.Description) > 500 {
		f.Add("description", "is at most 500 characters")
	}
	if in.Permissions != nil || creating {
		if in.Permissions == nil || len(*in.Permissions) == 0 {
			f.Add("permissions", "at least one permission is required")
		} else {
			p, _ := tenant.PrincipalFrom(ctx)
			have := h.e.Permissions(p.TenantID, p.Subject)
			for _, perm := range *in.Permissions {
				if _, ok := Lookup(perm); !ok {
					f.Add("permissions", "unknown permission "+perm)
				} else if !slices.Contains(have, perm) {
					// SECURITY: no one builds a role stronger than themselves.
					f.Add("permissions", "you cannot grant "+perm+", which you do not have")
				}
			}
		}
	}
	return f.Err()
}

func (h *Handler) create(c *fiber.Ctx) error {
	var in roleInput
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	ctx := c.UserContext()
	if err := h.validate(ctx, &in, true); err != nil {
		return err
	}
	p, _ := tenant.PrincipalFrom(ctx)
	now := time.Now().UTC()
	row := &roleRow{ID: uuid.Must(uuid.NewV7()), Name: *in.Name, CreatedAt: now, UpdatedAt: now}
	if in.Description != nil {
		row.Description = *in.Description
	}
	perms, _ := json.Marshal(*in.Permissions)
	row.Permissions = string(perms)
	err := h.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			if errs.Is(db.Translate(err), errs.Conflict) {
				return errs.Field("name", "a role with this name exists")
			}
			return err
		}
		if err := h.e.PutCustomRole(ctx, tx, p.TenantID, customKey(row.ID), *in.Permissions); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "role.created", Resource: "roles", ResourceID: row.ID.String(),
			After: map[string]any{"name": row.Name, "permissions": *in.Permissions}})
	})
	if err != nil {
		return err
	}
	out := h.out(p.TenantID, row)
	out.Permissions = normalize(*in.Permissions)
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (h *Handler) update(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in roleInput
	if err := web.Decode(c, &in); err != nil {
		return err
	}
	ctx := c.UserContext()
	if err := h.validate(ctx, &in, false); err != nil {
		return err
	}
	p, _ := tenant.PrincipalFrom(ctx)
	var row roleRow
	err = h.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if err := tx.NewSelect().Model(&row).Where("r.id = ?", id).Scan(ctx); err != nil {
			return err
		}
		before := h.out(p.TenantID, &row)
		if in.Name != nil {
			row.Name = *in.Name
		}
		if in.Description != nil {
			row.Description = *in.Description
		}
		if in.Permissions != nil {
			b, _ := json.Marshal(*in.Permissions)
			row.Permissions = string(b)
			if err := h.e.PutCustomRole(ctx, tx, p.TenantID, customKey(row.ID), *in.Permissions); err != nil {
				return err
			}
		}
		row.UpdatedAt = time.Now().UTC()
		if _, err := tx.NewUpdate().Model(&row).Column("name", "description", "permissions", "updated_at").WherePK().Exec(ctx); err != nil {
			if errs.Is(db.Translate(err), errs.Conflict) {
				return errs.Field("name", "a role with this name exists")
			}
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "role.updated", Resource: "roles", ResourceID: row.ID.String(),
			Before: before, After: in})
	})
	if err != nil {
		return err
	}
	out := h.out(p.TenantID, &row)
	if in.Permissions != nil {
		out.Permissions = normalize(*in.Permissions)
	}
	return c.JSON(out)
}

func (h *Handler) delete(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, _ := tenant.PrincipalFrom(c.UserContext())
	err = h.db.Run(c.UserContext(), func(ctx context.Context, tx bun.IDB) error {
		res, err := tx.NewDelete().Model((*roleRow)(nil)).Where("r.id = ?", id).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "role not found")
		}
		if err := h.e.DeleteCustomRole(ctx, tx, p.TenantID, customKey(id)); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "role.deleted", Resource: "roles", ResourceID: id.String()})
	})
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
