//! The creator list: search box, filters (with facet counts from the search index), sort,
//! pages, the deleted view, and export links that carry the same filters.

use crate::auth::Session;
use crate::error::PageError;
use crate::format::{compact, exact, initials, relative};
use crate::pages::{Flash, Layout};
use crate::params::Params;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use rapport_app::creators::{self, CreatorQuery, CreatorView};
use rapport_app::{AppError, members};
use rapport_core::actor::now;
use rapport_core::pipeline::Stages;
use rapport_core::platform::Platform;
use rapport_core::tier::Tier;
use serde::Deserialize;

pub(super) fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/creators", axum::routing::get(list_creators))
        .route("/creators/export", axum::routing::get(export_creators))
}

/// An option in a filter select.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn opts(items: impl IntoIterator<Item = (String, String)>, current: Option<&str>) -> Vec<Opt> {
    let mut out: Vec<Opt> = items
        .into_iter()
        .map(|(value, label)| Opt { selected: current == Some(value.as_str()), value, label })
        .collect();
    // Several values (picked from the facet panel) stay selected as one option.
    if let Some(list) = current.filter(|c| c.contains(',')) {
        let n = list.split(',').filter(|v| !v.trim().is_empty()).count();
        out.insert(0, Opt { value: list.to_string(), label: format!("{n} selected"), selected: true });
    }
    out
}

/// Every sort a listing takes, with its label; the first six are offered in the sort menu, the
/// others (reached from a column header) only while they are the current sort.
const SORTS: [(&str, &str); 13] = [
    ("-updated_at", "Recently updated"),
    ("-followers", "Largest following"),
    ("-engagement", "Highest engagement"),
    ("-fit", "Best fit"),
    ("relevance", "Best match (with search words)"),
    ("name", "Name A–Z"),
    ("-name", "Name Z–A"),
    ("followers", "Smallest following"),
    ("engagement", "Lowest engagement"),
    ("fit", "Lowest fit"),
    ("updated_at", "Least recently updated"),
    ("-created_at", "Recently added"),
    ("created_at", "First added"),
];

/// The sort menu: the usual sorts (without a search index, those the database sorts by) and the
/// current one, whichever it is, selected — so that applying the filters keeps it.
fn sort_opts(current: &str, index_sorts: bool) -> Vec<Opt> {
    let listed = |v: &str| index_sorts || !matches!(v, "-engagement" | "-fit" | "relevance");
    SORTS
        .iter()
        .enumerate()
        .filter(|(i, (v, _))| (*i < 6 && listed(v)) || *v == current)
        .map(|(_, (v, l))| Opt { value: v.to_string(), label: l.to_string(), selected: *v == current })
        .collect()
}

/// The parameters of `q` that the filter form has no field for.
fn kept_params(q: &CreatorQuery) -> Vec<(&'static str, String)> {
    [("shortlist", &q.shortlist), ("updated_since", &q.updated_since), ("limit", &q.limit)]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(|v| (k, v.to_string())))
        .collect()
}

/// The name a filter has on the page (its label in the form), for the errors shown there.
fn field_label(field: &str) -> &str {
    match field {
        "q" => "Search",
        "stage" => "Stage",
        "platform" => "Platform",
        "tier" => "Tier",
        "owner" => "Owner",
        "sort" => "Sort",
        "country" => "Countries",
        "city" => "City",
        "language" => "Languages",
        "niche" => "Niches",
        "tag" => "Tags",
        "min_followers" => "Followers from",
        "max_followers" => "Followers to",
        "min_average_views" => "Avg views from",
        "max_average_views" => "Avg views to",
        "min_engagement" => "Engagement from (%)",
        "max_engagement" => "Engagement to (%)",
        "audience_country" => "Audience in country ≥",
        "audience_age" => "Audience age band ≥",
        "audience_gender" => "Audience gender ≥",
        "fresh_days" => "Data at most (days old)",
        "has_email" => "Email",
        "dnc" => "Do-not-contact",
        other => other,
    }
}

