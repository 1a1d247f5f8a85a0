package crm

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant"
)

// ActivityKinds is the fixed list of activity kinds (C5).
var ActivityKinds = []string{"call", "email", "meeting", "task", "note"}

// Activity is a call, email, meeting, task or note about an account and,
// optionally, one of its contacts and one of its opportunities. Tasks and meetings may have a due time;
// DoneAt marks them done.
type Activity struct {
	ID            uuid.UUID
	Kind          string
	Subject       string
	Body          string
	AccountID     *uuid.UUID
	ContactID     *uuid.UUID
	OpportunityID *uuid.UUID
	DueAt         *time.Time
	DoneAt        *time.Time
	AssignedTo    uuid.UUID
	CreatedBy     *uuid.UUID // nil when an API key logged it
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// ActivityInput creates an activity or, with nil fields left alone, changes
// one. ContactID or OpportunityID pointing at uuid.Nil and ClearDue detach
// the contact, the opportunity and the due time; Done true marks it done
// now, false reopens it.
type ActivityInput struct {
	Kind          *string
	Subject       *string
	Body          *string
	AccountID     *uuid.UUID
	ContactID     *uuid.UUID
	OpportunityID *uuid.UUID
	DueAt         *time.Time
	ClearDue      bool
	Done          *bool
	AssignedTo    *uuid.UUID
}

// ActivityFilter narrows the activity list, newest first. Open keeps the
// tasks not done yet; DueBefore those due before a time.
type ActivityFilter struct {
	AccountID     *uuid.UUID
	ContactID     *uuid.UUID
	OpportunityID *uuid.UUID
	Kind          string
	AssignedTo    *uuid.UUID
	Open          bool
	DueBefore     *time.Time
	After         *uuid.UUID
	Limit         int
}

// Scope is the record rule on activities (R3): without All, the caller sees
// and changes only the activities assigned to them. The handler sets All
// from the activities:read:all permission.
type Scope struct{ All bool }

const maxBody = 10_000

func (in *ActivityInput) check(creating bool) error {
	f := errs.Fields{}
	if creating && in.Kind == nil {
		f.Add("kind", "is required")
	}
	if in.Kind != nil && !slices.Contains(ActivityKinds, *in.Kind) {
		f.Add("kind", "must be one of "+strings.Join(ActivityKinds, ", "))
	}
	checkText(f, "subject", in.Subject, creating, 1, 200)
	if in.Body != nil {
		*in.Body = strings.TrimSpace(*in.Body)
		if len([]rune(*in.Body)) > maxBody {
			f.Add("body", "is too long (10000 characters at most)")
		}
	}
	if creating && in.AccountID == nil && (in.ContactID == nil || *in.ContactID == uuid.Nil) &&
		(in.OpportunityID == nil || *in.OpportunityID == uuid.Nil) {
		f.Add("account_id", "account_id, contact_id or opportunity_id is required")
	}
	if !creating && in.AccountID != nil {
		f.Add("account_id", "cannot change")
	}
	if in.DueAt != nil {
		if in.DueAt.Year() < 2000 || in.DueAt.Year() > 2200 {
			f.Add("due_at", "must be a date between 2000 and 2200")
		}
		t := in.DueAt.UTC().Truncate(time.Microsecond)
		in.DueAt = &t
	}
	return f.Err()
}

// CreateActivity logs an activity. A contact without an account puts the
// activity on the contact's account; both must agree when both are given.
// The assignee defaults to the calling user.
func (s *Service) CreateActivity(ctx context.Context, in ActivityInput) (Activity, error) {
	if err := in.check(true); err != nil {
		return Activity{}, err
	}
	t := now()
	a := Activity{ID: newID(), Kind: *in.Kind, Subject: *in.Subject, AccountID: in.AccountID, CreatedAt: t, UpdatedAt: t}
	set(&a.Body, in.Body)
	a.DueAt = in.DueAt
	if in.Done != nil && *in.Done {
		a.DoneAt = &t
	}
	if in.ContactID != nil && *in.ContactID != uuid.Nil {
		a.ContactID = in.ContactID
	}
	if in.OpportunityID != nil && *in.OpportunityID != uuid.Nil {
		a.OpportunityID = in.OpportunityID
	}
	p, _ := tenant.PrincipalFrom(ctx)
	if p.Kind == tenant.KindUser {
		a.CreatedBy = &p.ID
		a.AssignedTo = p.ID
	}
	if in.AssignedTo != nil {
		a.AssignedTo = *in.AssignedTo
	}
	if a.AssignedTo == uuid.Nil {
		return Activity{}, errs.Field("assigned_to", "is required when an API key logs an activity")
	}
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		if err := checkAbout(ctx, tx, &a); err != nil {
			return err
		}
		if err := checkAssignee(ctx, tx, a.AssignedTo); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(activityRowOf(&a)).Exec(ctx); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "activity.created", Resource: "activities",
			ResourceID: a.ID.String(), After: a})
	})
	return a, err
}

