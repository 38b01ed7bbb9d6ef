//! What a message says: written by hand, or rendered from a playbook email template for
//! one creator (their name and largest account, a chosen piece of their content, the
//! campaign, the sender, the unsubscribe link); the unsubscribe line added when the text
//! does not carry the link; and the personalisation check that asks for confirmation
//! before a message that never refers to the creator goes out.

use super::EmailInput;
use crate::App;
use crate::context::Ctx;
use crate::creators::CreatorView;
use crate::error::{AppError, AppResult};
use crate::mail_settings::SenderView;
use crate::playbook::{self, UNSUBSCRIBE_PLACEHOLDER, creator_fields};
use rapport_core::Invalid;
use rapport_core::ids::TemplateId;
use rapport_core::templates::{self, CampaignFields, ContentFields, MergeContext, SenderFields, TemplateKind, Warning};
use rapport_core::validation::{optional_text, required_text};

/// The longest subject and body accepted, in characters.
pub const MAX_SUBJECT: usize = 300;
pub const MAX_BODY: usize = 50_000;

/// A message ready to queue, and what the sender should look at first.
pub(crate) struct Composed {
    pub subject: String,
    pub body: String,
    pub warnings: Vec<Warning>,
}

fn content_url(e: &mut Invalid, v: Option<&str>) -> String {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else { return String::new() };
    match url::Url::parse(v) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() && v.len() <= 2000 => v.to_owned(),
        _ => {
            e.add("content_url", "must be a link starting with https:// or http://");
            String::new()
        }
    }
}

/// Writes the message for `creator`; bad input is added to `e` (and `None` returned).
pub(crate) async fn compose(
    app: &App,
    ctx: &Ctx,
    creator: &CreatorView,
    input: &EmailInput,
    sender: &SenderView,
    unsubscribe_url: &str,
    e: &mut Invalid,
) -> AppResult<Option<Composed>> {
    let merge = MergeContext {
        creator: creator_fields(creator),
        content: ContentFields {
            title: optional_text(e, "content_title", input.content_title.as_deref(), 300).unwrap_or_default(),
            url: content_url(e, input.content_url.as_deref()),
        },
        campaign: CampaignFields {
            name: optional_text(e, "campaign_name", input.campaign_name.as_deref(), 300).unwrap_or_default(),
        },
        sender: SenderFields { name: sender.from_name.clone(), email: sender.from_email.clone() },
        unsubscribe_url: unsubscribe_url.to_owned(),
    };
    let typed = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    let (subject, body, mut warnings) = match input.template_id.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(_) if typed(&input.subject) || typed(&input.body) => {
            e.add("template_id", "give either a template or a subject and body, not both");
            return Ok(None);
        }
        Some(t) => {
            let Some(template) = email_template(app, ctx, t).await? else {
                e.add("template_id", "is not an email template of this workspace");
                return Ok(None);
            };
            let subject = template.subject.unwrap_or_default();
            match templates::render(TemplateKind::Email, &subject, &template.body, &merge) {
                Ok(r) => (r.subject, r.body, r.warnings),
                Err(err) => {
                    e.add("template_id", format!("could not be used: {}", err.message));
                    return Ok(None);
                }
            }
        }
        None => {
            let subject = required_text(e, "subject", input.subject.as_deref(), MAX_SUBJECT);
            let body = required_text(e, "body", input.body.as_deref(), MAX_BODY);
            let warnings = templates::unmentioned(&merge, &format!("{subject}\n{body}")).into_iter().collect();
            (subject, body, warnings)
        }
    };
    if !e.is_empty() {
        return Ok(None);
    }
    // A draft made from a template in the compose form carries the preview's placeholder.
    let mut body = body.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url);
    if !body.contains(unsubscribe_url) {
        body = format!("{body}\n\n--\nNo more emails like this: {unsubscribe_url}\n");
    }
    warnings.retain(|w| w.code != "blank_field" || !w.message.contains("unsubscribe_url"));
    Ok(Some(Composed { subject, body, warnings }))
}

async fn email_template(app: &App, ctx: &Ctx, id: &str) -> AppResult<Option<playbook::TemplateView>> {
    let Ok(id) = id.trim().parse::<TemplateId>() else { return Ok(None) };
    match playbook::get(app, ctx, id).await {
        Ok(t) if t.kind == TemplateKind::Email.slug() => Ok(Some(t)),
        Ok(_) | Err(AppError::NotFound) => Ok(None),
        Err(other) => Err(other),
    }
}
