-- The rollout office's own records (../shared/WORKBOOK.md sheets raid and deviations; branches'
-- requirements_signed_on): one table per sheet, same names, typed, keyed by the sheet key. Plain portable SQL.
-- raid.branch_code is NULL for a programme-wide item (the whole programme, no branch). References, enums,
-- ranges and "dates run forward" are checked by the importer and the edit layer, as for every other table.
ALTER TABLE branches ADD COLUMN requirements_signed_on DATE;
CREATE TABLE raid (
    raid_code VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    branch_code VARCHAR,
    title VARCHAR NOT NULL,
    description VARCHAR,
    owner VARCHAR,
    raised_on DATE NOT NULL,
    due_date DATE,
    status VARCHAR NOT NULL,
    closed_on DATE,
    probability INTEGER,
    impact INTEGER,
    response VARCHAR,
    source VARCHAR,
    PRIMARY KEY (raid_code)
);
CREATE TABLE deviations (
    deviation_code VARCHAR NOT NULL,
    branch_code VARCHAR NOT NULL,
    module VARCHAR,
    process VARCHAR,
    title VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    raised_on DATE NOT NULL,
    decision VARCHAR NOT NULL,
    decided_on DATE,
    effort_days DOUBLE,
    blocks_go_live BOOLEAN,
    delivered_on DATE,
    PRIMARY KEY (deviation_code)
);