// GetActivity returns one activity the caller may see.
func (s *Service) GetActivity(ctx context.Context, sc Scope, id uuid.UUID) (Activity, error) {
	var a Activity
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		r, err := getActivity(ctx, tx, sc, id, false)
		if err == nil {
			a = r.activity()
		}
		return err
	})
	return a, err
}

// UpdateActivity changes the fields that are set; Done marks it done (or
// open again). Another user's activity is not found without Scope.All.
func (s *Service) UpdateActivity(ctx context.Context, sc Scope, id uuid.UUID, in ActivityInput) (Activity, error) {
	if err := in.check(false); err != nil {
		return Activity{}, err
	}
	var a Activity
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		r, err := getActivity(ctx, tx, sc, id, true)
		if err != nil {
			return err
		}
		before := r.activity()
		a = before
		set(&a.Kind, in.Kind)
		set(&a.Subject, in.Subject)
		set(&a.Body, in.Body)
		if in.DueAt != nil {
			a.DueAt = in.DueAt
		} else if in.ClearDue {
			a.DueAt = nil
		}
		t := now()
		if in.Done != nil {
			switch {
			case *in.Done && a.DoneAt == nil:
				a.DoneAt = &t
			case !*in.Done:
				a.DoneAt = nil
			}
		}
		if in.OpportunityID != nil {
			a.OpportunityID = in.OpportunityID
			if *in.OpportunityID == uuid.Nil {
				a.OpportunityID = nil
			}
		}
		if in.ContactID != nil {
			a.ContactID = in.ContactID
			if *in.ContactID == uuid.Nil {
				a.ContactID = nil
			}
		}
		if in.ContactID != nil || in.OpportunityID != nil {
			if err := checkAbout(ctx, tx, &a); err != nil {
				return err
			}
		}
		if in.AssignedTo != nil {
			a.AssignedTo = *in.AssignedTo
			if err := checkAssignee(ctx, tx, a.AssignedTo); err != nil {
				return err
			}
		}
		a.UpdatedAt = t
		if _, err := tx.NewUpdate().Model(activityRowOf(&a)).Column(activityColumns...).Where("av.id = ?", id).Exec(ctx); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "activity.updated", Resource: "activities",
			ResourceID: id.String(), Before: before, After: a})
	})
	return a, err
}

// DeleteActivity removes an activity the caller may see.
func (s *Service) DeleteActivity(ctx context.Context, sc Scope, id uuid.UUID) error {
	return s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		r, err := getActivity(ctx, tx, sc, id, true)
		if err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*activityRow)(nil)).Where("av.id = ?", id).Exec(ctx); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, tenant.AuditEntry{Action: "activity.deleted", Resource: "activities",
			ResourceID: id.String(), Before: r.activity()})
	})
}

// FindActivities lists the activities the caller may see matching f, newest
// first. Without Scope.All only the caller's own are listed, whatever
// f.AssignedTo says.
func (s *Service) FindActivities(ctx context.Context, sc Scope, f ActivityFilter) ([]Activity, error) {
	if f.Kind != "" && !slices.Contains(ActivityKinds, f.Kind) {
		return nil, errs.Field("kind", "must be one of "+strings.Join(ActivityKinds, ", "))
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var rows []activityRow
	err := s.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).Apply(scopeActivities(ctx, sc)).OrderExpr("av.id DESC").Limit(int64(f.Limit))
		if f.AccountID != nil {
			q.Where("av.account_id = ?", *f.AccountID)
		}
		if f.ContactID != nil {
			q.Where("av.contact_id = ?", *f.ContactID)
		}
		if f.OpportunityID != nil {
			q.Where("av.opportunity_id = ?", *f.OpportunityID)
		}
		if f.Kind != "" {
			q.Where("av.kind = ?", f.Kind)
		}
		if f.AssignedTo != nil {
			q.Where("av.assigned_to = ?", *f.AssignedTo)
		}
		if f.Open {
			q.Where("av.done_at IS NULL AND av.kind = 'task'")
		}
		if f.DueBefore != nil {
			q.Where("av.due_at < ?", f.DueBefore.UTC())
		}
		if f.After != nil {
			q.Where("av.id < ?", *f.After)
		}
		return q.Scan(ctx)
	})
	out := make([]Activity, len(rows))
	for i := range rows {
		out[i] = rows[i].activity()
	}
	return out, err
}

