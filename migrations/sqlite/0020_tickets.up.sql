-- Support tickets (C6, P6): a customer account's question or problem,
-- opened by staff or by a portal customer, optionally about one of the
-- account's orders, a product or (staff only) a lot. Status:
--   open → pending_customer (staff answered publicly) → open (the customer
--   replied) … → resolved (a customer reply reopens it) → closed (final).
-- sla_due_at is created_at plus the priority's resolution target (urgent
-- 4 h, high 8 h, normal 24 h, low 72 h; see modules/tickets); a ticket not
-- resolved or closed by then is breached. first_response_at is the first
-- public staff reply. ticket_messages are the thread; internal rows are
-- staff notes a customer never reads. author_id is a user, API key or
-- portal user id (by author_kind), as is a ticket's opened_by_id, so they
-- have no foreign key (a portal user goes with its contact; the thread
-- stays); author_name keeps who wrote it as they were named then.
CREATE TABLE tickets (
    tenant_id          TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                 TEXT PRIMARY KEY,
    number             TEXT NOT NULL,
    account_id         TEXT NOT NULL,
    contact_id         TEXT,
    opened_by_kind     TEXT NOT NULL CHECK (opened_by_kind IN ('user', 'api_key', 'customer')),
    opened_by_id       TEXT NOT NULL,
    subject            TEXT NOT NULL CHECK (subject <> ''),
    status             TEXT NOT NULL CHECK (status IN ('open', 'pending_customer', 'resolved', 'closed')),
    priority           TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    sla_due_at         TIMESTAMP NOT NULL,
    first_response_at  TIMESTAMP,
    resolved_at        TIMESTAMP,
    closed_at          TIMESTAMP,
    order_id           TEXT,
    product_id         TEXT,
    lot_id             TEXT,
    assignee_user_id   TEXT,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    last_message_at    TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, number),
    -- Closing settles a ticket too: resolved_at is when it stopped counting
    -- against its SLA.
    CHECK ((status IN ('resolved', 'closed')) = (resolved_at IS NOT NULL)),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id),
    FOREIGN KEY (tenant_id, lot_id) REFERENCES lots (tenant_id, id),
    FOREIGN KEY (tenant_id, assignee_user_id) REFERENCES users (tenant_id, id)
);
-- The queue is read by due time; the account timeline by creation time.
CREATE INDEX tickets_due ON tickets (tenant_id, sla_due_at, id);
CREATE INDEX tickets_account ON tickets (tenant_id, account_id, created_at, id);
CREATE INDEX tickets_assignee ON tickets (tenant_id, assignee_user_id, sla_due_at) WHERE assignee_user_id IS NOT NULL;
CREATE INDEX tickets_order ON tickets (tenant_id, order_id) WHERE order_id IS NOT NULL;

CREATE TABLE ticket_messages (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           TEXT PRIMARY KEY,
    ticket_id    TEXT NOT NULL,
    author_kind  TEXT NOT NULL CHECK (author_kind IN ('user', 'api_key', 'customer')),
    author_id    TEXT NOT NULL,
    author_name  TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL CHECK (body <> ''),
    internal     BOOLEAN NOT NULL DEFAULT false,
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    -- A customer never writes an internal note.
    CHECK (NOT (internal AND author_kind = 'customer')),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (tenant_id, ticket_id, created_at, id);
