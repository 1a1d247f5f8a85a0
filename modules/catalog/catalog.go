// Package catalog is the product catalog (E1): products with SKU, unit,
// list price, cost, tax rate, lot tracking, reorder point, lead time and
// daily capacity; bills of materials for manufactured products; price lists
// with quantity breaks; CSV import and export.
//
// Money is int64 minor units plus an ISO 4217 currency and quantities are
// int64 counts of the product's unit: never floats (M5). Other modules ask
// for prices through Service.Price behind an interface they own.
package catalog

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

// Type says how a product is obtained and whether it is stocked.
type Type string

// Product types (E1).
const (
	TypeStocked      Type = "stocked"
	TypeService      Type = "service"
	TypeManufactured Type = "manufactured"
	TypePurchased    Type = "purchased"
)

// Bounds on amounts and quantities. They keep every value far inside int64
// so later modules can multiply a price by a quantity with a checked product
// and sum lines without overflow surprises.
const (
	MaxAmountMinor = 999_999_999_999 // 9,999,999,999.99 in a two-decimal currency
	MaxQuantity    = 1_000_000_000
	MaxLeadDays    = 3650
)

// Product is one catalog entry. CostMinor is in Currency, like the price.
type Product struct {
	ID             uuid.UUID
	SKU            string
	Name           string
	Description    string
	Type           Type
	Unit           string
	ListPriceMinor int64
	Currency       string
	CostMinor      int64
	TaxRateID      *uuid.UUID
	LotTracked     bool
	ReorderPoint   int64
	LeadTimeDays   int
	DailyCapacity  int64 // units a day, for manufactured products
	Active         bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// ProductInput creates a product or, with nil fields left alone, changes one
// (PATCH). TaxRateID pointing at uuid.Nil clears the rate.
type ProductInput struct {
	SKU            *string
	Name           *string
	Description    *string
	Type           *Type
	Unit           *string
	ListPriceMinor *int64
	Currency       *string
	CostMinor      *int64
	TaxRateID      *uuid.UUID
	LotTracked     *bool
	ReorderPoint   *int64
	LeadTimeDays   *int
	DailyCapacity  *int64
	Active         *bool
}

// Filter narrows a product list. After is the cursor (the last id of the
// previous page); Sort is "sku", "name", "created_at", each optionally
// prefixed with "-" for descending; the default is newest first.
type Filter struct {
	Q      string
	Type   Type
	Active *bool
	Sort   string
	After  *uuid.UUID
	Limit  int
}

// BOMLine is one component of a bill of materials: Quantity units of the
// component per unit of the product.
type BOMLine struct {
	ComponentID uuid.UUID
	SKU         string // the component's, for display
	Name        string
	Unit        string
	Quantity    int64
}

// BOM is a manufactured product's bill of materials. A product without one
// has no lines and a nil UpdatedAt.
type BOM struct {
	ProductID uuid.UUID
	Lines     []BOMLine
	UpdatedAt *time.Time
}

// BOMFilter narrows the BOM list; ComponentID finds where a component is used.
type BOMFilter struct {
	ComponentID *uuid.UUID
	After       *uuid.UUID
	Limit       int
}

// PriceList is a named set of prices in one currency.
type PriceList struct {
	ID        uuid.UUID
	Name      string
	Currency  string
	Active    bool
	Items     []PriceListItem // filled by GetPriceList only
	CreatedAt time.Time
	UpdatedAt time.Time
}

// PriceListItem prices a product from MinQuantity units up.
type PriceListItem struct {
	ProductID   uuid.UUID
	MinQuantity int64
	PriceMinor  int64
}

// PriceListInput creates a price list or changes the fields that are set.
type PriceListInput struct {
	Name     *string
	Currency *string
	Active   *bool
}

// PriceListFilter narrows the price list list.
type PriceListFilter struct {
	Q        string
	Currency string
	Active   *bool
	After    *uuid.UUID
	Limit    int
}

// UnitPrice is the price of one unit for a quantity, and where it came from.
type UnitPrice struct {
	AmountMinor int64
	Currency    string
	PriceListID *uuid.UUID // nil: the product's list price
	TaxRateID   *uuid.UUID
}

var (
	skuRE      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$`)
	unitRE     = regexp.MustCompile(`^[a-z][a-z0-9_]{0,15}$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
)

// Valid reports whether t is one of the product types.
func (t Type) Valid() bool {
	switch t {
	case TypeStocked, TypeService, TypeManufactured, TypePurchased:
		return true
	}
	return false
}

// check validates the set fields (and requires the creating ones), trimming
// text in place; every failing field is reported at once.
func (in *ProductInput) check(creating bool) error {
	f := errs.Fields{}
	if creating {
		in.defaults()
	}
	if in.SKU != nil {
		*in.SKU = strings.TrimSpace(*in.SKU)
		if !skuRE.MatchString(*in.SKU) {
			f.Add("sku", "must be 1 to 64 letters, digits, . _ / - starting with a letter or digit")
		}
	} else if creating {
		f.Add("sku", "is required")
	}
	checkText(f, "name", in.Name, creating, 200)
	checkText(f, "description", in.Description, false, 2000)
	if in.Type != nil && !in.Type.Valid() {
		f.Add("type", "must be stocked, service, manufactured or purchased")
	}
	if in.Unit != nil && !unitRE.MatchString(*in.Unit) {
		f.Add("unit", "must be a short lower-case unit such as unit, kg or m")
	}
	checkAmount(f, "list_price_minor", in.ListPriceMinor, creating)
	checkAmount(f, "cost_minor", in.CostMinor, false)
	checkCurrency(f, "currency", in.Currency, creating)
	checkRange(f, "reorder_point", in.ReorderPoint, 0, MaxQuantity)
	checkRange(f, "daily_capacity", in.DailyCapacity, 0, MaxQuantity)
	if in.LeadTimeDays != nil && (*in.LeadTimeDays < 0 || *in.LeadTimeDays > MaxLeadDays) {
		f.Add("lead_time_days", "must be between 0 and 3650")
	}
	return f.Err()
}

// defaults fills what a new product may leave out.
func (in *ProductInput) defaults() {
	if in.Type == nil {
		t := TypeStocked
		in.Type = &t
	}
	if in.Unit == nil {
		u := "unit"
		in.Unit = &u
	}
}

// apply copies the set fields onto p.
func (in *ProductInput) apply(p *Product) {
	set(&p.SKU, in.SKU)
	set(&p.Name, in.Name)
	set(&p.Description, in.Description)
	set(&p.Type, in.Type)
	set(&p.Unit, in.Unit)
	set(&p.ListPriceMinor, in.ListPriceMinor)
	set(&p.Currency, in.Currency)
	set(&p.CostMinor, in.CostMinor)
	set(&p.LotTracked, in.LotTracked)
	set(&p.ReorderPoint, in.ReorderPoint)
	set(&p.LeadTimeDays, in.LeadTimeDays)
	set(&p.DailyCapacity, in.DailyCapacity)
	set(&p.Active, in.Active)
	if in.TaxRateID != nil {
		p.TaxRateID = in.TaxRateID
		if *in.TaxRateID == uuid.Nil {
			p.TaxRateID = nil
		}
	}
}

// checkProduct holds the rules across fields, on the product as it would be.
func checkProduct(p *Product) error {
	if p.Type == TypeService && p.LotTracked {
		return errs.Field("lot_tracked", "a service is not stocked and cannot be lot tracked")
	}
	return nil
}

func (in *PriceListInput) check(creating bool) error {
	f := errs.Fields{}
	checkText(f, "name", in.Name, creating, 100)
	checkCurrency(f, "currency", in.Currency, creating)
	return f.Err()
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// checkText trims *s and requires 1..max printable characters.
func checkText(f errs.Fields, field string, s *string, required bool, max int) {
	if s == nil {
		if required {
			f.Add(field, "is required")
		}
		return
	}
	*s = strings.TrimSpace(*s)
	n := utf8.RuneCountInString(*s)
	switch {
	case !utf8.ValidString(*s):
		f.Add(field, "must be valid UTF-8")
	case n == 0 && field != "description":
		f.Add(field, "must not be empty")
	case n > max:
		f.Add(field, "is too long")
	case strings.IndexFunc(*s, badRune(field)) >= 0:
		f.Add(field, "must not contain control characters")
	}
}

// badRune refuses control characters; a description may keep line breaks.
func badRune(field string) func(rune) bool {
	return func(r rune) bool {
		if field == "description" && (r == '\n' || r == '\t') {
			return false
		}
		return unicode.IsControl(r)
	}
}

func checkAmount(f errs.Fields, field string, v *int64, required bool) {
	if v == nil {
		if required {
			f.Add(field, "is required")
		}
		return
	}
	if *v < 0 || *v > MaxAmountMinor {
		f.Add(field, "must be a whole number of minor units from 0 to 999999999999")
	}
}

func checkRange(f errs.Fields, field string, v *int64, lo, hi int64) {
	if v != nil && (*v < lo || *v > hi) {
		f.Add(field, "must be a whole number from "+strconv.FormatInt(lo, 10)+" to "+strconv.FormatInt(hi, 10))
	}
}

func checkCurrency(f errs.Fields, field string, v *string, required bool) {
	if v == nil {
		if required {
			f.Add(field, "is required")
		}
		return
	}
	if !currencyRE.MatchString(*v) {
		f.Add(field, "must be an ISO 4217 code such as EUR")
	}
}
