package main

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/portal"
	"nexo/tenant"
)

// TestPortalNoticesPurge: the hourly purge deletes the notice marks of
// events older than 30 days in every tenant and keeps the recent ones. On
// PostgreSQL the table is under RLS and the app role runs the purge, so
// this also shows it reaches each tenant's rows.
func TestPortalNoticesPurge(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	now := time.Now().UTC()
	type notice struct {
		tenant uuid.UUID
		id     uuid.UUID
		old    bool
	}
	var all []notice
	for _, slug := range []string{"purge-a", "purge-b"} {
		var me meBody
		ta.do(ta.signup(slug), "GET", "/api/v1/me", nil).json(t, &me)
		tid := uuid.MustParse(me.Tenant.ID)
		for _, age := range []time.Duration{31 * 24 * time.Hour, 29 * 24 * time.Hour, time.Minute} {
			n := notice{tenant: tid, id: uuid.Must(uuid.NewV7()), old: age > portal.NoticeRetention}
			all = append(all, n)
			err := ta.db.Run(tenant.WithTenant(ctx, tid), func(ctx context.Context, tx bun.IDB) error {
				_, err := tx.NewRaw(`INSERT INTO portal_notices (tenant_id, event_id, topic, account_id, emails, event_at) VALUES (?, ?, ?, ?, 1, ?)`,
					tid, n.id, "sales.order.confirmed", uuid.Must(uuid.NewV7()), now.Add(-age)).Exec(ctx)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}

	got, err := ta.portal.PurgeNotices(ctx, portal.NoticeRetention)
	if err != nil || got != 2 {
		t.Fatalf("purged %d, %v; want the 2 old notices", got, err)
	}
	for _, n := range all {
		var count int
		err := ta.db.Run(tenant.WithTenant(ctx, n.tenant), func(ctx context.Context, tx bun.IDB) error {
			return tx.NewRaw(`SELECT count(*) FROM portal_notices WHERE tenant_id = ? AND event_id = ?`, n.tenant, n.id).Scan(ctx, &count)
		})
		if err != nil {
			t.Fatal(err)
		}
		if kept := count == 1; kept == n.old {
			t.Errorf("notice %s (old %v) kept %v", n.id, n.old, kept)
		}
	}
	if got, err := ta.portal.PurgeNotices(ctx, portal.NoticeRetention); err != nil || got != 0 {
		t.Errorf("a second purge removed %d, %v", got, err)
	}
}
