//! The OpenAPI 3.1 document, generated from the handlers' annotations and the types.

use crate::state::AppState;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Rapport API", description = "Creator relationship management. Authenticate with an API key: `Authorization: Bearer rap_…`. Errors are JSON with a stable `code`; 422 lists each bad field."),
    paths(
        super::creators::list_creators, super::creators::create_creator, super::creators::show_creator,
        super::creators::update_creator, super::creators::delete_creator, super::creators::restore_creator,
        super::creators::creator_timeline, super::creators::list_tags, super::creators::export_creators,
        super::accounts::list_accounts, super::accounts::create_account, super::accounts::update_account,
        super::accounts::delete_account, super::accounts::list_snapshots,
        super::notes::list_notes, super::notes::create_note, super::notes::delete_note,
        super::shortlists::list_shortlists, super::shortlists::create_shortlist, super::shortlists::show_shortlist,
        super::shortlists::update_shortlist, super::shortlists::delete_shortlist, super::shortlists::add_members,
        super::shortlists::remove_members,
        super::merges::list_duplicates, super::merges::merge_creator, super::merges::show_merge, super::merges::undo_merge,
        super::pipeline::list_stages, super::pipeline::replace_stages, super::pipeline::move_creator,
        super::pipeline::stage_history, super::pipeline::conversion_report,
        super::tasks::list_creator_tasks, super::tasks::create_task, super::tasks::list_tasks,
        super::tasks::update_task, super::tasks::delete_task,
        super::interactions::list_interactions, super::interactions::log_interaction,
        super::interactions::delete_interaction, super::interactions::creator_responsiveness,
        super::interactions::list_activity,
        super::outbox::send_email, super::outbox::list_creator_emails, super::outbox::outreach_lock,
        super::outbox::list_emails, super::outbox::show_email, super::outbox::cancel_email,
        super::outbox::list_overrides,
        super::mail_settings::show_mail_settings, super::mail_settings::replace_mail_settings,
        super::mail_settings::show_sender, super::mail_settings::replace_sender,
        super::suppressions::list_suppressions, super::suppressions::add_suppression,
        super::suppressions::remove_suppression,
        super::inbound::import_email, super::inbound::list_inbound, super::inbound::show_inbound,
        super::inbound::assign_inbound, super::inbound::dismiss_inbound, super::inbound::show_mailbox,
        super::inbound::replace_mailbox, super::inbound::delete_mailbox,
        super::sequences::list_sequences, super::sequences::create_sequence, super::sequences::show_sequence,
        super::sequences::update_sequence, super::sequences::delete_sequence, super::sequences::list_enrollments,
        super::sequences::enroll_creators, super::sequences::stop_enrollment, super::sequences::creator_enrollments,
        super::playbook::list_templates, super::playbook::create_template, super::playbook::show_template,
        super::playbook::update_template, super::playbook::delete_template, super::playbook::preview_template,
        super::playbook::list_merge_fields,
        super::campaigns::list_campaigns, super::campaigns::create_campaign, super::campaigns::show_campaign,
        super::campaigns::update_campaign, super::campaigns::delete_campaign, super::campaigns::restore_campaign,
        super::campaigns::set_campaign_status,
        super::collaborations::list_campaign_collaborations, super::collaborations::create_collaboration,
        super::collaborations::list_creator_collaborations, super::collaborations::show_collaboration,
        super::collaborations::update_collaboration, super::collaborations::move_collaboration,
        super::collaborations::list_offers, super::collaborations::create_offer, super::collaborations::accept_offer,
        super::collaborations::decline_offer, super::collaborations::withdraw_offer,
        super::execution::show_brief, super::execution::save_brief, super::execution::acknowledge_brief,
        super::execution::list_deliverables, super::execution::create_deliverable, super::execution::show_deliverable,
        super::execution::update_deliverable, super::execution::move_deliverable, super::execution::submit_draft,
        super::execution::decide_submission, super::execution::comment_submission,
        super::execution::list_review_links, super::execution::create_review_link,
        super::execution::revoke_review_link, super::execution::send_portal_link,
        super::files::upload_file, super::files::show_file, super::files::file_content,
        super::files::delete_file, super::disclosure::check_disclosure,
        super::calendar::show_calendar, super::calendar::list_feeds, super::calendar::create_feed,
        super::calendar::revoke_feed,
        super::notifications::list_notifications, super::notifications::read_notification,
        super::notifications::read_all_notifications,
        super::settings::show_brand_profile, super::settings::replace_brand_profile, super::settings::show_tiers,
        super::settings::replace_tiers,
        super::imports::list_imports, super::imports::upload_import, super::imports::show_import,
        super::imports::configure_import, super::imports::preview_import, super::imports::run_import,
        super::imports::undo_import, super::imports::discard_import, super::imports::import_errors,
    ),
    modifiers(&Security),
    tags((name = "creators"), (name = "accounts"), (name = "notes"), (name = "shortlists"), (name = "pipeline"), (name = "tasks"), (name = "email"), (name = "playbook"), (name = "interactions"), (name = "activity"), (name = "campaigns"), (name = "collaborations"), (name = "briefs"), (name = "deliverables"), (name = "portal"), (name = "files"), (name = "disclosure"), (name = "calendar"), (name = "notifications"), (name = "settings"), (name = "imports"))
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("rap_…").build()),
        );
        openapi.servers = Some(vec![Server::new("/api/v1")]);
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