/// One value in the facet panel: a link that adds or removes it as a filter.
pub struct FacetItem {
    pub label: String,
    pub count: String,
    pub url: String,
    pub selected: bool,
}

pub struct FacetGroup {
    pub title: &'static str,
    pub items: Vec<FacetItem>,
}

/// The facet panel from the index's counts, each value toggling its filter.
fn facet_groups(base: &[(String, String)], f: &rapport_app::creators::FacetCounts, stages: &Stages) -> Vec<FacetGroup> {
    use rapport_app::creators::FacetCount;
    let group = |title: &'static str, key: &str, counts: &[FacetCount], multi: bool, label: &dyn Fn(&str) -> String| {
        let current: Vec<String> = base
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        // The eight largest values, and any value chosen beyond them (so it can be unchosen).
        let items = counts
            .iter()
            .enumerate()
            .filter(|(i, c)| *i < 8 || current.contains(&c.value))
            .map(|(_, c)| {
                let selected = current.contains(&c.value);
                let next: Vec<String> = if selected {
                    current.iter().filter(|v| **v != c.value).cloned().collect()
                } else if multi {
                    current.iter().cloned().chain(std::iter::once(c.value.clone())).collect()
                } else {
                    vec![c.value.clone()]
                };
                let mut p: Vec<(String, String)> = base.iter().filter(|(k, _)| k != key).cloned().collect();
                if !next.is_empty() {
                    p.push((key.to_string(), next.join(",")));
                }
                FacetItem {
                    label: label(&c.value),
                    count: crate::format::grouped(c.count as i64),
                    url: url_of(&p),
                    selected,
                }
            })
            .collect();
        FacetGroup { title, items }
    };
    let plain = |v: &str| v.to_string();
    let platform = |v: &str| Platform::parse(v).map(|p| p.label().to_string()).unwrap_or_else(|_| v.to_string());
    let stage = |v: &str| stages.label(v).to_string();
    let tier = |v: &str| {
        if v == creators::UNKNOWN_TIER { "No follower data".to_string() } else { crate::format::sentence(v) }
    };
    vec![
        group("Platform", "platform", &f.platforms, true, &platform),
        group("Tier", "tier", &f.tiers, false, &tier),
        group("Stage", "stage", &f.stages, true, &stage),
        group("Country", "country", &f.countries, true, &plain),
        group("Niche", "niche", &f.niches, true, &plain),
        group("Tag", "tag", &f.tags, true, &plain),
        group("Language", "language", &f.languages, true, &plain),
    ]
    .into_iter()
    .filter(|g| !g.items.is_empty())
    .collect()
}

/// The workspace's stages as options.
pub fn stage_opts(stages: &Stages, current: Option<&str>) -> Vec<Opt> {
    opts(stages.all().iter().map(|s| (s.slug.clone(), s.label.clone())), current)
}

pub fn platform_opts(current: Option<&str>) -> Vec<Opt> {
    opts(Platform::ALL.iter().map(|p| (p.slug().to_string(), p.label().to_string())), current)
}

/// Query-string pairs of a list query (non-empty ones), without `cursor` and `facets`.
pub fn pairs(q: &CreatorQuery) -> Vec<(String, String)> {
    let encoded = serde_urlencoded::to_string(q).unwrap_or_default();
    url::form_urlencoded::parse(encoded.as_bytes())
        .into_owned()
        .filter(|(k, v)| !v.trim().is_empty() && k != "cursor" && k != "facets")
        .collect()
}

/// `path?k=v&…` (or just `path`).
pub fn url_at(path: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return path.into();
    }
    let qs: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    format!("{path}?{qs}")
}

fn url_of(pairs: &[(String, String)]) -> String {
    url_at("/creators", pairs)
}

