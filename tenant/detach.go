package tenant

import (
	"context"

	"nexo/internal/db"
)

// OwnTx returns a context whose transactions commit on their own, so that
// a row written through it (an idempotency key saved before a call to a
// payment provider, S3) is durable before the call even when the request
// runs inside an Idempotency-Key transaction. The tenant and principal
// stay bound. SECURITY/sharp edge: SQLite has one connection, which that
// outer transaction holds; there the row joins it (a crash then loses the
// row and the request together, and the client's retry runs afresh).
func (d *DB) OwnTx(ctx context.Context) context.Context {
	if !InTx(ctx) || d.dialect != db.Postgres {
		return ctx
	}
	tid, _ := FromContext(ctx)
	vals := WithTenant(context.Background(), tid)
	if p, ok := PrincipalFrom(ctx); ok {
		vals = WithPrincipal(context.Background(), p)
	}
	return detached{Context: ctx, values: vals}
}

// detached keeps ctx's deadline and cancellation but not its values (the
// open transaction among them).
type detached struct {
	context.Context
	values context.Context
}

func (d detached) Value(k any) any { return d.values.Value(k) }
