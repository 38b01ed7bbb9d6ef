//! The caller's context, derived only from a credential (session or API key): the
//! workspace every query is scoped to, who is acting, and what they may do.

use crate::error::{AppError, AppResult};
use rapport_core::actor::Actor;
use rapport_core::ids::WorkspaceId;
use rapport_core::roles::Role;

/// What an API key may do; people act with their role's full powers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Read,
    Write,
}

#[derive(Debug, Clone)]
pub struct Ctx {
    pub workspace_id: WorkspaceId,
    pub actor: Actor,
    /// A name for the timeline ("Lena Fischer", "API key “Zapier”").
    pub actor_label: String,
    pub role: Role,
    pub scope: Scope,
}

impl Ctx {
    pub fn ws(&self) -> uuid::Uuid {
        self.workspace_id.0
    }

    /// The creator signed in to the portal, when this is a portal request.
    pub fn creator(&self) -> Option<rapport_core::ids::CreatorId> {
        match self.actor {
            Actor::Creator(c) => Some(c),
            _ => None,
        }
    }

    /// Fails with 403 unless the caller may change business records as a member of the
    /// team (creators and external reviewers may not).
    pub fn require_write(&self) -> AppResult<()> {
        if self.actor.is_outside() {
            Err(AppError::Forbidden("only the team can do this".into()))
        } else if self.scope == Scope::Read {
            Err(AppError::Forbidden("this API key is read-only".into()))
        } else if !self.role.can_write() {
            Err(AppError::Forbidden("viewers cannot make changes in this workspace".into()))
        } else {
            Ok(())
        }
    }

    /// Fails with 403 unless the caller may contribute to a collaboration: a team member
    /// who may write, or the creator in their portal (whose reach the collaboration
    /// lookups limit to their own).
    pub fn require_contributor(&self) -> AppResult<()> {
        if self.creator().is_some() { Ok(()) } else { self.require_write() }
    }

    /// A creator's context in their portal: it reaches only that creator's collaborations.
    pub fn portal(workspace_id: WorkspaceId, creator: rapport_core::ids::CreatorId, name: &str) -> Ctx {
        Ctx {
            workspace_id,
            actor: Actor::Creator(creator),
            actor_label: name.to_owned(),
            role: Role::Member,
            scope: Scope::Write,
        }
    }

    /// Fails with 403 unless the caller is an owner or admin acting as a person.
    pub fn require_admin(&self) -> AppResult<()> {
        if self.role.can_admin() && matches!(self.actor, Actor::User(_)) {
            Ok(())
        } else {
            Err(AppError::Forbidden("only owners and admins can do this".into()))
        }
    }

    /// Fails with 403 unless the caller may change the workspace's configuration (such as
    /// its stages): an owner or admin, or a write API key — only owners and admins create
    /// keys, so a write key acts for one of them.
    pub fn require_configure(&self) -> AppResult<()> {
        match self.actor {
            Actor::ApiKey(_) if self.scope == Scope::Write => Ok(()),
            Actor::ApiKey(_) => Err(AppError::Forbidden("this API key is read-only".into())),
            _ => self.require_admin(),
        }
    }

    /// A system context for the CLI and demo seeding.
    pub fn system(workspace_id: WorkspaceId, actor: Actor, label: &str) -> Ctx {
        Ctx { workspace_id, actor, actor_label: label.to_owned(), role: Role::Owner, scope: Scope::Write }
    }
}
