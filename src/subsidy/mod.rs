//! Meal subsidies: policies, eligibility (low-income staff), salary bases, and the price split
//! of a month's meals between funds and staff.
//!
//! `split` is the one pure function that decides who pays what; everything else reads and
//! writes its inputs.

pub mod eligibility;
pub mod policies;
pub mod rules;
pub mod salary;
pub mod split;
pub mod store;