/// The export link for the list as filtered (all pages, not just this one).
fn export_url(pairs: &[(String, String)], format: &str) -> String {
    let mut p = pairs.to_vec();
    p.push(("format".into(), format.into()));
    url_at("/creators/export", &p)
}

/// A removable filter chip.
pub struct Chip {
    /// The query parameter it shows.
    pub key: String,
    pub label: String,
    pub remove_url: String,
}

pub struct SortLink {
    pub url: String,
    /// "", "ascending" or "descending" (for aria-sort).
    pub state: &'static str,
}

pub struct Row {
    pub id: String,
    pub name: String,
    pub initials: String,
    pub email: String,
    pub handles: Vec<(String, String)>,
    pub followers: String,
    /// The main account's engagement rate.
    pub engagement: String,
    /// The fit score the index holds (what "Best fit" sorts by), or "—".
    pub fit: String,
    pub tier: String,
    pub stage: String,
    pub stage_label: String,
    pub country: String,
    pub owner: String,
    pub updated: String,
    pub updated_exact: String,
    pub do_not_contact: bool,
}

#[derive(Template)]
#[template(path = "creators/list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    /// With no match: how many do-not-contact creators would match, and the link showing them.
    hidden_dnc: Option<(String, String)>,
    /// The platforms filtered by, when figures are filtered too: those filters look at each
    /// creator's largest account, whatever its platform.
    figures_note: Option<String>,
    total: String,
    total_n: i64,
    q: CreatorQuery,
    chips: Vec<Chip>,
    /// Where "Clear all" goes.
    clear_url: String,
    stages: Vec<Opt>,
    platforms: Vec<Opt>,
    tiers: Vec<Opt>,
    owners: Vec<Opt>,
    sort_name: SortLink,
    sort_followers: SortLink,
    sort_updated: SortLink,
    /// Engagement and fit headers sort only where the index lists (not a hand-picked list).
    sort_engagement: Option<SortLink>,
    sort_fit: Option<SortLink>,
    next_url: Option<String>,
    first_url: Option<String>,
    deleted: bool,
    deleted_url: String,
    live_url: String,
    export_csv: String,
    export_json: String,
    filtered: bool,
    errors: Vec<String>,
    facets: Vec<FacetGroup>,
    sorts: Vec<Opt>,
    /// Parameters the filter form has no field for, carried as hidden fields so that applying it
    /// keeps them.
    kept: Vec<(&'static str, String)>,
    more_open: bool,
    /// Hand-picked lists to add the ticked creators to.
    lists: Vec<Opt>,
    /// The list being shown, when filtered by one: (id, name).
    current_list: Option<(String, String)>,
    /// The filters as a query string (for “Save this search” and “add all results”).
    query_string: String,
    /// This page's address, to come back to after a bulk action.
    back: String,
}

fn label_of(key: &str, value: &str, owners: &[Opt], stages: &Stages) -> String {
    match key {
        "q" => format!("Search: {value}"),
        "stage" => {
            let labels: Vec<&str> = value.split(',').map(|v| stages.label(v.trim())).collect();
            format!("Stage: {}", labels.join(", "))
        }
        "platform" => format!("Platform: {}", Platform::parse(value).map(|p| p.label()).unwrap_or(value)),
        "tag" => format!("Tag: {value}"),
        "country" => format!("Country: {}", value.to_uppercase()),
        "tier" if value.eq_ignore_ascii_case(creators::UNKNOWN_TIER) => "No follower data".into(),
        "tier" => format!("Tier: {value}"),
        "owner" => {
            format!("Owner: {}", owners.iter().find(|o| o.value == value).map(|o| o.label.as_str()).unwrap_or(value))
        }
        "city" => format!("City: {value}"),
        "language" => format!("Language: {value}"),
        "niche" => format!("Niche: {value}"),
        "min_followers" => format!("Followers ≥ {value}"),
        "min_average_views" => format!("Avg views ≥ {value}"),
        "max_average_views" => format!("Avg views ≤ {value}"),
        "min_engagement" => format!("Engagement ≥ {value} %"),
        "max_engagement" => format!("Engagement ≤ {value} %"),
        "audience_country" | "audience_age" | "audience_gender" => {
            let (k, p) = value.rsplit_once(':').unwrap_or((value, ""));
            format!("Audience {k} ≥ {p} %")
        }
        "has_email" => {
            if value == "true" {
                "Has email".into()
            } else {
                "No email".into()
            }
        }
        "fresh_days" => format!("Data ≤ {value} days old"),
        "dnc" if value == "only" => "Do not contact only".into(),
        "dnc" => "Including do-not-contact".into(),
        "max_followers" => format!("Followers ≤ {value}"),
        "updated_since" => format!("Updated since {value}"),
        other => format!("{other}: {value}"),
    }
}

