package returns

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
)

// Photo limits: a few phone pictures of the damage, nothing more. SECURITY:
// no SVG (it can carry script and would be served from the app's origin),
// and the bytes must be what the declared type says.
const (
	MaxPhotos     = 5
	MaxPhotoBytes = 512 << 10
)

var photoTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/webp": true}

// Photo is an image attached to a return; Data on PhotoData reads only.
type Photo struct {
	ID          uuid.UUID
	ReturnID    uuid.UUID
	ContentType string
	SizeBytes   int
	CreatedAt   time.Time
	Data        []byte
}

type photoRow struct {
	bun.BaseModel `bun:"table:return_photos,alias:rp"`
	tenant.Scoped
	ID           uuid.UUID  `bun:"id,pk,type:uuid"`
	ReturnID     uuid.UUID  `bun:"return_id,type:uuid"`
	ContentType  string     `bun:"content_type"`
	Data         []byte     `bun:"data"`
	SizeBytes    int        `bun:"size_bytes"`
	CreatedBy    *uuid.UUID `bun:"created_by,type:uuid"`
	PortalUserID *uuid.UUID `bun:"portal_user_id,type:uuid"`
	CreatedAt    time.Time  `bun:"created_at"`
}

func (r *photoRow) photo() Photo {
	return Photo{ID: r.ID, ReturnID: r.ReturnID, ContentType: r.ContentType, SizeBytes: r.SizeBytes, CreatedAt: r.CreatedAt.UTC(), Data: r.Data}
}

// AddPhoto attaches an image to a requested return the caller may see
// (before the decision, which it is evidence for).
func (s *Service) AddPhoto(ctx context.Context, returnID uuid.UUID, contentType string, data []byte) (Photo, error) {
	switch {
	case len(data) == 0:
		return Photo{}, errs.Field("photo", "is empty")
	case len(data) > MaxPhotoBytes:
		return Photo{}, errs.Field("photo", "must be at most 512 KiB")
	case !photoTypes[contentType]:
		return Photo{}, errs.Field("photo", "must be a PNG, JPEG or WebP image")
	case http.DetectContentType(data) != contentType:
		return Photo{}, errs.Field("photo", "the file's content is not a "+contentType+" image")
	}
	p, ok := tenant.PrincipalFrom(ctx)
	if !ok {
		return Photo{}, errs.E(errs.Forbidden, "no caller")
	}
	row := &photoRow{ID: newID(), ReturnID: returnID, ContentType: contentType, Data: data, SizeBytes: len(data), CreatedAt: s.stamp()}
	switch p.Kind {
	case tenant.KindCustomer:
		row.PortalUserID = &p.ID
	case tenant.KindUser:
		row.CreatedBy = &p.ID
	}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		x, err := load(ctx, tx, returnID, true)
		if err != nil {
			return err
		}
		if x.Status != StatusRequested {
			return errs.E(errs.Conflict, "photos are added while the return is requested; this one is %s", x.Status)
		}
		if len(x.Photos) >= MaxPhotos {
			return &errs.Error{Code: errs.FailedPrecondition, Message: "this return has its photos already",
				Fields: map[string]string{"photo": "at most 5 photos per return"}}
		}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return db.Translate(err)
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "return.photo_added", Resource: "returns", ResourceID: returnID.String(),
			After: map[string]any{"photo_id": row.ID, "content_type": contentType, "bytes": len(data)}})
	})
	if err != nil {
		return Photo{}, err
	}
	out := row.photo()
	out.Data = nil
	return out, nil
}

// PhotoData reads one photo with its bytes, if its return is one the
// caller may see (a customer's another account's photo reads as missing).
func (s *Service) PhotoData(ctx context.Context, id uuid.UUID) (Photo, error) {
	var out Photo
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var r photoRow
		if err := tx.NewSelect().Model(&r).Where("rp.id = ?", id).Scan(ctx); err != nil {
			if errs.Is(db.Translate(err), errs.NotFound) {
				return errs.E(errs.NotFound, "photo not found")
			}
			return err
		}
		// The return decides who may see its photos (the account binding).
		if _, err := load(ctx, tx, r.ReturnID, false); errs.Is(err, errs.NotFound) {
			return errs.E(errs.NotFound, "photo not found")
		} else if err != nil {
			return err
		}
		out = r.photo()
		return nil
	})
	return out, err
}

// photos lists a return's photos without their bytes.
func photos(ctx context.Context, tx bun.IDB, returnID uuid.UUID) ([]Photo, error) {
	var rows []photoRow
	err := tx.NewSelect().Model(&rows).Column("id", "return_id", "content_type", "size_bytes", "created_at").
		Where("rp.return_id = ?", returnID).OrderExpr("rp.id").Scan(ctx)
	out := make([]Photo, len(rows))
	for i := range rows {
		out[i] = rows[i].photo()
	}
	return out, err
}
