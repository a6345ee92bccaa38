-- One table per workbook sheet (../shared/WORKBOOK.md), same names, typed, keyed by the sheet key.
-- Optional key columns (role_requirements.module, assignments.module, touchpoints.topic) hold ''
-- for "none": a primary key cannot hold NULL. References are checked by the importer and the edit
-- layer against the workbook plus the database (DuckDB foreign keys would block upserts).
CREATE TABLE regions (
    region_code VARCHAR PRIMARY KEY,
    region_name VARCHAR NOT NULL
);
CREATE TABLE branches (
    branch_code VARCHAR PRIMARY KEY,
    branch_name VARCHAR NOT NULL,
    region_code VARCHAR NOT NULL,
    city VARCHAR,
    is_pilot BOOLEAN NOT NULL DEFAULT false,
    headcount INTEGER,
    wave INTEGER,
    planned_kickoff DATE,
    planned_go_live DATE,
    actual_go_live DATE,
    peak_months VARCHAR,
    consultant_days_budget DOUBLE,
    consultant_days_used DOUBLE
);
CREATE TABLE modules (
    branch_code VARCHAR NOT NULL,
    module VARCHAR NOT NULL,
    phase INTEGER NOT NULL,
    planned_go_live DATE,
    actual_go_live DATE,
    PRIMARY KEY (branch_code, module)
);
CREATE TABLE checklist (
    branch_code VARCHAR NOT NULL,
    item_code VARCHAR NOT NULL,
    dimension VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    owner VARCHAR,
    due_date DATE,
    weight DOUBLE NOT NULL DEFAULT 1,
    status VARCHAR NOT NULL,
    completed_on DATE,
    gate BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (branch_code, item_code)
);
CREATE TABLE people (
    person_code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    branch_code VARCHAR NOT NULL,
    title VARCHAR,
    department VARCHAR,
    email VARCHAR,
    joined_on DATE,
    left_on DATE
);
CREATE TABLE role_requirements (
    branch_code VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    module VARCHAR NOT NULL DEFAULT '',
    required_fte DOUBLE NOT NULL,
    PRIMARY KEY (branch_code, role, module)
);
CREATE TABLE assignments (
    person_code VARCHAR NOT NULL,
    branch_code VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    module VARCHAR NOT NULL DEFAULT '',
    fte DOUBLE NOT NULL,
    is_backup BOOLEAN NOT NULL DEFAULT false,
    start_date DATE,
    end_date DATE,
    PRIMARY KEY (person_code, branch_code, role, module)
);
CREATE TABLE training (
    person_code VARCHAR NOT NULL,
    module VARCHAR NOT NULL,
    course VARCHAR NOT NULL,
    completed_on DATE,
    score DOUBLE,
    PRIMARY KEY (person_code, module, course)
);
CREATE TABLE executives (
    exec_code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    title VARCHAR,
    region_code VARCHAR NOT NULL,
    branch_code VARCHAR,
    email VARCHAR
);
CREATE TABLE touchpoints (
    exec_code VARCHAR NOT NULL,
    date DATE NOT NULL,
    channel VARCHAR NOT NULL,
    duration_min INTEGER,
    hq_contact VARCHAR,
    topic VARCHAR NOT NULL DEFAULT '',
    sentiment INTEGER,
    commitment VARCHAR,
    follow_up_due DATE,
    PRIMARY KEY (exec_code, date, channel, topic)
);
CREATE TABLE lessons (
    lesson_code VARCHAR PRIMARY KEY,
    source_branch_code VARCHAR NOT NULL,
    phase VARCHAR,
    module VARCHAR,
    category VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    description VARCHAR,
    impact VARCHAR NOT NULL,
    recommendation VARCHAR,
    checklist_item_code VARCHAR,
    recorded_on DATE
);
CREATE TABLE lesson_applications (
    lesson_code VARCHAR NOT NULL,
    branch_code VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    note VARCHAR,
    updated_on DATE,
    PRIMARY KEY (lesson_code, branch_code)
);
CREATE TABLE master_data (
    branch_code VARCHAR NOT NULL,
    object VARCHAR NOT NULL,
    records_expected INTEGER NOT NULL,
    records_loaded INTEGER,
    records_validated INTEGER,
    PRIMARY KEY (branch_code, object)
);
CREATE TABLE problems (
    problem_code VARCHAR PRIMARY KEY,
    branch_code VARCHAR NOT NULL,
    opened_on DATE NOT NULL,
    closed_on DATE,
    severity VARCHAR NOT NULL,
    module VARCHAR,
    title VARCHAR NOT NULL,
    owner VARCHAR
);
-- One row per table per import: what each load did.
CREATE TABLE import_log (
    import_id INTEGER NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    inserted INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    PRIMARY KEY (import_id, table_name)
);
