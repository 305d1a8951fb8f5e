//! People: units (đơn vị) and persons (staff and retirees), with import from CSV/XLSX.

pub mod forms;
pub mod handlers;
pub mod import;
pub mod import_file;
pub mod rules;
pub mod store;
pub mod units;
pub mod views;

use crate::ui::format::fold_search;
use store::Unit;

/// Resolves a unit written by code ("VP") or by name ("Văn phòng Bộ", diacritics optional).
pub fn unit_finder(units: &[Unit]) -> impl Fn(&str) -> Option<i32> + '_ {
    move |s: &str| {
        let s = s.trim();
        units
            .iter()
            .find(|u| u.code.eq_ignore_ascii_case(s))
            .or_else(|| {
                let f = fold_search(s);
                units.iter().find(|u| fold_search(&u.name) == f)
            })
            .map(|u| u.id)
    }
}

/// Units as (id, "indented name") in tree order, for selects and the tree view.
pub fn unit_tree(units: &[Unit]) -> Vec<(i32, usize, &Unit)> {
    fn walk<'a>(
        units: &'a [Unit],
        parent: Option<i32>,
        depth: usize,
        out: &mut Vec<(i32, usize, &'a Unit)>,
    ) {
        if depth > 32 {
            return;
        }
        for u in units.iter().filter(|u| u.parent_id == parent) {
            out.push((u.id, depth, u));
            walk(units, Some(u.id), depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(units, None, 0, &mut out);
    // Units whose parent is missing still show (at the top).
    for u in units {
        if !out.iter().any(|(id, ..)| *id == u.id) {
            out.push((u.id, 0, u));
        }
    }
    out
}

/// Options for a unit `<select>`, indented by depth, with an empty first choice.
pub fn unit_options(units: &[Unit], empty: &str) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), empty.to_string())];
    for (id, depth, u) in unit_tree(units) {
        v.push((
            id.to_string(),
            format!("{}{}", "\u{a0}\u{a0}".repeat(depth), u.name),
        ));
    }
    v
}
