-- From kick-off to acceptance (../shared/WORKBOOK.md sheets kickoffs, consultant_days, daily_entries,
-- acceptance): one table per sheet, same names, typed, keyed by the sheet key. Plain portable SQL.
-- kickoffs.start_time holds the time of day as 'HH:MM' text (24-hour). The kick-off flags stay NULL
-- when the cell is empty ("false or empty" both count as not done). References and the rule
-- "accepted_on and payment_received_on not before the branch's actual_go_live" are checked by the
-- importer and the edit layer, as for every other table.
CREATE TABLE kickoffs (
    branch_code VARCHAR NOT NULL,
    held_on DATE NOT NULL,
    start_time VARCHAR,
    duration_min INTEGER,
    chair VARCHAR,
    attendees INTEGER,
    steering_committee_named BOOLEAN,
    rewards_announced BOOLEAN,
    qa_held BOOLEAN,
    minutes_signed_on DATE,
    minutes_ref VARCHAR,
    PRIMARY KEY (branch_code)
);
CREATE TABLE consultant_days (
    branch_code VARCHAR NOT NULL,
    work_date DATE NOT NULL,
    consultant VARCHAR NOT NULL,
    phase VARCHAR NOT NULL,
    days DOUBLE NOT NULL,
    note VARCHAR,
    PRIMARY KEY (branch_code, work_date, consultant, phase)
);
CREATE TABLE daily_entries (
    branch_code VARCHAR NOT NULL,
    date DATE NOT NULL,
    documents INTEGER NOT NULL,
    entered_same_day INTEGER NOT NULL,
    PRIMARY KEY (branch_code, date)
);
CREATE TABLE acceptance (
    branch_code VARCHAR NOT NULL,
    accepted_on DATE,
    payment_due DATE,
    payment_received_on DATE,
    PRIMARY KEY (branch_code)
);
