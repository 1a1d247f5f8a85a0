package tenant

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"regexp"
	"time"

	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
)

// DefaultAccent is the portal's accent colour until a tenant picks one.
const DefaultAccent = "#1c5fd4"

// MaxLogoBytes bounds an uploaded logo: a portal header needs no more.
const MaxLogoBytes = 512 << 10

var accentRE = regexp.MustCompile(`^#[0-9a-f]{6}$`)

// logoTypes are the accepted logo formats. SECURITY: no SVG, which can carry
// script and is served from the app's own origin.
var logoTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/webp": true}

type logoRow struct {
	bun.BaseModel `bun:"table:tenant_logos,alias:l"`
	Scoped
	ContentType string    `bun:"content_type"`
	Data        []byte    `bun:"data"`
	ETag        string    `bun:"etag"`
	UpdatedAt   time.Time `bun:"updated_at"`
}

// Logo is a tenant's portal logo.
type Logo struct {
	ContentType string
	Data        []byte
	ETag        string
}

// Branding is what a portal visitor sees before logging in (P7).
type Branding struct {
	Slug        string
	Name        string // the company name
	DisplayName string // the portal name, or the company name when unset
	AccentColor string
	Locale      string
	LogoETag    string // empty: no logo
}

// SetLogo stores the bound tenant's logo after checking that the bytes are
// what the declared type says (the browser's Content-Type is not trusted).
func (s *Service) SetLogo(ctx context.Context, contentType string, data []byte) error {
	switch {
	case len(data) == 0:
		return errs.Field("logo", "is empty")
	case len(data) > MaxLogoBytes:
		return errs.Field("logo", "must be at most 512 KiB")
	case !logoTypes[contentType]:
		return errs.Field("logo", "must be a PNG, JPEG or WebP image")
	case http.DetectContentType(data) != contentType:
		return errs.Field("logo", "the file's content is not a "+contentType+" image")
	}
	sum := sha256.Sum256(data)
	row := &logoRow{ContentType: contentType, Data: data, ETag: hex.EncodeToString(sum[:8]), UpdatedAt: now()}
	p, _ := PrincipalFrom(ctx)
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if _, err := tx.NewDelete().Model((*logoRow)(nil)).Where("1 = 1").Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return err
		}
		return Audit(ctx, tx, AuditEntry{Action: "tenant.logo_updated", Resource: "tenants", ResourceID: p.TenantID.String(),
			After: map[string]any{"content_type": contentType, "bytes": len(data), "etag": row.ETag}})
	})
}

// DeleteLogo removes the bound tenant's logo (no logo is not an error).
func (s *Service) DeleteLogo(ctx context.Context) error {
	p, _ := PrincipalFrom(ctx)
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		res, err := tx.NewDelete().Model((*logoRow)(nil)).Where("1 = 1").Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return Audit(ctx, tx, AuditEntry{Action: "tenant.logo_deleted", Resource: "tenants", ResourceID: p.TenantID.String()})
	})
}

// logoETag returns the bound tenant's logo version, "" without a logo.
func (s *Service) logoETag(ctx context.Context) (string, error) {
	var row logoRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&row).Column("etag").Limit(1).Scan(ctx)
	})
	if errs.Is(db.Translate(err), errs.NotFound) {
		return "", nil
	}
	return row.ETag, err
}

// PortalBranding returns an active tenant's public branding by slug. The
// logo is read with the tenant bound, so row-level security still applies.
func (s *Service) PortalBranding(ctx context.Context, slug string) (Branding, error) {
	t, r, err := s.activeBySlug(ctx, slug)
	if err != nil {
		return Branding{}, err
	}
	etag, err := s.logoETag(WithTenant(ctx, t.ID))
	if err != nil {
		return Branding{}, err
	}
	display := r.PortalName
	if display == "" {
		display = r.Name
	}
	return Branding{Slug: r.Slug, Name: r.Name, DisplayName: display, AccentColor: r.AccentColor, Locale: r.Locale, LogoETag: etag}, nil
}

// PortalLogo returns an active tenant's logo by slug.
func (s *Service) PortalLogo(ctx context.Context, slug string) (Logo, error) {
	t, _, err := s.activeBySlug(ctx, slug)
	if err != nil {
		return Logo{}, err
	}
	var row logoRow
	err = s.db.Run(WithTenant(ctx, t.ID), func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&row).Limit(1).Scan(ctx)
	})
	if err != nil {
		return Logo{}, portalNotFound(err)
	}
	return Logo{ContentType: row.ContentType, Data: row.Data, ETag: row.ETag}, nil
}

func (s *Service) activeBySlug(ctx context.Context, slug string) (Tenant, tenantRow, error) {
	var r tenantRow
	err := s.db.Platform(ctx, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&r).Where("t.slug = ?", slug).Where("t.status = 'active'").Scan(ctx)
	})
	if err != nil {
		return Tenant{}, r, portalNotFound(err)
	}
	return toTenant(&r), r, nil
}

// portalNotFound answers the same 404 for an unknown, suspended or
// logo-less portal, so probing slugs tells nothing more.
func portalNotFound(err error) error {
	if errs.Is(db.Translate(err), errs.NotFound) {
		return errs.E(errs.NotFound, "no such portal")
	}
	return err
}
