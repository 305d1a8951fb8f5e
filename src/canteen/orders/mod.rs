//! Staff meals: the one transition function and its history, the store of orders and guest
//! meals, standing orders and absences, My week, orders on behalf, the meal pass and ratings.

pub mod behalf;
pub mod history;
pub mod notices;
pub mod pass;
pub mod staff;
pub mod standing;
pub mod store;
pub mod transition;
pub mod week;
