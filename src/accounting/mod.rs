//! The accountants' month: the split of every staff meal of a month (live while it is open),
//! closing it (statement lines stored with their SHA-256 digest; every dated write path then
//! refuses the month through `periods::ensure_open`), and the payroll deduction export.

pub mod handlers;
pub mod reconcile;
pub mod reconciliation;
pub mod statement;
pub mod store;
