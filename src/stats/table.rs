//! What a standard report computes: columns (each with a one-line definition), rows, a total
//! row, and the small-cell rule. Rendered the same way as a page, a print view, CSV, XLSX and
//! JSON. Pure: no HTTP, no SQL.

/// What a column holds; decides alignment, formatting and the XLSX cell type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A count of meals, cases, days…
    Count,
    /// A count of people: subject to the small-cell rule.
    People,
    /// Whole đồng.
    Money,
    /// A share in basis points (12,5 % = 1250).
    Percent,
    /// A mean in tenths (4,2 = 42).
    Tenths,
}

/// A column: its header and its definition (text keys), and its kind.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub key: &'static str,
    pub def: &'static str,
    pub kind: Kind,
}

pub const fn col(key: &'static str, def: &'static str, kind: Kind) -> Column {
    Column { key, def, kind }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    /// A label from the text table (a band, a month's state), shown in the reader's language.
    Key(&'static str),
    Num(i64),
    /// A share kept as its fraction (part, whole), so that it is rounded once, where it is
    /// shown: to a tenth of a per cent on pages and files, to basis points in the API.
    Ratio(i64, i64),
    /// No value (a rate with nothing to divide by, a month with no figures).
    Empty,
    /// The people count of a row about 1–4 people: shown as "< 5".
    Small,
    /// A figure hidden by the small-cell rule.
    Hidden,
}

impl Cell {
    /// The cell as a number (a share in basis points), for charts and sums.
    pub fn num(&self) -> Option<i64> {
        match self {
            Cell::Num(n) => Some(*n),
            Cell::Ratio(a, b) => Some(scaled(*a, *b, 10_000)),
            _ => None,
        }
    }
}

/// `num / den` as a share; nothing when `den` is 0.
pub fn rate_bp(num: i64, den: i64) -> Cell {
    if den <= 0 {
        return Cell::Empty;
    }
    Cell::Ratio(num, den)
}

/// `num / den × unit`, rounded half up (den > 0, num ≥ 0).
pub fn scaled(num: i64, den: i64, unit: i64) -> i64 {
    if den <= 0 {
        return 0;
    }
    let x = i128::from(num) * i128::from(unit);
    let (q, r) = (x / i128::from(den), x % i128::from(den));
    let q = if 2 * r >= i128::from(den) { q + 1 } else { q };
    i64::try_from(q).unwrap_or(i64::MAX)
}

/// `sum / n` in tenths, rounded half up; nothing when `n` is 0.
pub fn mean_tenths(sum: i64, n: i64) -> Cell {
    if n <= 0 {
        return Cell::Empty;
    }
    let scaled = i128::from(sum) * 10;
    let (q, r) = (scaled / i128::from(n), scaled % i128::from(n));
    let q = if 2 * r >= i128::from(n) { q + 1 } else { q };
    Cell::Num(i64::try_from(q).unwrap_or(i64::MAX))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub cells: Vec<Cell>,
    /// How many people the row's figures are about, when the small-cell rule applies to it.
    pub people: Option<i64>,
    /// Where the row drills down to (a narrower report or the records behind it).
    pub link: Option<String>,
    /// The month the row is, when its figures are that month's own total.
    pub month: Option<chrono::NaiveDate>,
}

impl Row {
    pub fn new(cells: Vec<Cell>) -> Row {
        Row {
            cells,
            people: None,
            link: None,
            month: None,
        }
    }
    /// Marks the row as the month of `first`'s own total, when the period covers that
    /// month whole (`Filters::covers_month`).
    pub fn month(mut self, first: chrono::NaiveDate, whole: bool) -> Row {
        self.month = whole.then_some(first);
        self
    }
    pub fn about(mut self, people: i64) -> Row {
        self.people = Some(people);
        self
    }
    pub fn link(mut self, to: String) -> Row {
        self.link = Some(to);
        self
    }
}

/// A computed report.
#[derive(Debug, Clone)]
pub struct Out {
    pub columns: &'static [Column],
    pub rows: Vec<Row>,
    pub total: Option<Row>,
    /// Notes under the table (text keys): sources, provisional months.
    pub notes: Vec<&'static str>,
    /// Which column the trend chart draws (by month rows), if any.
    pub chart: Option<usize>,
}

/// Fewer people than this in a row of a breakdown, and the row's figures are hidden from
/// roles that may not see individuals' subsidies.
pub const SMALL: i64 = 5;

impl Out {
    /// Applies the small-cell rule: rows about 1–4 people show "< 5" instead of their figures.
    /// When exactly one row would be hidden, the next smallest is hidden too, so that the exact
    /// total cannot give it away by subtraction; when there is no other row to hide with it,
    /// or the total itself is about 1–4 people, the total is hidden as well. Otherwise totals
    /// stay exact. Returns whether any cell was hidden.
    pub fn suppress_small(&mut self) -> bool {
        let is_small = |p: Option<i64>| matches!(p, Some(n) if n > 0 && n < SMALL);
        let small: Vec<usize> = (0..self.rows.len())
            .filter(|i| is_small(self.rows[*i].people))
            .collect();
        let mut hide = small.clone();
        let mut hide_total = self.total.as_ref().is_some_and(|t| is_small(t.people));
        if small.len() == 1 && self.total.is_some() {
            let next = (0..self.rows.len())
                .filter(|i| !small.contains(i))
                .filter(|i| matches!(self.rows[*i].people, Some(n) if n > 0))
                .min_by_key(|i| (self.rows[*i].people, *i));
            match next {
                Some(n) => hide.push(n),
                None => hide_total = true,
            }
        }
        // "< 5" where the count shown is 1–4; any other hidden figure reads "hidden" (a row
        // may be hidden for a small part of it, or to keep another row company).
        let columns = self.columns;
        let blank = |row: &mut Row| {
            for (c, col) in row.cells.iter_mut().zip(columns) {
                match (col.kind, &*c) {
                    (Kind::Text, _) => {}
                    (Kind::People, Cell::Num(n)) if *n > 0 && *n < SMALL => *c = Cell::Small,
                    _ => *c = Cell::Hidden,
                }
            }
            row.link = None;
        };
        for i in &hide {
            blank(&mut self.rows[*i]);
        }
        if hide_total {
            if let Some(t) = self.total.as_mut() {
                blank(t);
            }
        }
        !hide.is_empty() || hide_total
    }

    /// The number of leading text columns (labels); figures follow them.
    pub fn label_columns(&self) -> usize {
        self.columns
            .iter()
            .take_while(|c| c.kind == Kind::Text)
            .count()
    }
}

/// The rows of a report whose rows are months that are their month's own total
/// (`Row::month`).
pub fn month_totals(out: Out) -> super::catalogue::MonthTotals {
    super::catalogue::MonthTotals {
        columns: out.columns,
        months: out
            .rows
            .into_iter()
            .filter_map(|r| r.month.map(|m| (m, r)))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: &[Column] = &[
        col("a", "a", Kind::Text),
        col("b", "b", Kind::People),
        col("c", "c", Kind::Money),
    ];

    fn out(people: &[i64]) -> Out {
        let rows = people
            .iter()
            .map(|n| {
                Row::new(vec![
                    Cell::Text(format!("u{n}")),
                    Cell::Num(*n),
                    Cell::Num(n * 1000),
                ])
                .about(*n)
            })
            .collect();
        let sum: i64 = people.iter().sum();
        Out {
            columns: COLS,
            rows,
            total: Some(Row::new(vec![
                Cell::Text("Σ".into()),
                Cell::Num(sum),
                Cell::Num(sum * 1000),
            ])),
            notes: vec![],
            chart: None,
        }
    }

    #[test]
    fn rates_and_means_round_half_up_and_are_empty_without_a_base() {
        assert_eq!(rate_bp(1, 8).num(), Some(1250));
        assert_eq!(rate_bp(1, 3).num(), Some(3333));
        assert_eq!(rate_bp(2, 3).num(), Some(6667));
        assert_eq!(rate_bp(5, 0), Cell::Empty);
        // Rounded once: 4/116 = 3,448 % is 3,4 % (not 345 bp and then 3,5 %).
        assert_eq!(scaled(4, 116, 1000), 34);
        assert_eq!(scaled(3, 16, 1000), 188);
        assert_eq!(mean_tenths(9, 2), Cell::Num(45));
        assert_eq!(mean_tenths(13, 3), Cell::Num(43));
        assert_eq!(mean_tenths(1, 0), Cell::Empty);
    }

    #[test]
    fn rows_about_fewer_than_five_people_are_hidden_and_totals_stay_exact() {
        let mut o = out(&[12, 3, 0, 4, 7]);
        assert!(o.suppress_small());
        let shown: Vec<Option<i64>> = o.rows.iter().map(|r| r.cells[1].num()).collect();
        assert_eq!(shown, vec![Some(12), None, Some(0), None, Some(7)]);
        assert_eq!(o.rows[1].cells[1], Cell::Small);
        assert_eq!(o.rows[1].cells[2], Cell::Hidden);
        assert_eq!(o.rows[1].cells[0], Cell::Text("u3".into()), "labels stay");
        assert_eq!(o.total.as_ref().and_then(|t| t.cells[1].num()), Some(26));
    }

    #[test]
    fn a_single_small_row_takes_the_next_smallest_with_it_so_subtraction_reveals_nothing() {
        let mut o = out(&[12, 2, 9, 30]);
        assert!(o.suppress_small());
        let people: Vec<Cell> = o.rows.iter().map(|r| r.cells[1].clone()).collect();
        assert_eq!(
            people,
            vec![Cell::Num(12), Cell::Small, Cell::Hidden, Cell::Num(30)],
            "the nine are hidden, not called fewer than five"
        );
        let mut o = out(&[12, 9, 30]);
        assert!(!o.suppress_small(), "nothing small, nothing hidden");
    }

    #[test]
    fn a_single_small_row_with_nothing_to_hide_beside_it_hides_the_total_too() {
        // One unit chosen: its row is the total.
        let mut o = out(&[1]);
        o.total.as_mut().expect("total").people = Some(1);
        assert!(o.suppress_small());
        let t = o.total.as_ref().expect("total");
        assert_eq!(t.cells[1], Cell::Small);
        assert_eq!(t.cells[2], Cell::Hidden);
        // A small row beside rows that are all empty: nothing to pair it with.
        let mut o = out(&[3, 0, 0]);
        assert!(o.suppress_small());
        assert_eq!(o.total.as_ref().expect("total").cells[2], Cell::Hidden);
        // Two small rows hide each other; the total of eight stays.
        let mut o = out(&[3, 5]);
        o.total.as_mut().expect("total").people = Some(8);
        o.suppress_small();
        assert_eq!(o.total.as_ref().expect("total").cells[1], Cell::Num(8));
    }
}