// scopeActivities applies the record rule: without sc.All, only the
// activities assigned to the calling principal.
func scopeActivities(ctx context.Context, sc Scope) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		if sc.All {
			return q
		}
		p, ok := tenant.PrincipalFrom(ctx)
		if !ok {
			return q.Err(errs.E(errs.Forbidden, "no caller"))
		}
		return q.Where("av.assigned_to = ?", p.ID)
	}
}

// checkAbout checks the activity's opportunity and contact against its
// account, filling the account from them when it was not given. The
// opportunity is any of the tenant's: logging a call on a colleague's deal
// is allowed, seeing the deal is another matter (R3).
func checkAbout(ctx context.Context, tx bun.IDB, a *Activity) error {
	if a.OpportunityID != nil {
		o, err := getOpportunity(ctx, tx, Scope{All: true}, *a.OpportunityID, false)
		if err != nil {
			if errs.Is(err, errs.NotFound) {
				return errs.Field("opportunity_id", "no such opportunity")
			}
			return err
		}
		if a.AccountID == nil {
			a.AccountID = &o.AccountID
		} else if *a.AccountID != o.AccountID {
			return errs.Field("opportunity_id", "the opportunity belongs to another account")
		}
	}
	if a.AccountID != nil {
		if _, err := getAccount(ctx, tx, *a.AccountID, false); err != nil {
			if errs.Is(err, errs.NotFound) {
				return errs.Field("account_id", "no such account")
			}
			return err
		}
	}
	if a.ContactID == nil {
		return nil
	}
	c, err := getContact(ctx, tx, *a.ContactID, false)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return errs.Field("contact_id", "no such contact")
		}
		return err
	}
	if a.AccountID == nil {
		a.AccountID = &c.AccountID
	} else if *a.AccountID != c.AccountID {
		return errs.Field("contact_id", "the contact belongs to another account")
	}
	return nil
}

func checkAssignee(ctx context.Context, tx bun.IDB, id uuid.UUID) error {
	ok, err := userExists(ctx, tx, id)
	if err != nil {
		return err
	}
	if !ok {
		return errs.Field("assigned_to", "no such user")
	}
	return nil
}

type activityRow struct {
	bun.BaseModel `bun:"table:activities,alias:av"`
	tenant.Scoped
	ID            uuid.UUID  `bun:"id,pk,type:uuid"`
	Kind          string     `bun:"kind"`
	Subject       string     `bun:"subject"`
	Body          string     `bun:"body"`
	AccountID     *uuid.UUID `bun:"account_id,type:uuid"`
	ContactID     *uuid.UUID `bun:"contact_id,type:uuid"`
	OpportunityID *uuid.UUID `bun:"opportunity_id,type:uuid"`
	DueAt         *time.Time `bun:"due_at"`
	DoneAt        *time.Time `bun:"done_at"`
	AssignedTo    uuid.UUID  `bun:"assigned_to,type:uuid"`
	CreatedBy     *uuid.UUID `bun:"created_by,type:uuid"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
}

var activityColumns = []string{"kind", "subject", "body", "contact_id", "opportunity_id", "due_at", "done_at", "assigned_to", "updated_at"}

func (r *activityRow) activity() Activity {
	return Activity{ID: r.ID, Kind: r.Kind, Subject: r.Subject, Body: r.Body, AccountID: r.AccountID,
		ContactID: r.ContactID, OpportunityID: r.OpportunityID, DueAt: utc(r.DueAt), DoneAt: utc(r.DoneAt),
		AssignedTo: r.AssignedTo, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func activityRowOf(a *Activity) *activityRow {
	return &activityRow{ID: a.ID, Kind: a.Kind, Subject: a.Subject, Body: a.Body, AccountID: a.AccountID,
		ContactID: a.ContactID, OpportunityID: a.OpportunityID, DueAt: a.DueAt, DoneAt: a.DoneAt,
		AssignedTo: a.AssignedTo, CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func getActivity(ctx context.Context, tx bun.IDB, sc Scope, id uuid.UUID, lock bool) (*activityRow, error) {
	var r activityRow
	q := tx.NewSelect().Model(&r).Apply(scopeActivities(ctx, sc)).Where("av.id = ?", id)
	if lock {
		q = q.Apply(forUpdate)
	}
	if err := q.Scan(ctx); err != nil {
		if errs.Is(db.Translate(err), errs.NotFound) {
			return nil, errs.E(errs.NotFound, "activity not found")
		}
		return nil, err
	}
	return &r, nil
}
