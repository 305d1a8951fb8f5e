//! Raw forms of people pages.

use super::rules::RawPerson;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct PersonForm {
    #[serde(default)]
    pub employee_code: String,
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub unit_id: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub date_of_birth: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub status_date: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    /// The record as the edit page showed it (`crate::ui::seen`).
    #[serde(default, skip_serializing, deserialize_with = "crate::ui::seen::sent")]
    pub seen: Option<String>,
}

impl PersonForm {
    /// The form as a raw person; the unit is given by id here (the import gives code or name).
    pub fn raw(&self) -> RawPerson {
        RawPerson {
            employee_code: self.employee_code.clone(),
            full_name: self.full_name.clone(),
            unit: self.unit_id.clone(),
            category: self.category.clone(),
            gender: self.gender.clone(),
            date_of_birth: self.date_of_birth.clone(),
            status: self.status.clone(),
            status_date: self.status_date.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub q: Option<String>,
    pub unit: Option<String>,
    pub status: Option<String>,
    pub page: Option<i64>,
}

#[derive(Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct UnitForm {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub parent_id: String,
    /// The unit as the edit page showed it (`crate::ui::seen`).
    #[serde(default, skip_serializing, deserialize_with = "crate::ui::seen::sent")]
    pub seen: Option<String>,
}
