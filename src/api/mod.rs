//! The read-only statistics API for other systems (`/api/v1`): the standard reports as JSON,
//! bearer tokens an admin makes per client (scoped, expiring, revocable, stored hashed,
//! rate-limited, every call audited) and the OpenAPI description.

pub mod admin;
pub mod handlers;
pub mod openapi;
pub mod store;
