//! Account management for admins: users, roles, person links, disabling, password resets,
//! and the audit log view.

pub mod audit_page;
pub mod handlers;
mod views;
