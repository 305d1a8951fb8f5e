//! Funds and the voucher ledger, shared by meal subsidies and welfare: each fund has yearly
//! budgets and numbered receipts and payments (phiếu thu / phiếu chi) per year. A posted voucher
//! never changes (the database refuses it too); a mistake is corrected by a reversing voucher.

pub mod handlers;
pub mod lines;
pub mod report;
pub mod store;
