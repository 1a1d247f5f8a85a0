package tenant

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/errs"
)

// AuditEntry is one change to record: who is taken from ctx.
type AuditEntry struct {
	Action     string // e.g. "user.invited"
	Resource   string // e.g. "users"
	ResourceID string
	Before     any // nil or a JSON-able snapshot
	After      any
}

// AuditEvent is a recorded change as admins read it.
type AuditEvent struct {
	ID         uuid.UUID       `json:"id"`
	At         time.Time       `json:"at"`
	ActorType  string          `json:"actor_type"`
	ActorID    string          `json:"actor_id"`
	Action     string          `json:"action"`
	Resource   string          `json:"resource"`
	ResourceID string          `json:"resource_id"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
	RequestID  string          `json:"request_id,omitempty"`
	IP         string          `json:"ip,omitempty"`
}

// Audit writes an audit row in tx, the caller's transaction, so the record
// exists exactly when the change does (M6): the row is inserted before the
// transaction commits, possibly batched with the transaction's other audit
// rows, and never outlives a rollback. Secrets must not be in snapshots.
func Audit(ctx context.Context, tx bun.IDB, e AuditEntry) error {
	row := &auditRow{ID: newID(), At: now(), Action: e.Action, Resource: e.Resource, ResourceID: e.ResourceID}
	row.ActorType, row.ActorID = "system", ""
	if p, ok := PrincipalFrom(ctx); ok {
		row.ActorType, row.ActorID = string(p.Kind), p.ID.String()
	}
	ri := RequestFrom(ctx)
	row.RequestID, row.IP = ri.RequestID, ri.IP
	var err error
	if row.Before, err = snapshot(e.Before); err != nil {
		return err
	}
	if row.After, err = snapshot(e.After); err != nil {
		return err
	}
	// Inside this package's transaction the row waits for the others of
	// the transaction (an order confirmation writes one per line reserved
	// and one for the order) and all go in with one INSERT before commit.
	if st, ok := ctx.Value(txKey).(*txState); ok && bun.IDB(st.tx) == tx {
		if tid, ok := FromContext(ctx); ok && tid == st.tenant && tid != uuid.Nil {
			row.TenantID = tid
			st.audits = append(st.audits, row)
			return nil
		}
	}
	_, err = tx.NewInsert().Model(row).Exec(ctx)
	return err
}

func snapshot(v any) (*string, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "audit snapshot")
	}
	s := string(b)
	return &s, nil
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	Action, Resource, ResourceID, ActorID string
	From, To                              *time.Time
	Limit                                 int
	After                                 *uuid.UUID // cursor: the last id of the previous page
}

// FindAudit lists audit events newest first.
func (d *DB) FindAudit(ctx context.Context, f AuditFilter) ([]AuditEvent, error) {
	var rows []auditRow
	err := d.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&rows).OrderExpr("a.id DESC").Limit(int64(f.Limit))
		if f.Action != "" {
			q.Where("a.action = ?", f.Action)
		}
		if f.Resource != "" {
			q.Where("a.resource = ?", f.Resource)
		}
		if f.ResourceID != "" {
			q.Where("a.resource_id = ?", f.ResourceID)
		}
		if f.ActorID != "" {
			q.Where("a.actor_id = ?", f.ActorID)
		}
		if f.From != nil {
			q.Where("a.at >= ?", *f.From)
		}
		if f.To != nil {
			q.Where("a.at < ?", *f.To)
		}
		if f.After != nil {
			q.Where("a.id < ?", *f.After)
		}
		return q.Scan(ctx)
	})
	out := make([]AuditEvent, len(rows))
	for i, r := range rows {
		out[i] = AuditEvent{ID: r.ID, At: r.At, ActorType: r.ActorType, ActorID: r.ActorID, Action: r.Action,
			Resource: r.Resource, ResourceID: r.ResourceID, RequestID: r.RequestID, IP: r.IP}
		if r.Before != nil {
			out[i].Before = json.RawMessage(*r.Before)
		}
		if r.After != nil {
			out[i].After = json.RawMessage(*r.After)
		}
	}
	return out, err
}
