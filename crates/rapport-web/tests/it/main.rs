//! Integration tests: the real server on a random port, a fresh database per test (a
//! temp SQLite file, and a fresh PostgreSQL database when `TEST_DATABASE_URL` is set).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

mod access;
mod browser;
mod browser_loop;
mod calendar;
mod campaign_pages;
mod campaigns;
mod collaborations;
mod creator_cache;
mod creators_api;
mod dashboard;
mod deal_pages;
mod deliverables;
mod disclosure;
mod email;
mod email_pages;
mod execution_pages;
mod files;
mod followers_walk;
mod imports;
mod imports_api;
mod inbound;
mod insights;
mod interactions;
mod listing;
mod matching;
mod merges;
mod merges_outreach;
mod notifications;
mod pages;
mod pipeline;
mod pipeline_pages;
mod playbook;
mod portal;
mod reimports;
mod search;
mod sequences;
mod settings_api;
mod shortlists;
mod smtp_server;
mod tasks;
mod undo_safety;
