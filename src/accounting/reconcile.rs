//! The month against the supplier's invoices. Pure: the canteen's counts per day and option,
//! the contracts, the invoices and the month's split in; per day and in total what was
//! billable, what the contract says it should cost, what was invoiced, and the money identity
//!
//!   invoice total = staff payable + subsidy + guest/walk-in takings + difference
//!
//! where the difference is by construction what is left over. The check that matters is the
//! expected cost: invoiced against billable meals × contract price, per day (where the invoice
//! names days) and in total; every mismatch is listed with its day.

use crate::canteen::ordering::DayCount;
use crate::suppliers::store::{contract_on, Contract, Invoice};
use chrono::NaiveDate;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DayRow {
    pub day: Option<NaiveDate>,
    pub ordered: i64,
    pub served: i64,
    pub no_show: i64,
    pub guests: i64,
    pub walk_ins: i64,
    /// What the contract in force lets the supplier bill (ordered or served meals, guests
    /// and walk-ins).
    pub billable: i64,
    /// Billable × contract price; None when no contract price covers a meal of the day.
    pub expected: Option<i64>,
    /// What invoice lines naming this day say (None: no line names it).
    pub invoiced_qty: Option<i64>,
    pub invoiced_vnd: Option<i64>,
}

impl DayRow {
    pub fn qty_differs(&self) -> bool {
        self.invoiced_qty.is_some_and(|q| q != self.billable)
    }
    pub fn money_differs(&self) -> bool {
        match (self.invoiced_vnd, self.expected) {
            (Some(i), Some(e)) => i != e,
            (Some(_), None) => true,
            _ => false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// A day whose invoiced quantity is not the billable count.
    Quantity {
        day: NaiveDate,
        invoiced: i64,
        billable: i64,
    },
    /// A day whose invoiced amount is not the expected cost.
    Amount {
        day: NaiveDate,
        invoiced: i64,
        expected: Option<i64>,
    },
    /// Days with meals but no contract price.
    NoContract { days: Vec<NaiveDate> },
    /// The invoices' total against the expected total.
    Total { invoiced: i64, expected: i64 },
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reconciliation {
    pub days: Vec<DayRow>,
    pub billable: i64,
    pub expected_total: i64,
    pub invoice_total: i64,
    /// Invoice lines that name no day of the month (the month as a whole), and discounts.
    pub month_lines_vnd: i64,
    pub invoices: usize,
    pub staff: i64,
    pub subsidy: i64,
    /// Guests and walk-ins, who pay the full price.
    pub takings: i64,
    pub adjustments: i64,
    pub difference: i64,
    pub mismatches: Vec<Mismatch>,
}

/// The month's split in figures: what staff pay and what the funds pay.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Split {
    pub staff: i64,
    pub subsidy: i64,
    pub adjustments: i64,
}

pub fn reconcile(
    counts: &[DayCount],
    contracts: &[Contract],
    invoices: &[Invoice],
    split: Split,
) -> Reconciliation {
    let mut days: BTreeMap<NaiveDate, DayRow> = BTreeMap::new();
    let mut no_contract: Vec<NaiveDate> = Vec::new();
    let mut takings = 0;
    for c in counts {
        let row = days.entry(c.day).or_insert_with(|| DayRow {
            day: Some(c.day),
            expected: Some(0),
            ..DayRow::default()
        });
        row.ordered += c.ordered;
        row.served += c.served;
        row.no_show += c.no_show;
        row.guests += c.guests;
        row.walk_ins += c.walk_ins;
        takings += c.guest_vnd + c.walk_in_vnd;
        let contract = contract_on(contracts, c.day);
        let billable = match contract {
            Some(k) if !k.bills_ordered() => c.served + c.guests_served + c.walk_ins,
            _ => c.ordered + c.guests + c.walk_ins,
        };
        row.billable += billable;
        match contract.and_then(|k| k.price_for(&c.option_name)) {
            Some(p) => {
                row.expected = row.expected.map(|e| e + billable * p.0);
            }
            None if billable > 0 => {
                row.expected = None;
                if no_contract.last() != Some(&c.day) {
                    no_contract.push(c.day);
                }
            }
            None => {}
        }
    }
    let mut month_lines_vnd = 0;
    let mut invoice_total = 0;
    for inv in invoices {
        invoice_total += inv.total.0;
        for l in &inv.lines {
            match l.day {
                Some(d) => {
                    let row = days.entry(d).or_insert_with(|| DayRow {
                        day: Some(d),
                        expected: Some(0),
                        ..DayRow::default()
                    });
                    row.invoiced_qty = Some(row.invoiced_qty.unwrap_or(0) + l.quantity);
                    row.invoiced_vnd = Some(row.invoiced_vnd.unwrap_or(0) + l.amount);
                }
                None => month_lines_vnd += l.amount,
            }
        }
    }
    let days: Vec<DayRow> = days.into_values().collect();
    let billable = days.iter().map(|d| d.billable).sum();
    let expected_total = days.iter().filter_map(|d| d.expected).sum();
    let mut mismatches = Vec::new();
    for d in &days {
        let Some(day) = d.day else { continue };
        if let (true, Some(q)) = (d.qty_differs(), d.invoiced_qty) {
            mismatches.push(Mismatch::Quantity {
                day,
                invoiced: q,
                billable: d.billable,
            });
        }
        if let (true, Some(v)) = (d.money_differs(), d.invoiced_vnd) {
            mismatches.push(Mismatch::Amount {
                day,
                invoiced: v,
                expected: d.expected,
            });
        }
    }
    if !no_contract.is_empty() {
        mismatches.push(Mismatch::NoContract { days: no_contract });
    }
    if invoice_total != expected_total {
        mismatches.push(Mismatch::Total {
            invoiced: invoice_total,
            expected: expected_total,
        });
    }
    Reconciliation {
        billable,
        expected_total,
        invoice_total,
        month_lines_vnd,
        invoices: invoices.len(),
        staff: split.staff,
        subsidy: split.subsidy,
        takings,
        adjustments: split.adjustments,
        difference: invoice_total - split.staff - split.subsidy - takings,
        mismatches,
        days,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Vnd;
    use crate::suppliers::store::InvoiceLine;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 10, day).unwrap_or_default()
    }

    fn count(day: u32, option: &str, ordered: i64, served: i64, guests: i64) -> DayCount {
        DayCount {
            day: d(day),
            option_name: option.into(),
            ordered,
            served,
            no_show: ordered - served,
            guests,
            guests_served: guests,
            guest_vnd: guests * 35_000,
            walk_ins: 0,
            walk_in_vnd: 0,
        }
    }

    fn contract(bills: &str) -> Contract {
        Contract {
            id: 1,
            supplier_id: 1,
            reference: "HĐ 01".into(),
            valid_from: d(1),
            valid_to: None,
            bills: bills.into(),
            prices: vec![("".into(), Vnd(32_000)), ("Suất chay".into(), Vnd(30_000))],
        }
    }

    fn invoice(total: i64, lines: Vec<(Option<u32>, i64, i64)>) -> Invoice {
        Invoice {
            id: 1,
            supplier_id: 1,
            month: "2026-10".into(),
            seller_tax_code: "0101234567".into(),
            template: "1".into(),
            series: "C26TAA".into(),
            number: "1".into(),
            issued_on: d(31),
            total: Vnd(total),
            source: "manual".into(),
            attachment_id: None,
            lines: lines
                .into_iter()
                .enumerate()
                .map(|(i, (day, q, a))| InvoiceLine {
                    line_no: i as i32 + 1,
                    name: String::new(),
                    quantity: q,
                    amount: a,
                    day: day.map(d),
                    option: None,
                    named: Vec::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn the_identity_holds_and_a_short_invoice_shows_per_day() {
        let counts = [
            count(1, "Suất thường", 10, 9, 2),
            count(1, "Suất chay", 3, 3, 0),
            count(2, "Suất thường", 8, 8, 0),
        ];
        // Billed ordered meals: day 1: 12 × 32 000 + 3 × 30 000 = 474 000; day 2: 256 000.
        let inv = invoice(
            474_000 + 224_000,
            vec![(Some(1), 15, 474_000), (Some(2), 7, 224_000)],
        );
        let r = reconcile(
            &counts,
            &[contract("ordered")],
            &[inv],
            Split {
                staff: 300_000,
                subsidy: 200_000,
                adjustments: 0,
            },
        );
        assert_eq!(r.expected_total, 730_000);
        assert_eq!(r.takings, 70_000);
        assert_eq!(
            r.invoice_total,
            r.staff + r.subsidy + r.takings + r.difference
        );
        assert_eq!(r.difference, 698_000 - 300_000 - 200_000 - 70_000);
        assert_eq!(
            r.mismatches,
            vec![
                Mismatch::Quantity {
                    day: d(2),
                    invoiced: 7,
                    billable: 8
                },
                Mismatch::Amount {
                    day: d(2),
                    invoiced: 224_000,
                    expected: Some(256_000)
                },
                Mismatch::Total {
                    invoiced: 698_000,
                    expected: 730_000
                },
            ]
        );
    }

    #[test]
    fn a_contract_billing_served_meals_leaves_no_shows_out() {
        let counts = [count(1, "Suất thường", 10, 9, 0)];
        let r = reconcile(
            &counts,
            &[contract("served")],
            &[invoice(288_000, vec![])],
            Split::default(),
        );
        assert_eq!(r.billable, 9);
        assert_eq!(r.expected_total, 288_000);
        assert!(r.mismatches.is_empty(), "{:?}", r.mismatches);
    }

    #[test]
    fn days_without_a_contract_are_listed_not_priced_at_zero() {
        let counts = [count(1, "Suất thường", 1, 1, 0)];
        let mut k = contract("ordered");
        k.valid_from = d(2);
        let r = reconcile(&counts, &[k], &[], Split::default());
        assert_eq!(r.days[0].expected, None);
        assert!(r
            .mismatches
            .contains(&Mismatch::NoContract { days: vec![d(1)] }));
    }
}