/// A chip per active filter of `base` (sort, page size and the deleted view are not
/// filters), each removing itself on the page at `path`.
pub fn chips(path: &str, base: &[(String, String)], owners: &[Opt], stages: &Stages) -> Vec<Chip> {
    base.iter()
        .filter(|(k, _)| !matches!(k.as_str(), "sort" | "limit" | "deleted"))
        .map(|(k, v)| Chip {
            key: k.clone(),
            label: label_of(k, v, owners, stages),
            remove_url: url_at(path, &base.iter().filter(|(k2, _)| k2 != k).cloned().collect::<Vec<_>>()),
        })
        .collect()
}

fn sort_link(q: &CreatorQuery, name: &str, default_desc: bool) -> SortLink {
    let current = q.sort_param();
    let (state, next) = if current == name {
        ("ascending", format!("-{name}"))
    } else if current == format!("-{name}") {
        ("descending", name.to_string())
    } else {
        ("", if default_desc { format!("-{name}") } else { name.to_string() })
    };
    let mut p: Vec<_> = pairs(q).into_iter().filter(|(k, _)| k != "sort").collect();
    p.push(("sort".into(), next));
    SortLink { url: url_of(&p), state }
}

/// A row of the list; `fit` is the creator's score from the index, if it has one.
pub fn row(c: &CreatorView, fit: Option<u8>, t: time::OffsetDateTime) -> Row {
    Row {
        id: c.id.to_string(),
        initials: initials(&c.display_name),
        name: c.display_name.clone(),
        email: c.primary_email.clone().unwrap_or_default(),
        handles: c
            .social_accounts
            .iter()
            .take(3)
            .map(|a| (Platform::parse(&a.platform).map(|p| p.label()).unwrap_or("").to_string(), a.handle.clone()))
            .collect(),
        followers: if c.max_followers > 0 { compact(c.max_followers) } else { "—".into() },
        engagement: c
            .social_accounts
            .first()
            .and_then(|a| a.engagement_rate_pct)
            .map(|e| format!("{e:.1} %"))
            .unwrap_or_else(|| "—".into()),
        fit: fit.map(|f| f.to_string()).unwrap_or_else(|| "—".into()),
        tier: c.tier.map(|t| t.slug().to_string()).unwrap_or_default(),
        stage_label: c.stage_label.clone(),
        stage: c.stage.clone(),
        country: c.country.clone().unwrap_or_default(),
        owner: c.owner_name.clone().unwrap_or_default(),
        updated: relative(c.updated_at, t),
        updated_exact: exact(c.updated_at),
        do_not_contact: c.do_not_contact,
    }
}

/// The workspace's members (and "No owner") as owner filter options.
pub async fn owner_opts(state: &AppState, session: &Session, current: Option<&str>) -> Result<Vec<Opt>, PageError> {
    let members = members::list(&state.app, session.ctx()).await?;
    let mut items = vec![("none".to_string(), "No owner".to_string())];
    items.extend(members.into_iter().map(|m| (m.user_id.to_string(), m.name)));
    Ok(opts(items, current))
}

