//! Roles and the role set a user holds.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Staff,
    Kitchen,
    /// Head of the kitchen: food-safety incidents and the health details in them.
    KitchenManager,
    Accountant,
    Approver,
    UnionOfficer,
    Admin,
    /// Lãnh đạo (head of office, deputies): reads every dashboard and report, changes nothing.
    Leader,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Staff,
        Role::Kitchen,
        Role::KitchenManager,
        Role::Accountant,
        Role::Approver,
        Role::UnionOfficer,
        Role::Admin,
        Role::Leader,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Kitchen => "kitchen",
            Role::KitchenManager => "kitchen_manager",
            Role::Accountant => "accountant",
            Role::Approver => "approver",
            Role::UnionOfficer => "union_officer",
            Role::Admin => "admin",
            Role::Leader => "leader",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Role::Staff => "role.staff",
            Role::Kitchen => "role.kitchen",
            Role::KitchenManager => "role.kitchen_manager",
            Role::Accountant => "role.accountant",
            Role::Approver => "role.approver",
            Role::UnionOfficer => "role.union_officer",
            Role::Admin => "role.admin",
            Role::Leader => "role.leader",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoleSet(u8);

impl RoleSet {
    pub fn empty() -> Self {
        RoleSet(0)
    }
    pub fn with(mut self, r: Role) -> Self {
        self.0 |= r.bit();
        self
    }
    pub fn has(self, r: Role) -> bool {
        self.0 & r.bit() != 0
    }
    pub fn any(self, rs: &[Role]) -> bool {
        rs.iter().any(|r| self.has(*r))
    }
    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.into_iter().filter(move |r| self.has(*r))
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl FromIterator<Role> for RoleSet {
    fn from_iter<I: IntoIterator<Item = Role>>(iter: I) -> Self {
        iter.into_iter().fold(RoleSet::empty(), RoleSet::with)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip_and_unknown_names_are_refused() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn a_user_may_hold_several_roles() {
        let s: RoleSet = [Role::Staff, Role::Admin].into_iter().collect();
        assert!(s.has(Role::Staff) && s.has(Role::Admin) && !s.has(Role::Kitchen));
        assert!(s.any(&[Role::Kitchen, Role::Admin]));
        assert_eq!(s.iter().count(), 2);
    }
}
