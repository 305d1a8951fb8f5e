//! Electronic sign-off (ký duyệt điện tử) of closed months: the office's internal approval
//! record with cryptographic integrity — not a legal digital signature under the
//! e-transactions law (that needs a licensed CA's certificate; `keys` is where such a signer
//! would plug in). Three signatures in order — the preparer, the chief accountant, the head of
//! the unit or who signs for them (KT./TUQ.) — each over the statement digest, the month's
//! totals, the earlier signatures and the audit chain's head.

pub mod handlers;
pub mod keys;
pub mod store;
