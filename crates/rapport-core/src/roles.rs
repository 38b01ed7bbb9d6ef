//! Workspace roles and what each may do.

use serde::{Deserialize, Serialize};

/// A member's role in one workspace, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Manager,
    Member,
    Viewer,
}

impl Role {
    pub const ALL: &'static [Role] = &[Role::Owner, Role::Admin, Role::Manager, Role::Member, Role::Viewer];

    pub fn slug(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::Manager => "Manager",
            Role::Member => "Member",
            Role::Viewer => "Viewer",
        }
    }

    pub fn parse(s: &str) -> Result<Role, String> {
        Role::ALL
            .iter()
            .copied()
            .find(|r| r.slug() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| "must be one of owner, admin, manager, member, viewer".into())
    }

    /// May create, change and delete business records.
    pub fn can_write(self) -> bool {
        self != Role::Viewer
    }

    /// May manage members, invitations and API keys.
    pub fn can_admin(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewers_cannot_write_and_only_owners_and_admins_administer() {
        assert!(!Role::Viewer.can_write());
        assert!(Role::Member.can_write());
        assert!(!Role::Manager.can_admin());
        assert!(Role::Admin.can_admin());
    }
}
