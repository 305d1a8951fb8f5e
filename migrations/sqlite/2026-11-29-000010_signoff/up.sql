-- #8: electronic sign-off of a closed month (the office's internal approval record with
-- cryptographic integrity). Each signer has an Ed25519 key pair; the secret half is stored
-- sealed with a key derived from their password (argon2id → ChaCha20-Poly1305), so only
-- someone who types the password can sign. Keys are never deleted: retired keys stay in the
-- registry so that old signatures still verify.
CREATE TABLE signing_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    public_key TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    sealed_secret BLOB NOT NULL,
    salt BLOB NOT NULL,
    nonce BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL,
    retired_at TIMESTAMP
);
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys(user_id) WHERE retired_at IS NULL;

-- Who signs as chief accountant or head of the unit (and the deputies who may sign for the
-- head), with the title printed under their name.
CREATE TABLE signatories (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    position TEXT NOT NULL CHECK (position = 'chief_accountant' OR position = 'head' OR position = 'deputy'),
    title TEXT NOT NULL CHECK (length(title) > 0),
    updated_at TIMESTAMP NOT NULL
);

-- The head authorises someone to sign in their place for a date range: a deputy signs
-- "KT." (ký thay), anyone else authorised in writing "TUQ." (thừa ủy quyền).
CREATE TABLE delegations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    from_user INTEGER NOT NULL REFERENCES users(id),
    to_user INTEGER NOT NULL REFERENCES users(id),
    mode TEXT NOT NULL CHECK (mode = 'KT' OR mode = 'TUQ'),
    valid_from DATE NOT NULL,
    valid_to DATE NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users(id),
    revoked_at TIMESTAMP,
    CHECK (valid_to >= valid_from),
    CHECK (from_user <> to_user)
);

-- The three signatures of a month, in order: 1 the preparer (an accountant), 2 the chief
-- accountant, 3 the head of the unit (or who signs for them). Each signs `payload`, the
-- canonical text of the statement digest, the month's totals, the earlier signatures and the
-- audit chain's head at that moment.
CREATE TABLE month_signatures (
    month TEXT NOT NULL,
    step INTEGER NOT NULL CHECK (step >= 1 AND step <= 3),
    capacity TEXT NOT NULL CHECK (capacity = 'preparer' OR capacity = 'chief_accountant' OR capacity = 'head'),
    signer_id INTEGER NOT NULL REFERENCES users(id),
    signer_name TEXT NOT NULL,
    signer_title TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode = '' OR mode = 'KT' OR mode = 'TUQ'),
    on_behalf_of INTEGER REFERENCES users(id),
    key_id INTEGER NOT NULL REFERENCES signing_keys(id),
    signed_at TIMESTAMP NOT NULL,
    payload TEXT NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (month, step)
);

-- Union officers propose low-income or hardship eligibility; an accountant accepts a proposal
-- into a decision (with its number and date) or declines it with a reason.
CREATE TABLE eligibility_proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    band TEXT NOT NULL CHECK (band = 'low_income' OR band = 'hardship'),
    valid_from DATE NOT NULL,
    valid_to DATE,
    reason TEXT NOT NULL CHECK (length(reason) > 0),
    proposed_by INTEGER REFERENCES users(id),
    proposed_at TIMESTAMP NOT NULL,
    state TEXT NOT NULL CHECK (state = 'pending' OR state = 'accepted' OR state = 'declined'),
    decided_by INTEGER REFERENCES users(id),
    decided_at TIMESTAMP,
    decline_reason TEXT,
    decision_id INTEGER REFERENCES eligibility(id)
);
