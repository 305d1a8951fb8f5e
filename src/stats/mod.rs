//! Statistics that replace ad-hoc reports: the catalogue of standard reports (each a page, an
//! A4 print view, XLSX and CSV, with a definition of every figure) and the leadership
//! dashboard. Reads only; the small-cell rule keeps subsidy breakdowns from naming people.

pub mod canteen;
pub mod catalogue;
pub mod dashboard;
pub mod filters;
pub mod finance;
pub mod handlers;
pub mod pack;
pub mod pack_pages;
pub mod sheet;
pub mod store;
pub mod store_welfare;
pub mod subsidy;
pub mod summary;
pub mod table;
pub mod views;
pub mod welfare;
