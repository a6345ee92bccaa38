-- Settings a user changed (the rest are defaults in rollout/settings.py) and the audit trail of
-- every in-app edit: when, who, what, old value, new value.
CREATE TABLE settings (
    key VARCHAR PRIMARY KEY,
    value DOUBLE NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE SEQUENCE audit_seq;
CREATE TABLE audit_log (
    audit_id BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'),
    changed_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    row_key VARCHAR NOT NULL,
    column_name VARCHAR,
    old_value VARCHAR,
    new_value VARCHAR
);
