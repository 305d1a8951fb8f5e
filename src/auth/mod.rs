//! Accounts' security: passwords, sessions, CSRF, throttling, roles, login pages.

pub mod handlers;
pub mod middleware;
pub mod password;
pub mod roles;
pub mod session;
pub mod store;
pub mod throttle;
mod views;
