//! Typed identifiers: UUIDv7 inside, shown with a short type prefix (`cr_…`) outside.

use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// The error for an id string that is not of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not a valid {kind} id (expected {prefix}_ followed by 32 hex digits)")]
pub struct BadId {
    pub kind: &'static str,
    pub prefix: &'static str,
}

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Uuid);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A fresh time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}_{}", $prefix, self.0.simple())
            }
        }

        impl FromStr for $name {
            type Err = BadId;
            fn from_str(s: &str) -> Result<Self, BadId> {
                let bad = BadId { kind: $kind, prefix: $prefix };
                let rest = s
                    .strip_prefix($prefix)
                    .and_then(|r| r.strip_prefix('_'))
                    .ok_or(bad.clone())?;
                if rest.len() != 32 {
                    return Err(bad);
                }
                Uuid::try_parse(rest).map(Self).map_err(|_| bad)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

typed_id!(/// A workspace (tenant).
    WorkspaceId, "ws", "workspace");
typed_id!(/// A person who signs in.
    UserId, "usr", "user");
typed_id!(/// A creator record.
    CreatorId, "cr", "creator");
typed_id!(/// A creator's account on one platform.
    AccountId, "sa", "social account");
typed_id!(/// A note on a record.
    NoteId, "nt", "note");
typed_id!(/// An API key.
    ApiKeyId, "key", "API key");
typed_id!(/// A pending invitation to a workspace.
    InvitationId, "inv", "invitation");
typed_id!(/// A timeline event.
    EventId, "ev", "timeline event");
typed_id!(/// A shortlist (saved search or hand-picked list).
    ShortlistId, "sl", "shortlist");
typed_id!(/// A task on a creator.
    TaskId, "tk", "task");
typed_id!(/// An interaction with a creator (email, DM, call, meeting).
    InteractionId, "ix", "interaction");
typed_id!(/// An email in the outbox.
    OutboxId, "em", "email");
typed_id!(/// A received email.
    InboundId, "in", "received email");
typed_id!(/// A sequence of follow-up emails.
    SequenceId, "sq", "sequence");
typed_id!(/// A creator's enrolment in a sequence.
    EnrollmentId, "enr", "enrolment");
typed_id!(/// A template of the workspace playbook (email, brief or review checklist).
    TemplateId, "tpl", "template");
typed_id!(/// A campaign.
    CampaignId, "cp", "campaign");
typed_id!(/// A collaboration: one creator on one campaign (the deal).
    CollaborationId, "col", "collaboration");
typed_id!(/// An offer or counter-offer in a collaboration's negotiation.
    OfferId, "of", "offer");
typed_id!(/// A version of a campaign's brief.
    BriefId, "br", "brief");
typed_id!(/// A deliverable of a collaboration (a reel, a story, a blog post…).
    DeliverableId, "dl", "deliverable");
typed_id!(/// A draft submitted for review (one version of a deliverable).
    SubmissionId, "sub", "submission");
typed_id!(/// A reviewer's comment on a submission.
    CommentId, "cm", "comment");
typed_id!(/// A share link that lets someone without an account review a submission.
    ReviewLinkId, "rl", "review link");
typed_id!(/// An uploaded file (a draft, a brief attachment).
    FileId, "fl", "file");
typed_id!(/// An iCalendar feed of deliverable dates, reached through a secret URL.
    CalendarFeedId, "cal", "calendar feed");
typed_id!(/// A notification to a team member (in the app, and by email when SMTP is set up).
    NotificationId, "nf", "notification");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_their_prefixed_form() {
        let id = CreatorId::new();
        let shown = id.to_string();
        assert!(shown.starts_with("cr_"));
        assert_eq!(shown.parse::<CreatorId>(), Ok(id));
    }

    #[test]
    fn an_id_of_another_kind_is_rejected() {
        let id = NoteId::new().to_string();
        assert!(id.parse::<CreatorId>().is_err());
        assert!("cr_xyz".parse::<CreatorId>().is_err());
    }

    #[test]
    fn new_ids_are_time_ordered() {
        let a = CreatorId::new();
        let b = CreatorId::new();
        assert!(a < b);
    }
}
