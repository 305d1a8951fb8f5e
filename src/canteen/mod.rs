//! Lunch ordering: menus, the service calendar, cut-off, standing orders, absences, guests,
//! the kitchen's headcount, the serving counter, waste and ratings.

pub mod forms;
pub mod kitchen;
pub mod lunar;
pub mod menu;
pub mod ordering;
pub mod rules;
pub mod service;
pub mod staff;
pub mod store;
pub mod waste;
pub mod week;
