//! Union, Party and retiree welfare: organisations and their members, members' dependants,
//! dues (rules, a month's dues, payments, arrears), the benefit catalogue and welfare cases
//! paid from the fund ledger (`ledger`), the salary basis from `subsidy`.

pub mod case_pages;
pub mod cases;
pub mod demo;
pub mod dues;
pub mod dues_pages;
pub mod member_import;
pub mod occasion_pages;
pub mod occasions;
pub mod orgs;
pub mod reminders;
pub mod retiree_pages;
pub mod retirees;
pub mod rules;
pub mod store;
