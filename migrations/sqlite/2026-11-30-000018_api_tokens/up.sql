-- Tokens of the read-only statistics API: one per named client, with a scope (the report ids
-- it may read, comma-separated) and a last day. Only the SHA-256 of the secret is kept; the
-- secret is shown once when made. Revoked tokens stay (the audit names them). The per-minute
-- call counter lives in the row, so every instance enforces the same limit.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client TEXT NOT NULL CHECK (length(client) BETWEEN 1 AND 100),
    token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    prefix TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (length(scope) BETWEEN 1 AND 2000),
    expires_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users(id),
    revoked_at TIMESTAMP,
    revoked_by INTEGER REFERENCES users(id),
    window_start TIMESTAMP,
    window_calls INTEGER NOT NULL DEFAULT 0 CHECK (window_calls >= 0)
);
