-- kyso's PostgreSQL store, version 1 (ARCHITECTURE.md, "The PostgreSQL store").
-- What the embedded store keeps as files under the data directory, as tables: the submitted
-- bytes, the submission records, the registry with its audit, closed periods, reminders sent
-- and staff accounts. Applied once by `kyso serve` at start, under an advisory lock.

-- The submitted bytes, in chunks of at most 1 MiB (a bytea value is read whole: chunks keep
-- the memory a read holds bounded). sha256 is checked again on every read.
CREATE TABLE blobs (
    id      text PRIMARY KEY,
    sha256  bytea NOT NULL,
    size    bigint NOT NULL
);
CREATE TABLE blob_chunks (
    id      text NOT NULL REFERENCES blobs (id),
    n       integer NOT NULL,
    bytes   bytea NOT NULL,
    -- The chunk's own SHA-256, computed by the server as it stores the chunk: a download
    -- checks every chunk against it before its first byte is sent.
    sha256  bytea NOT NULL,
    PRIMARY KEY (id, n)
);
-- Stored uncompressed (PDFs barely compress), so a download reads a piece of a chunk at a time.
ALTER TABLE blob_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;

-- The submission record (receipt time, report, history), as the files store writes it.
CREATE TABLE submissions (
    id          text PRIMARY KEY REFERENCES blobs (id),
    received_at timestamptz NOT NULL,
    record      json NOT NULL,
    changed     bigserial NOT NULL
);

CREATE TABLE registry_units (
    id      text PRIMARY KEY,
    record  json NOT NULL
);
CREATE TABLE registry_leaders (
    id      text PRIMARY KEY,
    record  json NOT NULL
);
-- The registry's version: every registry or settings write checks that it builds on the
-- version its instance read (else 409) and counts it up, in the same transaction.
CREATE TABLE registry_version (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version   bigint NOT NULL
);
INSERT INTO registry_version (version) VALUES (0);
CREATE TABLE registry_settings (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    settings  json NOT NULL
);
-- Every registry change, in order (registry/audit.jsonl in the files store).
CREATE TABLE registry_audit (
    seq     bigserial PRIMARY KEY,
    change  json NOT NULL
);

-- Closed periods: the snapshot the Office closed, and the files it filed with it.
CREATE TABLE periods (
    period  text PRIMARY KEY,
    closed  json NOT NULL
);
CREATE TABLE period_files (
    name    text PRIMARY KEY,
    sha256  bytea NOT NULL,
    bytes   bytea NOT NULL
);

CREATE TABLE reminders_sent (
    seq   bigserial PRIMARY KEY,
    sent  json NOT NULL
);

CREATE TABLE accounts (
    name     text PRIMARY KEY,
    account  json NOT NULL
);
