//! Lunch ordering: menus, the service calendar, cut-off, standing orders, absences, guests,
//! the kitchen's headcount, the serving counter, waste and ratings.
//!
//! Pure: `rules`, `lunar`, `forms`. Store: `store` (menus, days, dishes, settings), `ordering`
//! (meals and guests), `standing` (standing orders, absences), `service` (passes, counter,
//! headcount), `feedback` (waste, ratings). Pages: `week` (the shared grid), `staff`, `pass`,
//! `dishes`, `menu`, `calendar`, `headcount`, `counter`, `behalf`, `waste`, `settings`.

pub mod behalf;
pub mod calendar;
pub mod commands;
pub mod counter;
pub mod dishes;
pub mod feedback;
pub mod forms;
pub mod headcount;
pub mod history;
pub mod lunar;
pub mod menu;
pub mod ordering;
pub mod pass;
pub mod rules;
pub mod service;
pub mod settings;
pub mod staff;
pub mod standing;
pub mod states;
pub mod store;
pub mod transition;
pub mod waste;
pub mod week;
