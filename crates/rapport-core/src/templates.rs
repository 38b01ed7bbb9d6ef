//! User-editable templates of the workspace playbook (outreach emails, briefs, review
//! checklists): the merge fields they may use, the check a template passes before it is
//! saved, rendering with a fuel limit (a runaway loop stops with an error instead of
//! hanging), and the personalisation check on a message about to go out.
//!
//! Email templates are plain text: merge values are written as they are (an `&` stays an
//! `&`), and whoever shows the text in a page escapes it there. Brief and review-checklist
//! templates produce HTML, so merge values are HTML-escaped while rendering.

use crate::validation::Invalid;
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, Value};
use serde::Serialize;
use std::collections::BTreeSet;

/// How much work one render may do: enough for any sensible message, far too little for a
/// loop of millions. (minijinja counts instructions; about 64 bytes of output each.)
pub const FUEL: u64 = 50_000;

/// The most numbers `range()` gives in a template (minijinja's own limit is 10 000); with
/// the longest body it bounds what one filter call such as `join` can build before the fuel
/// is charged for it.
pub const MAX_RANGE: i128 = 1000;

/// The longest template body and subject, in characters.
pub const MAX_BODY: usize = 20_000;
pub const MAX_SUBJECT: usize = 300;

/// What a template is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    /// An outreach email: a subject and a plain-text body.
    Email,
    /// A creator brief (HTML).
    Brief,
    /// A checklist for reviewing a creator's draft (HTML).
    ReviewChecklist,
}

impl TemplateKind {
    pub const ALL: [TemplateKind; 3] = [TemplateKind::Email, TemplateKind::Brief, TemplateKind::ReviewChecklist];

    pub fn slug(self) -> &'static str {
        match self {
            TemplateKind::Email => "email",
            TemplateKind::Brief => "brief",
            TemplateKind::ReviewChecklist => "review_checklist",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TemplateKind::Email => "Email",
            TemplateKind::Brief => "Brief",
            TemplateKind::ReviewChecklist => "Review checklist",
        }
    }

    pub fn parse(s: &str) -> Option<TemplateKind> {
        TemplateKind::ALL.into_iter().find(|k| k.slug() == s.trim())
    }

    /// Only emails have a subject.
    pub fn has_subject(self) -> bool {
        self == TemplateKind::Email
    }

    /// Whether the rendered body is HTML (merge values escaped) rather than plain text.
    pub fn is_html(self) -> bool {
        self != TemplateKind::Email
    }
}

/// A merge field a template may use, with what it holds.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct MergeField {
    pub name: &'static str,
    pub description: &'static str,
}

/// Every merge field, in the order the editor lists them.
pub const MERGE_FIELDS: &[MergeField] = &[
    MergeField { name: "creator.first_name", description: "the first word of the creator's name" },
    MergeField { name: "creator.name", description: "the creator's display name" },
    MergeField { name: "creator.handle", description: "the handle of their largest account, without @" },
    MergeField { name: "creator.platform", description: "the platform of that account, e.g. Instagram" },
    MergeField { name: "content.title", description: "the title of the piece of their content you chose" },
    MergeField { name: "content.url", description: "the link to that piece of content" },
    MergeField { name: "campaign.name", description: "the campaign the message is about" },
    MergeField { name: "sender.name", description: "your name" },
    MergeField { name: "sender.email", description: "your email address" },
    MergeField { name: "unsubscribe_url", description: "the link that stops further emails" },
];

/// Fields that refer to this creator in particular; a message should use at least one.
const PERSONAL_FIELDS: [&str; 5] =
    ["creator.first_name", "creator.name", "creator.handle", "content.title", "content.url"];

/// The creator a message is for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CreatorFields {
    pub name: String,
    pub first_name: String,
    /// The handle of the largest account, without `@`; empty without accounts.
    pub handle: String,
    /// The platform label of that account ("Instagram"); empty without accounts.
    pub platform: String,
}

impl CreatorFields {
    /// From a display name and, if the creator has one, their largest account as
    /// (platform label, handle).
    pub fn new(display_name: &str, account: Option<(&str, &str)>) -> CreatorFields {
        let (platform, handle) = account.unwrap_or_default();
        CreatorFields {
            name: display_name.trim().to_owned(),
            first_name: first_name(display_name),
            handle: handle.trim_start_matches('@').to_owned(),
            platform: platform.to_owned(),
        }
    }
}

