//! The demo workspace's campaign: an active launch with a brief, deals at several stages
//! (an invitation, a negotiation with a counter-offer, one in production with a draft
//! waiting for review and an overdue story), all made through the same use cases as the
//! app, so the demo shows the execution pages with real data.

use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::{App, briefs, campaigns, collaborations, deliverables, offers, reviews};
use rapport_core::actor::now;
use rapport_core::briefs::BriefInput;
use rapport_core::campaigns::CampaignInput;
use rapport_core::collaborations::{CollaborationInput, OfferInput};
use rapport_core::deliverables::DeliverableInput;
use rapport_core::ids::CollaborationId;
use rapport_core::reviews::SubmissionInput;
use time::Duration;
use uuid::Uuid;

fn day(offset: i64) -> Option<String> {
    Some((now() + Duration::days(offset)).date().to_string())
}

async fn stage(app: &App, ctx: &Ctx, id: CollaborationId, to: &str) -> AppResult<()> {
    let input = collaborations::StageInput { stage: Some(to.into()), reason: Some("Demo".into()) };
    collaborations::move_stage(app, ctx, id, input).await.map(|_| ())
}

/// Seeds the campaign with four creators of the workspace who may be contacted.
pub async fn seed(app: &App, ctx: &Ctx) -> AppResult<()> {
    let picked: Vec<(Uuid,)> = app
        .db
        .fetch_all(
            "SELECT id FROM creators WHERE workspace_id = $1 AND deleted_at IS NULL AND do_not_contact = FALSE \
             ORDER BY max_followers DESC, id LIMIT 4",
            rapport_store::args![ctx.ws()],
        )
        .await?;
    if picked.len() < 4 {
        return Err(AppError::Internal("the demo campaign needs four creators".into()));
    }
    let campaign = campaigns::create(
        app,
        ctx,
        CampaignInput {
            name: Some("Summer Glow SPF launch".into()),
            objective: Some("Launch the SPF 50 line with creators our audience already trusts".into()),
            starts_on: day(-10),
            ends_on: day(60),
            budget_minor: Some(2_500_000),
            currency: Some("EUR".into()),
            disclosure_profile: Some("eu_de".into()),
            required_hashtags: Some(vec!["summerglow".into()]),
            required_mentions: Some(vec!["glowlab".into()]),
            tags: Some(vec!["launch".into()]),
            ..Default::default()
        },
    )
    .await?;
    campaigns::set_status(app, ctx, campaign.id, campaigns::StatusInput { status: Some("active".into()) }).await?;
    let template = crate::playbook::list(app, ctx, Some("brief")).await?.into_iter().next().map(|t| t.id.to_string());
    briefs::save(
        app,
        ctx,
        campaign.id,
        BriefInput {
            goals: Some("Show how light SPF 50 feels on a summer day; drive sign-ups for the launch.".into()),
            key_messages: Some("Light, no white cast\nVegan and reef-friendly".into()),
            dos: Some("Film outdoors in daylight\nShow the bottle in the first three seconds".into()),
            donts: Some("No medical claims\nNo competitor products in frame".into()),
            non_negotiables: Some("Werbung at the start of the caption\nTag @glowlab".into()),
            creative_freedom: Some("Your format, your voice: tell it the way your audience likes it.".into()),
            template_id: template,
            ..Default::default()
        },
    )
    .await?;
    let mut deals = Vec::new();
    for (id,) in &picked {
        let input = CollaborationInput { creator_id: Some(format!("cr_{}", id.simple())), ..Default::default() };
        deals.push(collaborations::add(app, ctx, campaign.id, input).await?.id);
    }
    // A negotiation: our offer, their counter-offer.
    let offer = |direction: &str, amount: i64| OfferInput {
        direction: Some(direction.into()),
        amount_minor: Some(amount),
        deliverables: Some("1 reel + 3 stories".into()),
        usage_rights: Some("Organic reposts for 6 months".into()),
        ..Default::default()
    };
    offers::create(app, ctx, deals[1], offer("brand_to_creator", 150_000)).await?;
    offers::create(app, ctx, deals[1], offer("creator_to_brand", 180_000)).await?;
    // In production: agreed, contracted, a reel waiting for review and an overdue story.
    let accepted = offers::create(app, ctx, deals[2], offer("brand_to_creator", 220_000)).await?;
    offers::accept(app, ctx, accepted.id).await?;
    stage(app, ctx, deals[2], "contracted").await?;
    stage(app, ctx, deals[2], "in_production").await?;
    let reel = deliverables::create(
        app,
        ctx,
        deals[2],
        DeliverableInput {
            platform: Some("instagram".into()),
            format: Some("reel".into()),
            draft_due_on: day(3),
            publish_from: day(10),
            publish_until: day(17),
            fee_minor: Some(160_000),
            ..Default::default()
        },
    )
    .await?;
    deliverables::create(
        app,
        ctx,
        deals[2],
        DeliverableInput {
            platform: Some("instagram".into()),
            format: Some("story".into()),
            quantity: Some(3),
            draft_due_on: day(-2),
            fee_minor: Some(60_000),
            ..Default::default()
        },
    )
    .await?;
    reviews::submit(
        app,
        ctx,
        reel.id,
        SubmissionInput {
            caption: Some("Sommer, Sonne, SPF 50 ☀️ Leicht wie nichts. #summerglow @glowlab #werbung".into()),
            links: Some(vec!["https://drive.example.com/summer-glow/reel-v1".into()]),
            note: Some("First cut, music still to be licensed".into()),
            ..Default::default()
        },
    )
    .await?;
    // A gifted deal that the creator declined.
    stage(app, ctx, deals[3], "declined").await?;
    Ok(())
}
