//! Food-safety records (Decision 1246/QĐ-BYT, 2017): the three-step food check (deliveries
//! before processing, each dish during processing and before serving), the food samples kept
//! and discarded, suppliers' certificates, and incidents with the trace of their day. Kitchen
//! pages; the health details of an incident only for kitchen managers and admins.

pub mod certificates;
pub mod checks;
pub mod day;
pub mod deliveries;
pub mod demo;
pub mod incidents;
pub mod print;
pub mod rules;
pub mod store;