/// The first word of a name ("Ana" of "Ana Lima"); the whole trimmed name if it has one word.
pub fn first_name(display_name: &str) -> String {
    display_name.split_whitespace().next().unwrap_or_default().to_owned()
}

/// A piece of the creator's content the sender refers to; empty when none was chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContentFields {
    pub title: String,
    pub url: String,
}

/// The campaign a message is about; empty when none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CampaignFields {
    pub name: String,
}

/// Who sends the message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SenderFields {
    pub name: String,
    pub email: String,
}

/// Everything a template can refer to. Fields without a value are empty strings, so a
/// template can test them (`{% if content.url %}`); a misspelt field is an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MergeContext {
    pub creator: CreatorFields,
    pub content: ContentFields,
    pub campaign: CampaignFields,
    pub sender: SenderFields,
    pub unsubscribe_url: String,
}

impl MergeContext {
    /// The value of a merge field by its dotted name.
    pub fn field(&self, name: &str) -> Option<&str> {
        Some(match name {
            "creator.first_name" => &self.creator.first_name,
            "creator.name" => &self.creator.name,
            "creator.handle" => &self.creator.handle,
            "creator.platform" => &self.creator.platform,
            "content.title" => &self.content.title,
            "content.url" => &self.content.url,
            "campaign.name" => &self.campaign.name,
            "sender.name" => &self.sender.name,
            "sender.email" => &self.sender.email,
            "unsubscribe_url" => &self.unsubscribe_url,
            _ => return None,
        })
    }

    /// The template engine's view of these fields.
    fn value(&self) -> Value {
        let pairs = |fields: &[(&str, &str)]| Value::from_pairs(fields.iter().map(|(k, v)| (*k, v.to_string())));
        let c = &self.creator;
        Value::from_pairs([
            (
                "creator",
                pairs(&[
                    ("name", &c.name),
                    ("first_name", &c.first_name),
                    ("handle", &c.handle),
                    ("platform", &c.platform),
                ]),
            ),
            ("content", pairs(&[("title", &self.content.title), ("url", &self.content.url)])),
            ("campaign", pairs(&[("name", &self.campaign.name)])),
            ("sender", pairs(&[("name", &self.sender.name), ("email", &self.sender.email)])),
            ("unsubscribe_url", Value::from(self.unsubscribe_url.clone())),
        ])
    }

    /// Plausible values for every field, used to try a template out before it is saved.
    pub fn sample() -> MergeContext {
        MergeContext {
            creator: CreatorFields::new("Ana Lima", Some(("Instagram", "anacooks"))),
            content: ContentFields { title: "Five-minute pasta".into(), url: "https://example.com/p/1".into() },
            campaign: CampaignFields { name: "Spring launch".into() },
            sender: SenderFields { name: "Sam Sender".into(), email: "sam@example.com".into() },
            unsubscribe_url: "https://example.com/unsubscribe/sample".into(),
        }
    }
}

/// A rendered message, with the personalisation warnings to show before it goes out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rendered {
    /// Empty for kinds without a subject.
    pub subject: String,
    pub body: String,
    pub warnings: Vec<Warning>,
}

/// Something to look at before sending, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// `no_creator_reference`, `creator_not_in_message` or `blank_field`.
    pub code: &'static str,
    pub message: String,
}

/// Why a template could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateErrorKind {
    Syntax,
    UnknownField,
    TooMuchWork,
    Render,
}

/// A problem in one part (`subject` or `body`) of a template, with the line when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct TemplateError {
    pub field: &'static str,
    pub line: Option<usize>,
    pub kind: TemplateErrorKind,
    /// A sentence fragment after the field name: "has a syntax error on line 2: …".
    pub message: String,
}

impl From<TemplateError> for Invalid {
    fn from(e: TemplateError) -> Invalid {
        Invalid::one(e.field, e.message)
    }
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.add_function("range", small_range);
    env.set_auto_escape_callback(|name| if name.ends_with(".html") { AutoEscape::Html } else { AutoEscape::None });
    let mut syntax = minijinja::syntax::SyntaxConfig::builder();
    syntax.trim_blocks(true).lstrip_blocks(true);
    if let Ok(s) = syntax.build() {
        env.set_syntax(s);
    }
    env
}

