-- Notifications (NOTIFY.md): the outbox every message due is written to before it is sent, and each
-- app user's own notification preferences (language, rules switched off).
-- The outbox key is (rule, recipient, period): period is the day D (YYYY-MM-DD) for the daily rules and
-- the ISO week of D (YYYY-Www) for weekly_brief, so a second run on the same day adds nothing.
-- recipient: a lower-cased e-mail address, or 'robot:<name>'. status: pending, sending (claimed by a
-- run), sent, failed. next_at: when a pending row may be tried (retries after 1, 5, 15, 60 minutes).
CREATE SEQUENCE notify_outbox_seq;
CREATE TABLE notify_outbox (
    outbox_id BIGINT PRIMARY KEY DEFAULT nextval('notify_outbox_seq'),
    rule VARCHAR NOT NULL,
    recipient VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    day DATE NOT NULL,
    channel VARCHAR NOT NULL,
    lang VARCHAR NOT NULL,
    scope VARCHAR NOT NULL,
    attach_pack BOOLEAN NOT NULL,
    subject VARCHAR NOT NULL,
    body_text VARCHAR NOT NULL,
    body_html VARCHAR,
    status VARCHAR NOT NULL,
    attempts INTEGER NOT NULL,
    next_at TIMESTAMP NOT NULL,
    claimed_by VARCHAR,
    claimed_at TIMESTAMP,
    sent_at TIMESTAMP,
    error VARCHAR,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (rule, recipient, period)
);
CREATE TABLE notify_preferences (
    email VARCHAR PRIMARY KEY,
    lang VARCHAR,
    rules_off VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