async fn list_creators(
    State(state): State<AppState>,
    session: Session,
    flash: Flash,
    Params(q): Params<CreatorQuery>,
) -> Result<Response, PageError> {
    // Facet counts come from the search index, which answers every sort but name and
    // creation date, and no `updated_since`.
    let mut asked = q.clone();
    // The page always lists creators: a count alone (`limit=0`) is the API's.
    if asked.limit.as_deref().is_some_and(|l| l.trim().parse::<i64>() == Ok(0)) {
        asked.limit = None;
    }
    let sort = q.sort_param();
    let current_list = match q.shortlist.as_deref().filter(|s| !s.is_empty()) {
        Some(id) => {
            let id = id.parse().map_err(|_| AppError::NotFound)?;
            let l = rapport_app::shortlists::get(&state.app, session.ctx(), id).await?;
            Some((l.id.to_string(), l.name))
        }
        None => None,
    };
    if !matches!(sort.trim_start_matches('-'), "name" | "created_at")
        && q.updated_since.as_deref().is_none_or(str::is_empty)
        && current_list.is_none()
        && state.app.search.is_some()
    {
        asked.facets = Some("true".into());
    }
    let ((page, total), errors) = match creators::list_with_total(&state.app, session.ctx(), &asked).await {
        Ok(p) => (p, vec![]),
        Err(AppError::Invalid(inv)) => {
            // What was wrong with the filters, kept in the form to be fixed, and no rows:
            // creators listed without some of the filters shown above them would mislead.
            let errs = inv.errors.iter().map(|e| format!("{}: {}", field_label(&e.field), e.message)).collect();
            let none = creators::CreatorPage { items: vec![], next_cursor: None, total: Some(0), facets: None };
            ((none, 0), errs)
        }
        Err(e) => return Err(e.into()),
    };
    // Nothing found, and do-not-contact creators hidden: say whether one would have matched.
    let hidden_dnc = if total == 0 && errors.is_empty() && q.dnc.as_deref().is_none_or(str::is_empty) {
        let only = CreatorQuery {
            dnc: Some("only".into()),
            limit: Some("0".into()),
            facets: None,
            cursor: None,
            ..asked.clone()
        };
        match creators::list_with_total(&state.app, session.ctx(), &only).await {
            Ok((_, n)) if n > 0 => {
                let mut p: Vec<(String, String)> = pairs(&q).into_iter().filter(|(k, _)| k != "cursor").collect();
                p.push(("dnc".into(), "include".into()));
                Some((crate::format::grouped(n), url_of(&p)))
            }
            _ => None,
        }
    } else {
        None
    };
    let owners = owner_opts(&state, &session, q.owner.as_deref()).await?;
    let stages = rapport_app::pipeline::stages(&state.app, session.ctx()).await?;
    let base = pairs(&q);
    let mut chips = chips("/creators", &base, &owners, &stages);
    if let Some((_, name)) = &current_list {
        // The list by its name, not its id.
        chips.iter_mut().filter(|c| c.key == "shortlist").for_each(|c| c.label = format!("List: {name}"));
    }
    let next_url = page.next_cursor.as_ref().map(|c| {
        let mut p = base.clone();
        p.push(("cursor".into(), c.clone()));
        url_of(&p)
    });
    let first_url = q.cursor.as_ref().filter(|c| !c.is_empty()).map(|_| url_of(&base));
    let deleted = q.deleted.as_deref() == Some("true");
    let without_deleted: Vec<_> = base.iter().filter(|(k, _)| k != "deleted").cloned().collect();
    let mut with_deleted = without_deleted.clone();
    with_deleted.push(("deleted".into(), "true".into()));
    let ids = page.items.iter().map(|c| c.id.0).collect();
    let fits = rapport_app::search::fit_scores(&state.app, session.ctx(), ids).await?.unwrap_or_default();
    let t = now();
    let layout = Layout::new(&state, &session, "Creators", "creators", flash).await?;
    // Engagement, fit and relevance sorts are the search index's (within a hand-picked list too,
    // among its members).
    let index_sorts = state.app.search.is_some();
    let figures = [
        &q.min_followers, &q.max_followers, &q.tier, &q.min_engagement, &q.max_engagement, &q.audience_country,
        &q.audience_age, &q.audience_gender,
    ];
    let filled = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    let figures_note = q
        .platform
        .as_deref()
        .filter(|p| !p.trim().is_empty() && figures.iter().any(|v| filled(v)))
        .map(|p| {
            let labels: Vec<&str> = p.split(',').filter_map(|p| Platform::parse(p).ok()).map(|p| p.label()).collect();
            labels.join(" or ")
        })
        .filter(|labels| !labels.is_empty());
    let list = ListPage {
        layout,
        hidden_dnc,
        figures_note,
        rows: page.items.iter().map(|c| row(c, fits.get(&c.id.0).copied(), t)).collect(),
        total: crate::format::grouped(total),
        total_n: total,
        filtered: q.is_filtered(),
        chips,
        clear_url: if deleted { "/creators?deleted=true".into() } else { "/creators".into() },
        stages: stage_opts(&stages, q.stage.as_deref()),
        platforms: platform_opts(q.platform.as_deref()),
        tiers: opts(
            Tier::ALL
                .iter()
                .map(|t| (t.slug().to_string(), crate::format::sentence(t.slug())))
                .chain([(creators::UNKNOWN_TIER.to_string(), "No follower data".to_string())]),
            q.tier.as_deref(),
        ),
        owners,
        sort_name: sort_link(&q, "name", false),
        sort_followers: sort_link(&q, "followers", true),
        sort_updated: sort_link(&q, "updated_at", true),
        sort_engagement: index_sorts.then(|| sort_link(&q, "engagement", true)),
        sort_fit: index_sorts.then(|| sort_link(&q, "fit", true)),
        next_url,
        first_url,
        deleted,
        deleted_url: url_of(&with_deleted),
        export_csv: export_url(&base, "csv"),
        export_json: export_url(&base, "json"),
        live_url: url_of(&without_deleted),
        facets: page.facets.as_ref().map(|f| facet_groups(&base, f, &stages)).unwrap_or_default(),
        sorts: sort_opts(&q.sort_param(), index_sorts),
        kept: kept_params(&q),
        more_open: [
            &q.city, &q.language, &q.niche, &q.min_followers, &q.max_followers, &q.min_average_views,
            &q.max_average_views, &q.min_engagement, &q.max_engagement, &q.audience_country, &q.audience_age,
            &q.audience_gender, &q.has_email, &q.fresh_days, &q.dnc,
        ]
        .iter()
        .any(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty())),
        lists: rapport_app::shortlists::list(&state.app, session.ctx())
            .await?
            .into_iter()
            .filter(|l| l.kind == "static")
            .map(|l| Opt {
                selected: current_list.as_ref().is_some_and(|(id, _)| *id == l.id.to_string()),
                value: l.id.to_string(),
                label: l.name,
            })
            .collect(),
        query_string: url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&base).finish(),
        back: url_of(&base),
        current_list,
        q,
        errors,
    };
    Ok(Html(list.render()?).into_response())
}

#[derive(Deserialize)]
struct ExportFormat {
    format: Option<String>,
}

async fn export_creators(
    State(state): State<AppState>,
    session: Session,
    Query(f): Query<ExportFormat>,
    Params(q): Params<CreatorQuery>,
) -> Result<Response, PageError> {
    let format = rapport_app::export::Format::parse(f.format.as_deref().unwrap_or(""))?;
    Ok(crate::download::creators(state.app.clone(), session.ctx().clone(), q, format).await?)
}
