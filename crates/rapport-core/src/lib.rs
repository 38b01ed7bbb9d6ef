//! Rapport's domain: identifiers, value types with their parsing rules, roles, stages,
//! tiers and formulas. Plain types and plain functions — no I/O, so every rule here is
//! unit-tested in isolation and shared by the API, the web forms and the importers.
#![forbid(unsafe_code)]

pub mod actor;
pub mod briefs;
pub mod calendar;
pub mod campaigns;
pub mod collaborations;
pub mod creators;
pub mod deliverables;
pub mod diff;
pub mod disclosure;
pub mod email;
pub mod files;
pub mod fit;
pub mod handle;
pub mod ids;
pub mod import;
pub mod inbound;
pub mod interactions;
pub mod money;
pub mod outbox;
pub mod pipeline;
pub mod platform;
pub mod quality;
pub mod responsiveness;
pub mod reviews;
pub mod roles;
pub mod spreadsheet;
pub mod templates;
pub mod tier;
pub mod validation;

pub use validation::{FieldError, Invalid};
