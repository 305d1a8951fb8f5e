//! Serving: the counter (scan, undo, walk-ins, close service), meal passes, the headcount.

pub mod counter;
pub mod headcount;
pub mod store;

pub use store::*;
