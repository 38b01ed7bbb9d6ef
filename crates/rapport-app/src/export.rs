//! Export of any creator list as CSV or JSON, in pages so that a large workspace streams
//! instead of filling memory. The CSV has a stable header — the base fields, then four
//! columns per platform, then the other accounts, then one `custom.<name>` column per custom
//! field the workspace uses — so an export can be imported back as it is.

use crate::App;
use crate::context::Ctx;
use crate::creators::{self, CreatorQuery, CreatorView};
use crate::error::{AppError, AppResult};
use rapport_core::creators::custom_field_text;
use rapport_core::platform::Platform;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    pub fn parse(s: &str) -> Result<Format, rapport_core::Invalid> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            _ => Err(rapport_core::Invalid::one("format", "must be csv or json")),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// The base columns, in order.
pub const BASE_COLUMNS: &[&str] = &[
    "id", "display_name", "legal_name", "pronouns", "email", "phone", "website", "country", "city", "languages",
    "timezone", "niches", "tags", "stage", "do_not_contact", "source", "bio", "tone_notes", "max_followers", "tier",
    "fit_score", "owner", "created_at", "updated_at",
];

/// The per-platform columns, in order, after the base columns.
pub const ACCOUNT_COLUMNS: &[&str] = &["handle", "followers", "average_views", "engagement_rate_pct"];

/// The last column: a creator's accounts beyond the first (largest) one of each platform,
/// "instagram @handle, 12000 followers; …" — computed, so an import leaves it alone.
pub const OTHER_ACCOUNTS: &str = "other_accounts";

/// The header of an export whose workspace's creators have these custom fields.
pub fn csv_header(custom_fields: &[String]) -> Vec<String> {
    let mut h: Vec<String> = BASE_COLUMNS.iter().map(|s| s.to_string()).collect();
    for p in Platform::ALL {
        for c in ACCOUNT_COLUMNS {
            h.push(format!("{}_{c}", p.slug()));
        }
    }
    h.push(OTHER_ACCOUNTS.into());
    h.extend(custom_fields.iter().map(|k| format!("{}{k}", rapport_core::import::CUSTOM_FIELD_PREFIX)));
    h
}

/// The [`OTHER_ACCOUNTS`] cell of a creator.
fn other_accounts(c: &CreatorView) -> String {
    let mut seen: Vec<&str> = Vec::new();
    let mut others = Vec::new();
    for a in &c.social_accounts {
        if !seen.contains(&a.platform.as_str()) {
            seen.push(&a.platform);
            continue;
        }
        others.push(match a.followers {
            Some(f) => format!("{} @{}, {f} followers", a.platform, a.handle),
            None => format!("{} @{}", a.platform, a.handle),
        });
    }
    others.join("; ")
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// Every contact point of a kind in one cell ("a@x.com; b@y.com"), the primary one first,
/// which an import reads back as the same points (the same primary email).
fn contacts(c: &CreatorView, kind: &str) -> String {
    let primary = c.contact_points.iter().filter(|p| p.kind == kind && p.primary);
    let others = c.contact_points.iter().filter(|p| p.kind == kind && !p.primary);
    primary.chain(others).map(|p| p.value.as_str()).collect::<Vec<_>>().join("; ")
}

/// A creator's CSV row, with its fit score and the values of `custom_fields` (the header's).
/// The fit score, owner, tier, largest following and other accounts are computed: an import
/// of the file leaves them alone.
fn csv_record(c: &CreatorView, custom_fields: &[String]) -> Vec<String> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut r = vec![
        c.id.to_string(),
        c.display_name.clone(),
        opt(&c.legal_name),
        opt(&c.pronouns),
        contacts(c, "email"),
        contacts(c, "phone"),
        contacts(c, "website"),
        opt(&c.country),
        opt(&c.city),
        c.languages.join(", "),
        opt(&c.timezone),
        c.niches.join(", "),
        c.tags.join(", "),
        c.stage.clone(),
        c.do_not_contact.to_string(),
        opt(&c.source),
        opt(&c.bio),
        opt(&c.tone_notes),
        c.max_followers.to_string(),
        c.tier.map(|t| t.slug().to_string()).unwrap_or_default(),
        c.fit_score.map(|f| f.to_string()).unwrap_or_default(),
        opt(&c.owner_name),
        rfc3339(c.created_at),
        rfc3339(c.updated_at),
    ];
    for p in Platform::ALL {
        // The largest account on each platform; any other is in the last column.
        match c.social_accounts.iter().find(|a| a.platform == p.slug()) {
            Some(a) => {
                r.push(a.handle.clone());
                r.push(a.followers.map(|v| v.to_string()).unwrap_or_default());
                r.push(a.average_views.map(|v| v.to_string()).unwrap_or_default());
                r.push(a.engagement_rate_pct.map(|v| v.to_string()).unwrap_or_default());
            }
            None => r.extend(std::iter::repeat_n(String::new(), ACCOUNT_COLUMNS.len())),
        }
    }
    r.push(other_accounts(c));
    r.extend(custom_fields.iter().map(|k| c.custom_fields.get(k).map(custom_field_text).unwrap_or_default()));
    r
}

