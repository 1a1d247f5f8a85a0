package catalog

import (
	"context"
	"io"
	"log/slog"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/cache"
	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/internal/events"
	"nexo/tenant"
)

// TopicProductChanged is published (outbox) whenever a product is created,
// changed or deleted; the payload is {"product_id", "sku", "change"}.
const TopicProductChanged = "catalog.product.changed"

// Service owns the catalog's rules and transactions.
type Service struct {
	db    *tenant.DB
	cache productCache
}

// Options are the Service's optional dependencies.
type Options struct {
	Cache  cache.Cache // product reads by id and SKU; nil disables caching
	Logger *slog.Logger
}

// NewService returns the catalog service over d.
func NewService(d *tenant.DB, opt Options) *Service {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Service{db: d, cache: productCache{c: opt.Cache, log: opt.Logger}}
}

// CreateProduct adds a product.
func (s *Service) CreateProduct(ctx context.Context, in ProductInput) (Product, error) {
	if err := in.check(true); err != nil {
		return Product{}, err
	}
	var p Product
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		p, err = s.insertProduct(ctx, tx, in)
		s.cache.invalidate(ctx)
		return err
	})
	return p, err
}

func (s *Service) insertProduct(ctx context.Context, tx bun.IDB, in ProductInput) (Product, error) {
	t := now()
	p := Product{ID: newID(), Active: true, CreatedAt: t, UpdatedAt: t}
	in.apply(&p)
	if err := s.checkRefs(ctx, tx, &p); err != nil {
		return Product{}, err
	}
	if _, err := tx.NewInsert().Model(rowOf(&p)).Exec(ctx); err != nil {
		return Product{}, skuTaken(err)
	}
	return p, s.recordProduct(ctx, tx, "product.created", nil, &p)
}

// GetProduct returns one product, from the cache when it can.
func (s *Service) GetProduct(ctx context.Context, id uuid.UUID) (Product, error) {
	p, key, ok := s.cache.get(ctx, "product", id.String())
	if ok {
		return p, nil
	}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		r, err := getProduct(ctx, tx, id, "")
		if err == nil {
			p = r.product()
		}
		return err
	})
	if err == nil {
		s.cache.put(ctx, key, p)
	}
	return p, err
}

// ProductBySKU returns the product with sku, from the cache when it can.
func (s *Service) ProductBySKU(ctx context.Context, sku string) (Product, error) {
	if !skuRE.MatchString(sku) {
		return Product{}, errs.E(errs.NotFound, "product not found")
	}
	p, key, ok := s.cache.get(ctx, "sku", sku)
	if ok {
		return p, nil
	}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var r productRow
		if err := tx.NewSelect().Model(&r).Where("p.sku = ?", sku).Scan(ctx); err != nil {
			return notFound(err, "product")
		}
		p = r.product()
		return nil
	})
	if err == nil {
		s.cache.put(ctx, key, p)
	}
	return p, err
}

// UpdateProduct changes the fields that are set.
func (s *Service) UpdateProduct(ctx context.Context, id uuid.UUID, in ProductInput) (Product, error) {
	if err := in.check(false); err != nil {
		return Product{}, err
	}
	var p Product
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		r, err := getProduct(ctx, tx, id, "UPDATE")
		if err != nil {
			return err
		}
		p, err = s.updateProduct(ctx, tx, r.product(), in)
		s.cache.invalidate(ctx)
		return err
	})
	return p, err
}

func (s *Service) updateProduct(ctx context.Context, tx bun.IDB, before Product, in ProductInput) (Product, error) {
	p := before
	in.apply(&p)
	p.UpdatedAt = now()
	if err := s.checkRefs(ctx, tx, &p); err != nil {
		return Product{}, err
	}
	if before.Type == TypeManufactured && p.Type != TypeManufactured {
		has, err := tx.NewSelect().Model((*bomRow)(nil)).Apply(tenant.ScopeSelect(ctx)).Where("b.product_id = ?", p.ID).Exists(ctx)
		if err != nil {
			return Product{}, err
		}
		if has {
			return Product{}, &errs.Error{Code: errs.FailedPrecondition, Message: "remove the bill of materials before changing the type",
				Fields: map[string]string{"type": "the product has a bill of materials"}}
		}
	}
	if _, err := tx.NewUpdate().Model(rowOf(&p)).Column(productColumns...).Where("p.id = ?", p.ID).Exec(ctx); err != nil {
		return Product{}, skuTaken(err)
	}
	return p, s.recordProduct(ctx, tx, "product.updated", &before, &p)
}

// DeleteProduct removes a product nothing refers to; one used in a bill of
// materials, a price list or (later) a document is refused: deactivate it.
func (s *Service) DeleteProduct(ctx context.Context, id uuid.UUID) error {
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		r, err := getProduct(ctx, tx, id, "UPDATE")
		if err != nil {
			return err
		}
		before := r.product()
		s.cache.invalidate(ctx)
		if _, err := tx.NewDelete().Model((*productRow)(nil)).Where("p.id = ?", id).Exec(ctx); err != nil {
			if errs.Is(db.Translate(err), errs.Invalid) {
				return errs.E(errs.Conflict, "the product is in use; deactivate it instead (PATCH active=false)")
			}
			return err
		}
		return s.recordProduct(ctx, tx, "product.deleted", &before, nil)
	})
}

// checkRefs checks what the product refers to exists in the bound tenant
// and the rules across fields, naming the field at fault.
func (s *Service) checkRefs(ctx context.Context, tx bun.IDB, p *Product) error {
	if err := checkProduct(p); err != nil {
		return err
	}
	if p.TaxRateID == nil {
		return nil
	}
	ok, err := taxRateExists(ctx, tx, *p.TaxRateID)
	if err != nil {
		return err
	}
	if !ok {
		return errs.Field("tax_rate_id", "no such tax rate")
	}
	return nil
}

// recordProduct writes the audit row and the outbox event of a change in
// tx. Callers move the cache generation once per transaction (invalidate).
func (s *Service) recordProduct(ctx context.Context, tx bun.IDB, action string, before, after *Product) error {
	cur := after
	if cur == nil {
		cur = before
	}
	e := tenant.AuditEntry{Action: action, Resource: "products", ResourceID: cur.ID.String()}
	if before != nil {
		e.Before = before
	}
	if after != nil {
		e.After = after
	}
	if err := tenant.Audit(ctx, tx, e); err != nil {
		return err
	}
	tid, _ := tenant.FromContext(ctx)
	change := strings.TrimPrefix(action, "product.")
	if err := events.Publish(ctx, tx, tid, TopicProductChanged,
		map[string]string{"product_id": cur.ID.String(), "sku": cur.SKU, "change": change}); err != nil {
		return err
	}
	return nil
}

// skuTaken names the field when the unique index refuses a SKU.
func skuTaken(err error) error {
	if errs.Is(db.Translate(err), errs.Conflict) {
		return &errs.Error{Code: errs.Conflict, Message: "a product with this SKU already exists", Fields: map[string]string{"sku": "already exists"}}
	}
	return err
}
