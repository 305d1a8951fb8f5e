//! Lunch ordering: menus, the service calendar, cut-off, standing orders, absences, guests,
//! the kitchen's headcount, the serving counter, waste and ratings.
//!
//! Sub-features, each a folder with its store (all its SQL) and its pages:
//! `orders/` (meals: `transition` is the one way a meal changes, with its `order_events`
//! history; `store` orders and guests; `standing` standing orders and absences; `week`,
//! `staff`, `behalf`, `history`, `pass`), `menu/` (dishes, week menus, the service calendar,
//! settings), `service/` (counter, headcount, passes), `reports/` (waste, ratings).
//! Shared and pure: `rules`, `states`, `lunar`, `forms`. `commands` holds the kitchen's write
//! paths that span sub-features, each one store command.

pub mod commands;
pub mod forms;
pub mod lunar;
pub mod menu;
pub mod orders;
pub mod reports;
pub mod rules;
pub mod service;
pub mod states;

// The names the rest of the code (and the tests) use for each part.
pub use menu::{calendar, dishes, settings, store};
pub use orders::store as ordering;
pub use orders::{behalf, history, notices, pass, staff, standing, transition, week};
pub use reports as feedback;
pub use reports::waste;
pub use service::{counter, headcount};
