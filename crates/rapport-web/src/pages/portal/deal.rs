//! What a signed-in creator sees and does in the portal — only their own collaborations:
//! the brief (and acknowledging the version read), offers (accept, decline, counter),
//! deliverables with due dates and feedback, submitting drafts and the published URL,
//! comments, and rating the collaboration. Every id another creator owns answers 404.

use super::{Portal, PortalForm, outside};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rapport_app::briefs::{self, AcknowledgeInput, BriefView};
use rapport_app::campaigns::money_text;
use rapport_app::collaborations::{self, CollaborationDetail, CollaborationView};
use rapport_app::deliverables::{self, DeliverableView, StatusInput};
use rapport_app::portal::{self, RatingInput, RatingView};
use rapport_app::reviews::{self, CommentInput, ReviewDetail};
use rapport_app::{AppError, offers};
use rapport_core::Invalid;
use rapport_core::collaborations::OfferInput;
use rapport_core::ids::{CollaborationId, DeliverableId, OfferId, SubmissionId};
use rapport_core::money::{Currency, parse_amount};
use rapport_core::reviews::SubmissionInput;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portal", get(home))
        .route("/portal/collaborations/{id}", get(deal_page))
        .route("/portal/collaborations/{id}/acknowledge", post(acknowledge))
        .route("/portal/collaborations/{id}/offers", post(counter))
        .route("/portal/collaborations/{id}/rating", post(rate))
        .route("/portal/offers/{id}/{decision}", post(decide_offer))
        .route("/portal/deliverables/{id}", get(deliverable_page))
        .route("/portal/deliverables/{id}/submissions", post(submit).layer(DefaultBodyLimit::disable()))
        .route("/portal/files/{id}", get(file))
        .route("/portal/deliverables/{id}/published", post(published))
        .route("/portal/deliverables/{id}/submissions/{sub}/comments", post(comment))
}

fn id<T: std::str::FromStr>(s: &str) -> Result<T, Box<Response>> {
    s.parse().map_err(|_| Box::new(outside(AppError::NotFound)))
}

/// Runs a portal action; errors become outside pages.
fn done(r: Result<Response, AppError>) -> Response {
    r.unwrap_or_else(outside)
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    css: String,
    csrf: String,
    name: String,
    workspace: String,
    deals: Vec<CollaborationView>,
}

async fn home(State(state): State<AppState>, p: Portal) -> Response {
    done(
        async {
            let me = p.s.ctx.creator().ok_or(AppError::NotFound)?;
            let deals = collaborations::list_for_creator(&state.app, &p.s.ctx, me).await?;
            let page = HomePage {
                css: crate::assets::css_url(),
                csrf: p.s.csrf_token.clone(),
                name: p.s.ctx.actor_label.clone(),
                workspace: p.s.workspace_name.clone(),
                deals,
            };
            Ok(Html(page.render().map_err(|e| AppError::Internal(e.to_string()))?).into_response())
        }
        .await,
    )
}

/// The counter-offer and rating forms as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DealForm {
    amount: String,
    deliverables: String,
    score: String,
    comment: String,
}

#[derive(Template)]
#[template(path = "portal/deal.html")]
struct DealPage {
    css: String,
    csrf: String,
    workspace: String,
    deal: CollaborationDetail,
    fee: String,
    brief: Option<BriefView>,
    acknowledged: Option<i64>,
    offers: Vec<(String, String, String, bool, bool)>,
    deliverables: Vec<DeliverableView>,
    my_rating: Option<RatingView>,
    form: DealForm,
    errors: Invalid,
}