fn csv_bytes(rows: &[Vec<String>]) -> AppResult<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    for r in rows {
        let cells = r.iter().map(|c| rapport_core::spreadsheet::escape_formula(c));
        w.write_record(cells.map(|c| c.into_owned())).map_err(|e| AppError::Internal(e.to_string()))?;
    }
    w.into_inner().map_err(|e| AppError::Internal(e.to_string()))
}

/// Writes every creator matching `query` in `format`, a page at a time, into `sink`;
/// stops early when the receiver goes away. Returns how many were written. Check the
/// query first with [`creators::check_query`] to answer bad parameters before streaming.
pub async fn export(
    app: &App,
    ctx: &Ctx,
    query: CreatorQuery,
    format: Format,
    sink: tokio::sync::mpsc::Sender<Vec<u8>>,
) -> AppResult<u64> {
    let send = |chunk: Vec<u8>| {
        let sink = sink.clone();
        async move { sink.send(chunk).await.is_ok() }
    };
    let mut source = Source::of(app, ctx, query).await?;
    let mut written = 0u64;
    let custom_fields = match format {
        Format::Csv => rapport_store::creators::custom_field_keys(&mut app.db.read().await?.conn(), ctx.ws()).await?,
        Format::Json => vec![],
    };
    let opening = match format {
        Format::Csv => csv_bytes(&[csv_header(&custom_fields)])?,
        Format::Json => b"[".to_vec(),
    };
    if !send(opening).await {
        return Ok(0);
    }
    let started_at_change = rapport_store::changes::latest(&mut app.db.read().await?.conn()).await?;
    while let Some(mut items) = source.next(app, ctx).await? {
        // The scores listings sort by, from the index a server keeps once it has caught up
        // with the export's start; without one (the CLI), and for a creator written since,
        // computed as the creator page computes them.
        let ids = items.iter().map(|c| c.id.0).collect();
        let indexed = crate::search::fit_scores_at(app, ctx, ids, started_at_change).await?.unwrap_or_default();
        items.iter_mut().for_each(|c| c.fit_score = indexed.get(&c.id.0).copied());
        if indexed.len() < items.len() {
            // Rare with an index (a creator written since the start), so the chunk is scored whole.
            let fits = crate::insights::fit_scores(app, ctx, &items, started_at_change).await?;
            items.iter_mut().zip(fits).for_each(|(c, fit)| c.fit_score = c.fit_score.or(Some(fit)));
        }
        let chunk = match format {
            Format::Csv => csv_bytes(&items.iter().map(|c| csv_record(c, &custom_fields)).collect::<Vec<_>>())?,
            Format::Json => {
                let mut out = Vec::new();
                for (i, c) in items.iter().enumerate() {
                    if written > 0 || i > 0 {
                        out.push(b',');
                    }
                    out.push(b'\n');
                    serde_json::to_writer(&mut out, c).map_err(|e| AppError::Internal(e.to_string()))?;
                }
                out
            }
        };
        written += items.len() as u64;
        if !chunk.is_empty() && !send(chunk).await {
            return Ok(written);
        }
    }
    if format == Format::Json {
        send(b"\n]\n".to_vec()).await;
    }
    Ok(written)
}

/// How many creators an export reads at a time.
const PAGE: usize = 200;

/// Where an export's creators come from, a page at a time.
enum Source {
    /// The database's listing, following its keyset cursor to the end.
    Listing { query: Box<CreatorQuery>, done: bool },
    /// Every match of a search, in order, read from the index at once (a search's pages are
    /// offsets, which deep pages make slow and which stop at 100 000) and loaded by id.
    Ids { ids: Vec<Uuid>, at: usize, deleted: bool },
}

impl Source {
    async fn of(app: &App, ctx: &Ctx, mut query: CreatorQuery) -> AppResult<Source> {
        query.limit = Some(PAGE.to_string());
        query.cursor = None;
        // Pages follow the cursor to the end; no page needs the count of all.
        query.total = Some("false".into());
        Ok(match creators::plan(app, ctx, &query).await? {
            creators::Plan::Index(q) => {
                let latest = rapport_store::changes::latest(&mut app.db.read().await?.conn()).await?;
                let deleted = q.deleted;
                Source::Ids { ids: crate::search::all_ids(app, latest, *q).await?, at: 0, deleted }
            }
            creators::Plan::Store(_) => Source::Listing { query: Box::new(query), done: false },
        })
    }

    /// The next page; `None` after the last.
    async fn next(&mut self, app: &App, ctx: &Ctx) -> AppResult<Option<Vec<CreatorView>>> {
        match self {
            Source::Listing { done: true, .. } => Ok(None),
            Source::Listing { query, done } => {
                let page = creators::list(app, ctx, query).await?;
                match page.next_cursor {
                    Some(c) => query.cursor = Some(c),
                    None => *done = true,
                }
                Ok(Some(page.items.into_iter().map(creators::Listed::into_view).collect()))
            }
            Source::Ids { ids, at, deleted } => {
                let Some(chunk) = ids.get(*at..).filter(|rest| !rest.is_empty()) else { return Ok(None) };
                let chunk = &chunk[..chunk.len().min(PAGE)];
                *at += chunk.len();
                // A creator deleted (or restored) since the search is left out.
                let mut items = creators::views_by_id(app, ctx, chunk).await?;
                items.retain(|c| c.deleted_at.is_some() == *deleted);
                Ok(Some(items))
            }
        }
    }
}
