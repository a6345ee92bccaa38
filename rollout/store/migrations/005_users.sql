-- Who may use the app (ACCESS.md "Users"): one row per lower-cased email; regions is '*' or a
-- comma-separated list of region codes.
CREATE TABLE users (
    email VARCHAR PRIMARY KEY,
    name VARCHAR,
    role VARCHAR NOT NULL,
    regions VARCHAR NOT NULL,
    active BOOLEAN NOT NULL,
    created_on TIMESTAMP NOT NULL,
    created_by VARCHAR NOT NULL
);
