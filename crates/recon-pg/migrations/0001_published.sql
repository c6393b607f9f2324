-- Version 1 (issue 18): published reconciliations. Rows are only ever inserted: the app's role
-- (recon_publisher) may INSERT and SELECT, never UPDATE, DELETE or TRUNCATE. A new revision of a
-- period is a new row that names the one it supersedes (reopenings). Money is bigint minor units.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'recon_publisher') THEN
        CREATE ROLE recon_publisher NOLOGIN;
    END IF;
END
$$;

CREATE TABLE reconciliations (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account text NOT NULL,
    period_start date NOT NULL,
    period_end date NOT NULL,
    revision integer NOT NULL CHECK (revision >= 1),
    content_hash text NOT NULL CHECK (length(content_hash) = 64),
    workspace_id text NOT NULL,
    currency text NOT NULL,
    exponent integer NOT NULL,
    rule_set_sha256 text NOT NULL,
    bank_closing_minor bigint NOT NULL,
    ledger_balance_minor bigint NOT NULL,
    unexplained_minor bigint NOT NULL,
    match_groups bigint NOT NULL,
    matched_items bigint NOT NULL,
    open_items bigint NOT NULL,
    manifest jsonb NOT NULL,
    manifest_sha256 text NOT NULL,
    published_by text NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account, period_start, period_end, revision)
);

-- The item tables (match_groups, match_items, open_items) carry no foreign key to
-- reconciliations: at a million items the per-row check cost 3 s of the 10 s publishing budget
-- (BENCHMARKS.md). Their rows are written in the same transaction as their reconciliation row,
-- with the id it returned, and no role may update or delete any of them.
CREATE TABLE match_groups (
    reconciliation_id bigint NOT NULL,
    group_no bigint NOT NULL,
    rule text NOT NULL,
    origin text NOT NULL,
    created_by text NOT NULL,
    difference_minor bigint NOT NULL,
    PRIMARY KEY (reconciliation_id, group_no)
);

-- An item is in at most one group of a reconciliation (the workspace's invariant, asserted here).
CREATE TABLE match_items (
    reconciliation_id bigint NOT NULL,
    group_no bigint NOT NULL,
    side text NOT NULL CHECK (side IN ('bank', 'ledger')),
    item_id text NOT NULL,
    item_date text NOT NULL,
    amount_minor bigint NOT NULL,
    reference text NOT NULL,
    UNIQUE (reconciliation_id, side, item_id)
);

CREATE TABLE adjustments (
    reconciliation_id bigint NOT NULL REFERENCES reconciliations (id),
    group_no bigint NOT NULL,
    rule text NOT NULL,
    reason text NOT NULL,
    note text NOT NULL,
    difference_minor bigint NOT NULL,
    created_by text NOT NULL,
    created_at text NOT NULL,
    items text NOT NULL
);

-- The exceptions still open at approval: the next period's opening items.
CREATE TABLE open_items (
    reconciliation_id bigint NOT NULL,
    side text NOT NULL CHECK (side IN ('bank', 'ledger')),
    item_id text NOT NULL,
    item_date text NOT NULL,
    days_open bigint NOT NULL,
    amount_minor bigint NOT NULL,
    reason text NOT NULL,
    reference text NOT NULL,
    description text NOT NULL,
    UNIQUE (reconciliation_id, side, item_id)
);

CREATE TABLE sign_offs (
    reconciliation_id bigint PRIMARY KEY REFERENCES reconciliations (id),
    preparer text NOT NULL,
    prepared_at text NOT NULL,
    approver text NOT NULL,
    approved_at text NOT NULL,
    content_hash text NOT NULL,
    CHECK (preparer <> approver)
);

-- The head of the workspace's audit chain at approval: whoever holds the workspace key cannot
-- rewrite the chain before it without the anchor here disagreeing.
CREATE TABLE audit_anchors (
    reconciliation_id bigint PRIMARY KEY REFERENCES reconciliations (id),
    workspace_id text NOT NULL,
    audit_seq bigint NOT NULL,
    audit_hash text NOT NULL,
    anchored_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reopenings (
    reconciliation_id bigint PRIMARY KEY REFERENCES reconciliations (id),
    superseded_revision integer NOT NULL,
    superseded_hash text NOT NULL,
    reason text NOT NULL CHECK (length(btrim(reason)) > 0),
    reopened_by text NOT NULL,
    reopened_at text NOT NULL
);

GRANT USAGE ON SCHEMA public TO recon_publisher;
GRANT SELECT, INSERT ON reconciliations, match_groups, match_items, adjustments, open_items,
    sign_offs, audit_anchors, reopenings TO recon_publisher;
GRANT SELECT ON recon_schema_migrations TO recon_publisher;
