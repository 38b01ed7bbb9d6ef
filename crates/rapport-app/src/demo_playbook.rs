//! The demo workspace's playbook: two outreach emails, a creator brief and a review
//! checklist, saved through the same checks as any template.

use crate::App;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::playbook::{self, TemplateInput};

/// (kind, name, subject, body)
pub const TEMPLATES: &[(&str, &str, Option<&str>, &str)] = &[
    (
        "email",
        "First outreach",
        Some("{{ creator.first_name }}, a {{ campaign.name or 'collaboration' }} idea"),
        "Hi {{ creator.first_name }},

{% if content.title %}
I just watched “{{ content.title }}”{% if content.url %} ({{ content.url }}){% endif %} and loved it.
{% else %}
I have been following @{{ creator.handle }} on {{ creator.platform }} for a while.
{% endif %}
We are planning {{ campaign.name or 'a campaign' }} and your voice would fit it well.

Would you be open to a short call next week?

Best,
{{ sender.name }}
{{ sender.email }}

Not interested? {{ unsubscribe_url }}",
    ),
    (
        "email",
        "Follow-up",
        Some("Re: {{ campaign.name or 'our idea' }}"),
        "Hi {{ creator.first_name }},

Just bringing my note from last week back to the top of your inbox. Happy to share the brief
if it helps you decide.

Thanks,
{{ sender.name }}

Not interested? {{ unsubscribe_url }}",
    ),
    (
        "brief",
        "Standard brief",
        None,
        "<h1>{{ campaign.name or 'Campaign' }}: brief for {{ creator.name }}</h1>
<h2>Deliverables</h2>
<ul>
  <li>One {{ creator.platform or 'social' }} post from @{{ creator.handle }}</li>
  <li>Three stories linking to the product page</li>
</ul>
<h2>Key messages</h2>
<p>Tell it in your own words; show the product in use.</p>
<h2>Contact</h2>
<p>{{ sender.name }} · {{ sender.email }}</p>",
    ),
    (
        "review_checklist",
        "Before approving a draft",
        None,
        "<h1>Review: {{ creator.name }}</h1>
<ul>
  <li>Disclosure (#ad or the platform's paid-partnership label) is visible</li>
  <li>Product name and claims match the brief</li>
  <li>Link or code is correct</li>
  <li>No competitor products in frame</li>
</ul>",
    ),
];

/// Saves the demo templates in the workspace.
pub async fn seed(app: &App, ctx: &Ctx) -> AppResult<()> {
    for (kind, name, subject, body) in TEMPLATES {
        let input = TemplateInput {
            kind: Some((*kind).into()),
            name: Some((*name).into()),
            subject: subject.map(str::to_owned),
            body: Some((*body).into()),
        };
        playbook::create(app, ctx, input).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use rapport_core::templates::{MergeContext, TemplateKind, check, render};

    #[test]
    fn the_demo_templates_pass_the_checks_and_emails_refer_to_the_creator() {
        for (kind, name, subject, body) in super::TEMPLATES {
            let kind = TemplateKind::parse(kind).unwrap_or(TemplateKind::Email);
            assert_eq!(check(kind, subject.unwrap_or_default(), body), Ok(()), "{name}");
            let r = render(kind, subject.unwrap_or_default(), body, &MergeContext::sample());
            assert!(r.is_ok_and(|r| r.warnings.is_empty()), "{name}");
        }
    }
}
