-- The health check's real write (one row, updated in place).
CREATE TABLE heartbeat (
    id INTEGER PRIMARY KEY,
    beat_at TIMESTAMP NOT NULL
);
