//! Menus and the service calendar: dishes, week menus (options, prices, capacity, copy,
//! publish), closing and opening days, canteen settings.

pub mod cache;
pub mod calendar;
pub mod dishes;
pub mod handlers;
pub mod settings;
pub mod store;

pub use handlers::*;
