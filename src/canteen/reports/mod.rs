//! Reports: waste log, ordered/served/no-show figures, ratings.

pub mod store;
pub mod waste;

pub use store::*;