async fn render_deal(
    state: &AppState,
    p: &Portal,
    id: CollaborationId,
    form: DealForm,
    errors: Invalid,
) -> Result<String, AppError> {
    let ctx = &p.s.ctx;
    let deal = collaborations::get(&state.app, ctx, id).await?;
    let (brief, acknowledged) = briefs::for_collaboration(&state.app, ctx, id).await?;
    let deliverables = deliverables::list_for_collaboration(&state.app, ctx, id).await?;
    let my_rating = portal::ratings(&state.app, ctx, id).await?.into_iter().find(|r| r.rated_by == "creator");
    let c = &deal.collaboration;
    let fee = c.agreed_fee_minor.map_or_else(|| "not agreed yet".into(), |f| money_text(f, &c.currency));
    let offers = deal
        .offers
        .iter()
        .rev()
        .map(|o| {
            let theirs = o.direction == "creator_to_brand";
            let who = if theirs { "Your counter-offer" } else { "Offer to you" };
            let what = format!("{who}: {}", money_text(o.amount_minor, &o.currency));
            let terms = [o.deliverables.as_deref(), o.usage_rights.as_deref(), o.exclusivity.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
            (o.id.to_string(), what, format!("{} {terms}", o.status), o.status == "open", theirs)
        })
        .collect();
    let page = DealPage {
        css: crate::assets::css_url(),
        csrf: p.s.csrf_token.clone(),
        workspace: p.s.workspace_name.clone(),
        fee,
        deal,
        brief,
        acknowledged,
        offers,
        deliverables,
        my_rating,
        form,
        errors,
    };
    page.render().map_err(|e| AppError::Internal(e.to_string()))
}

async fn deal_page(State(state): State<AppState>, p: Portal, Path(cid): Path<String>) -> Response {
    let cid = match id(&cid) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    done(render_deal(&state, &p, cid, DealForm::default(), Invalid::new()).await.map(|h| Html(h).into_response()))
}

fn back(path: String) -> Response {
    Redirect::to(&path).into_response()
}

/// On bad input the page comes back with the errors inline and what was typed.
async fn or_inline(
    state: &AppState,
    p: &Portal,
    cid: CollaborationId,
    form: DealForm,
    r: Result<(), AppError>,
) -> Response {
    match r {
        Ok(()) => back(format!("/portal/collaborations/{cid}")),
        Err(AppError::Invalid(e)) => match render_deal(state, p, cid, form, e).await {
            Ok(h) => (StatusCode::UNPROCESSABLE_ENTITY, Html(h)).into_response(),
            Err(e) => outside(e),
        },
        Err(e) => outside(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AckForm {
    version: i64,
}

async fn acknowledge(State(state): State<AppState>, Path(cid): Path<String>, f: PortalForm<AckForm>) -> Response {
    let cid: CollaborationId = match id(&cid) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let r = briefs::acknowledge(&state.app, &f.portal.s.ctx, cid, AcknowledgeInput { version: Some(f.form.version) })
        .await
        .map(|_| ());
    or_inline(&state, &f.portal, cid, DealForm::default(), r).await
}

async fn counter(State(state): State<AppState>, Path(cid): Path<String>, f: PortalForm<DealForm>) -> Response {
    let cid: CollaborationId = match id(&cid) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let ctx = &f.portal.s.ctx;
    let r = async {
        let deal = collaborations::get(&state.app, ctx, cid).await?;
        let currency = Currency::parse(&deal.collaboration.currency).map_err(AppError::Internal)?;
        let amount = parse_amount(&f.form.amount, currency).map_err(|m| Invalid::one("amount_minor", m))?;
        let input = OfferInput {
            amount_minor: Some(amount),
            deliverables: Some(f.form.deliverables.clone()),
            ..Default::default()
        };
        offers::create(&state.app, ctx, cid, input).await.map(|_| ())
    }
    .await;
    or_inline(&state, &f.portal, cid, f.form.clone(), r).await
}

async fn rate(State(state): State<AppState>, Path(cid): Path<String>, f: PortalForm<DealForm>) -> Response {
    let cid: CollaborationId = match id(&cid) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let input = RatingInput { score: f.form.score.trim().parse().ok(), comment: Some(f.form.comment.clone()) };
    let r = portal::rate(&state.app, &f.portal.s.ctx, cid, input).await.map(|_| ());
    or_inline(&state, &f.portal, cid, f.form.clone(), r).await
}

#[derive(Debug, Default, Deserialize)]
struct Empty {}

async fn decide_offer(
    State(state): State<AppState>,
    Path((oid, decision)): Path<(String, String)>,
    f: PortalForm<Empty>,
) -> Response {
    let oid: OfferId = match id(&oid) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let ctx = &f.portal.s.ctx;
    let r = match decision.as_str() {
        "accept" => offers::accept(&state.app, ctx, oid).await,
        "decline" => offers::decline(&state.app, ctx, oid).await,
        "withdraw" => offers::withdraw(&state.app, ctx, oid).await,
        _ => Err(AppError::NotFound),
    };
    done(r.map(|o| back(format!("/portal/collaborations/{}", o.collaboration_id))))
}

/// The draft form as typed: links one per line.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DraftForm {
    caption: String,
    links: String,
    note: String,
    published_url: String,
    body: String,
}

#[derive(Template)]
#[template(path = "portal/deliverable.html")]
struct DeliverablePage {
    file_prefix: String,
    css: String,
    csrf: String,
    workspace: String,
    review: ReviewDetail,
    can_submit: bool,
    can_publish: bool,
    form: DraftForm,
    errors: Invalid,
}

async fn render_deliverable(
    state: &AppState,
    p: &Portal,
    did: DeliverableId,
    form: DraftForm,
    errors: Invalid,
) -> Result<String, AppError> {
    let review = reviews::detail(&state.app, &p.s.ctx, did).await?;
    let allowed = &review.deliverable.allowed_statuses;
    let page = DeliverablePage {
        file_prefix: "/portal/files/".into(),
        css: crate::assets::css_url(),
        csrf: p.s.csrf_token.clone(),
        workspace: p.s.workspace_name.clone(),
        can_submit: allowed.iter().any(|s| s == "draft_submitted"),
        can_publish: review.deliverable.status == "approved",
        review,
        form,
        errors,
    };
    page.render().map_err(|e| AppError::Internal(e.to_string()))
}

async fn deliverable_page(State(state): State<AppState>, p: Portal, Path(did): Path<String>) -> Response {
    let did = match id(&did) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    done(
        render_deliverable(&state, &p, did, DraftForm::default(), Invalid::new())
            .await
            .map(|h| Html(h).into_response()),
    )
}

async fn draft_result(
    state: &AppState,
    p: &Portal,
    did: DeliverableId,
    form: DraftForm,
    r: Result<(), AppError>,
) -> Response {
    match r {
        Ok(()) => back(format!("/portal/deliverables/{did}")),
        Err(AppError::Invalid(e)) => match render_deliverable(state, p, did, form, e).await {
            Ok(h) => (StatusCode::UNPROCESSABLE_ENTITY, Html(h)).into_response(),
            Err(e) => outside(e),
        },
        Err(e) => outside(e),
    }
}

/// A draft: the caption, links (one per line), a note and optionally one uploaded file
/// (multipart, bounded by the configured largest file).
async fn submit(
    State(state): State<AppState>,
    Path(did): Path<String>,
    p: Portal,
    mut multipart: Multipart,
) -> Response {
    let did: DeliverableId = match id(&did) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let max = usize::try_from(state.app.config.files.max_bytes).unwrap_or(usize::MAX);
    let upload = match crate::pages::upload::read_with(&mut multipart, max, ", the largest file accepted").await {
        Ok(u) => u,
        Err(e) => return draft_result(&state, &p, did, DraftForm::default(), Err(e.into())).await,
    };
    if !rapport_app::tokens::constant_time_eq(upload.field(crate::auth::CSRF_FIELD), &p.s.csrf_token) {
        return super::outside_error(
            StatusCode::FORBIDDEN,
            "This form has expired or did not come from the portal. Go back, reload the page and try again.",
        );
    }
    let form = DraftForm {
        caption: upload.field("caption").to_owned(),
        links: upload.field("links").to_owned(),
        note: upload.field("note").to_owned(),
        ..Default::default()
    };
    let r = async {
        // The draft's file is stored first; a draft refused afterwards leaves an unattached file.
        let file_ids = if upload.bytes.is_empty() {
            vec![]
        } else {
            vec![rapport_app::files::save(&state.app, &p.s.ctx, &upload.file_name, upload.bytes).await?.id.to_string()]
        };
        let links: Vec<String> =
            form.links.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
        let input = SubmissionInput {
            caption: Some(form.caption.clone()),
            links: Some(links),
            file_ids: Some(file_ids),
            note: Some(form.note.clone()),
        };
        reviews::submit(&state.app, &p.s.ctx, did, input).await.map(|_| ())
    }
    .await;
    draft_result(&state, &p, did, form, r).await
}

/// A file of the creator's own drafts or campaign briefs, served with the safe headers.
async fn file(State(state): State<AppState>, p: Portal, Path(fid): Path<String>) -> Response {
    let fid = match id(&fid) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    match portal::read_file(&state.app, &p.s.ctx, fid).await {
        Ok((view, bytes)) => crate::files::file_response(&view, bytes),
        Err(e) => outside(e),
    }
}

async fn published(State(state): State<AppState>, Path(did): Path<String>, f: PortalForm<DraftForm>) -> Response {
    let did: DeliverableId = match id(&did) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let input = StatusInput {
        status: Some("published".into()),
        reason: None,
        published_url: Some(f.form.published_url.clone()),
    };
    let r = deliverables::move_status(&state.app, &f.portal.s.ctx, did, input).await.map(|_| ());
    draft_result(&state, &f.portal, did, f.form.clone(), r).await
}

async fn comment(
    State(state): State<AppState>,
    Path((did, sid)): Path<(String, String)>,
    f: PortalForm<DraftForm>,
) -> Response {
    let (did, sid): (DeliverableId, SubmissionId) = match (id(&did), id(&sid)) {
        (Ok(d), Ok(s)) => (d, s),
        _ => return outside(AppError::NotFound),
    };
    let r = reviews::comment(&state.app, &f.portal.s.ctx, sid, CommentInput { body: Some(f.form.body.clone()) })
        .await
        .map(|_| ());
    draft_result(&state, &f.portal, did, f.form.clone(), r).await
}
