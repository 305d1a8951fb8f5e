//! Integration tests: the real app over HTTP with a real database (SQLite by default,
//! PostgreSQL when TEST_DATABASE_URL is set and built with --features postgres).

mod support;

mod api;
mod audit;
mod auth;
mod browser;
mod cli;
mod db;
mod files;
mod foodsafety;
mod integrity;
mod ledger;
mod menu;
mod ordering;
mod people;
mod periods;
mod reconcile;
mod retirees;
mod security;
mod signoff;
mod stats;
mod subsidy;
mod transitions;
mod week;
mod welfare;