/// `range()` with a smaller limit (see [`MAX_RANGE`]).
fn small_range(lower: isize, upper: Option<isize>, step: Option<isize>) -> Result<Value, minijinja::Error> {
    let (start, end) = match upper {
        Some(u) => (lower as i128, u as i128),
        None => (0, lower as i128),
    };
    let by = step.unwrap_or(1) as i128;
    if by != 0 && (end - start) / by > MAX_RANGE {
        let msg = format!("range() gives at most {MAX_RANGE} numbers in a template");
        return Err(minijinja::Error::new(ErrorKind::InvalidOperation, msg));
    }
    minijinja::functions::range(lower, upper, step)
}

/// The template name that selects escaping: the subject is always text.
fn part_name(kind: TemplateKind, field: &'static str) -> &'static str {
    match (field, kind.is_html()) {
        ("body", true) => "body.html",
        ("body", false) => "body.txt",
        _ => "subject.txt",
    }
}

fn template_error(field: &'static str, e: &minijinja::Error) -> TemplateError {
    let line = e.line();
    let at = line.map(|l| format!(" on line {l}")).unwrap_or_default();
    let detail = e.detail().map(str::to_owned).unwrap_or_else(|| e.kind().to_string());
    let (kind, message) = match e.kind() {
        ErrorKind::SyntaxError | ErrorKind::BadEscape | ErrorKind::InvalidDelimiter => {
            (TemplateErrorKind::Syntax, format!("has a syntax error{at}: {detail}"))
        }
        ErrorKind::OutOfFuel => (
            TemplateErrorKind::TooMuchWork,
            format!(
                "takes too much work to render{at} (it stopped after {FUEL} steps): look for a loop that runs too often"
            ),
        ),
        ErrorKind::UndefinedError => {
            (TemplateErrorKind::UnknownField, format!("uses something that is not a merge field{at}: {detail}"))
        }
        _ => (TemplateErrorKind::Render, format!("cannot be rendered{at}: {detail}")),
    };
    TemplateError { field, line, kind, message }
}

/// The line (1-based) where `needle` first appears in `source`.
fn line_of(source: &str, needle: &str) -> Option<usize> {
    source.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

fn is_known(name: &str, globals: &BTreeSet<String>) -> bool {
    let roots = ["creator", "content", "campaign", "sender", "unsubscribe_url"];
    roots.contains(&name)
        || (!name.contains('.') && globals.contains(name))
        || MERGE_FIELDS.iter().any(|f| name == f.name || name.starts_with(&format!("{}.", f.name)))
}

/// A template compiled and checked for unknown merge fields, and the fields it uses.
fn compile(
    env: &Environment<'static>,
    kind: TemplateKind,
    field: &'static str,
    source: &str,
) -> Result<BTreeSet<String>, TemplateError> {
    let t = env.template_from_named_str(part_name(kind, field), source).map_err(|e| template_error(field, &e))?;
    let used: BTreeSet<String> = t.undeclared_variables(true).into_iter().collect();
    let globals: BTreeSet<String> = env.globals().map(|(n, _)| n.to_owned()).collect();
    if let Some(bad) = used.iter().find(|n| !is_known(n, &globals)) {
        let line = line_of(source, bad).or_else(|| bad.rsplit('.').next().and_then(|last| line_of(source, last)));
        let at = line.map(|l| format!(" on line {l}")).unwrap_or_default();
        let known: Vec<&str> = MERGE_FIELDS.iter().map(|f| f.name).collect();
        return Err(TemplateError {
            field,
            line,
            kind: TemplateErrorKind::UnknownField,
            message: format!("uses “{bad}”{at}, which is not a merge field (the fields are {})", known.join(", ")),
        });
    }
    Ok(used)
}

fn render_part(
    env: &Environment<'static>,
    kind: TemplateKind,
    field: &'static str,
    source: &str,
    ctx: &Value,
) -> Result<String, TemplateError> {
    env.template_from_named_str(part_name(kind, field), source)
        .and_then(|t| t.render(ctx))
        .map_err(|e| template_error(field, &e))
}

/// Renders a template for one message: the subject (emails only; one line) and the body,
/// with the personalisation warnings. Used by the preview and by sending alike.
pub fn render(kind: TemplateKind, subject: &str, body: &str, ctx: &MergeContext) -> Result<Rendered, TemplateError> {
    let env = environment();
    let mut used = BTreeSet::new();
    if kind.has_subject() {
        used.extend(compile(&env, kind, "subject", subject)?);
    }
    used.extend(compile(&env, kind, "body", body)?);
    let value = ctx.value();
    let subject = if kind.has_subject() {
        render_part(&env, kind, "subject", subject, &value)?.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        String::new()
    };
    let body = render_part(&env, kind, "body", body, &value)?;
    let warnings = personalisation(kind, &used, ctx, &format!("{subject}\n{body}"));
    Ok(Rendered { subject, body, warnings })
}

/// Checks a template before it is saved: its syntax, that it uses only merge fields, and
/// that it renders within the fuel limit on sample values. Each problem names `subject`
/// or `body` and the line.
pub fn check(kind: TemplateKind, subject: &str, body: &str) -> Result<(), Invalid> {
    let env = environment();
    let sample = MergeContext::sample().value();
    let mut e = Invalid::new();
    let mut parts = vec![("body", body)];
    if kind.has_subject() {
        parts.insert(0, ("subject", subject));
    }
    for (field, source) in parts {
        if let Err(err) =
            compile(&env, kind, field, source).and_then(|_| render_part(&env, kind, field, source, &sample))
        {
            e.add(err.field, err.message);
        }
    }
    e.into_result(())
}

fn blank_reason(field: &str) -> &'static str {
    match field.split('.').next().unwrap_or_default() {
        "content" => "no piece of content was chosen",
        "campaign" => "no campaign was given",
        "creator" => "this creator has no social account",
        "sender" => "the sender has none",
        _ => "there is no unsubscribe link here",
    }
}

/// A warning when a message (however it was written) mentions neither the creator's name,
/// first name or handle nor the chosen piece of content.
pub fn unmentioned(ctx: &MergeContext, text: &str) -> Option<Warning> {
    let lower = text.to_lowercase();
    let mentioned = PERSONAL_FIELDS
        .iter()
        .filter_map(|f| ctx.field(f))
        .filter(|v| !v.trim().is_empty())
        .any(|v| lower.contains(&v.trim().to_lowercase()));
    (!mentioned).then(|| Warning {
        code: "creator_not_in_message",
        message: format!(
            "The message as written for {} mentions neither their name, their handle nor a piece of their content.",
            if ctx.creator.name.is_empty() { "this creator" } else { &ctx.creator.name }
        ),
    })
}

/// Warnings about a message that does not read as written for this creator: the template
/// refers to nothing personal, the rendered text mentions neither their name, handle nor
/// the chosen content, or a field it uses comes out blank. Only emails are checked.
fn personalisation(kind: TemplateKind, used: &BTreeSet<String>, ctx: &MergeContext, text: &str) -> Vec<Warning> {
    if kind != TemplateKind::Email {
        return vec![];
    }
    let mut warnings = vec![];
    let uses = |f: &str| used.iter().any(|u| u == f || u.starts_with(&format!("{f}.")));
    if !PERSONAL_FIELDS.iter().any(|f| uses(f)) {
        warnings.push(Warning {
            code: "no_creator_reference",
            message: "The message never refers to the creator: it uses none of creator.first_name, creator.name, \
                      creator.handle, content.title or content.url, so it reads like a mass mailing."
                .into(),
        });
    } else if let Some(w) = unmentioned(ctx, text) {
        warnings.push(w);
    }
    for f in MERGE_FIELDS.iter().filter(|f| uses(f.name)) {
        if ctx.field(f.name).is_some_and(|v| v.trim().is_empty()) {
            warnings.push(Warning {
                code: "blank_field",
                message: format!("{{{{ {} }}}} comes out blank: {}.", f.name, blank_reason(f.name)),
            });
        }
    }
    warnings
}

#[cfg(test)]
mod tests;
