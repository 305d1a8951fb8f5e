//! Suppliers (the caterer): their contracts with prices per meal option, and their monthly
//! invoices, typed in or imported from the Vietnamese e-invoice XML. The accountants' month
//! reconciles against them; food-safety records will name them too.

pub mod einvoice;
pub mod handlers;
pub mod store;
