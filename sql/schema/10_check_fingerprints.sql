CREATE TABLE check_fingerprints (
    unit_id      VARCHAR PRIMARY KEY,
    fingerprint  VARCHAR NOT NULL
);
COMMENT ON TABLE check_fingerprints IS 'Bookkeeping for incremental checking: a fingerprint of everything a unit''s findings depend on (its active reports, registry facts, the rule catalogue and checking code, the deadline). A unit whose fingerprint is unchanged keeps its findings from the previously published warehouse.';
COMMENT ON COLUMN check_fingerprints.unit_id IS 'Registry unit.';
COMMENT ON COLUMN check_fingerprints.fingerprint IS 'SHA-1 of the inputs of the unit''s findings.';
