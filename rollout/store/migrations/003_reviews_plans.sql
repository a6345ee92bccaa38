-- Frozen figures (steering snapshots, go/no-go decisions) and saved launch-plan scenarios.
-- Snapshots and decisions are insert-only: figures are stored as the JSON of that moment.
CREATE SEQUENCE snapshot_seq;
CREATE TABLE snapshots (
    snapshot_id BIGINT PRIMARY KEY DEFAULT nextval('snapshot_seq'),
    as_of DATE NOT NULL,
    taken_at TIMESTAMP NOT NULL,
    label VARCHAR,
    summary_json VARCHAR NOT NULL
);
CREATE SEQUENCE decision_seq;
CREATE TABLE decisions (
    decision_id BIGINT PRIMARY KEY DEFAULT nextval('decision_seq'),
    branch_code VARCHAR NOT NULL,
    decision VARCHAR NOT NULL,
    decided_on DATE NOT NULL,
    decided_by VARCHAR NOT NULL,
    conditions VARCHAR,
    follow_up_on DATE,
    figures_json VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE TABLE plan_scenarios (
    name VARCHAR PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    params_json VARCHAR NOT NULL,
    plan_json VARCHAR NOT NULL
);
