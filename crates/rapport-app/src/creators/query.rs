//! The one query model behind the creator list, the API and discovery search: URL
//! parameters (a search is a shareable link), validated into the store's keyset query or
//! routed to the search index when text, facets or audience filters are asked for.

use super::cache::Loaded;
use super::{CreatorView, Listed};
use crate::App;
use crate::context::Ctx;
use crate::error::AppResult;
use crate::settings::WorkspaceSettings;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rapport_core::Invalid;
use rapport_core::creators as domain;
use rapport_core::ids::UserId;
use rapport_core::platform::Platform;
use rapport_core::tier::{Tier, TierThresholds};
use rapport_search::{Facet, FacetSet};
use rapport_store::Conn;
use rapport_store::creators::{self as store, CursorKey, ListQuery, SortKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// The list query as it arrives in a URL (UI and API share it; a search is a link).
/// Lists are comma-separated: any of the values matches (tags: all must match).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CreatorQuery {
    /// Free text over names, handles, bio, niches, tags, tone notes and city (all words must
    /// match; accents and case are ignored).
    pub q: Option<String>,
    /// Lifecycle stages, e.g. `qualified,contacted`.
    pub stage: Option<String>,
    /// Tags; a creator must carry all of them.
    pub tag: Option<String>,
    /// Has an account on any of these platforms.
    pub platform: Option<String>,
    /// ISO 3166 alpha-2 countries.
    pub country: Option<String>,
    pub city: Option<String>,
    /// ISO 639 language codes the creator speaks.
    pub language: Option<String>,
    pub niche: Option<String>,
    /// A user id (`usr_…`) or `none` for creators without an owner.
    pub owner: Option<String>,
    /// Tier by largest following: nano, micro, mid, macro, mega (workspace boundaries), or
    /// unknown: no account reports a following.
    pub tier: Option<String>,
    pub min_followers: Option<String>,
    /// An upper bound leaves out creators whose following is unknown (`tier=unknown` finds them).
    pub max_followers: Option<String>,
    pub min_average_views: Option<String>,
    pub max_average_views: Option<String>,
    /// Engagement rate bounds in percent, e.g. `2.5`.
    pub min_engagement: Option<String>,
    pub max_engagement: Option<String>,
    /// Audience share in a country at least X %: `DE:30`.
    pub audience_country: Option<String>,
    /// Audience share in an age band at least X %: `18-24:40`.
    pub audience_age: Option<String>,
    /// Audience share of a gender at least X %: `female:60`.
    pub audience_gender: Option<String>,
    /// `true`: has a primary email; `false`: has none.
    pub has_email: Option<String>,
    /// Data freshness: metrics observed within this many days.
    pub fresh_days: Option<String>,
    /// RFC 3339 time or YYYY-MM-DD date (not combinable with text or discovery filters).
    pub updated_since: Option<String>,
    /// `include` also lists do-not-contact creators (hidden by default); `only` lists only
    /// them.
    pub dnc: Option<String>,
    /// `true` lists soft-deleted creators instead.
    pub deleted: Option<String>,
    /// Only members of this hand-picked shortlist (`sl_…`).
    pub shortlist: Option<String>,
    /// `true` adds facet counts over every match (platform, country, niche, tag, stage,
    /// tier, language); a comma-separated list of those names counts only them (the others
    /// come back empty), which saves reading their values for every match.
    pub facets: Option<String>,
    /// `updated_at`, `created_at`, `name`, `followers`, `engagement`, `fit`, `relevance`;
    /// prefix `-` for descending. Default `-updated_at`, or `relevance` with text.
    pub sort: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50); 0 asks for the count alone (`total`, and `facets` when
    /// asked for), which spares reading and sending a page.
    pub limit: Option<String>,
    /// `false` leaves `total` out of the page: counting every match is most of the work
    /// of a large filtered listing, and a client paging with the cursor may not need it.
    pub total: Option<String>,
}

/// The parameters a creator listing reads ([`CreatorQuery`]'s fields).
pub const LIST_PARAMETERS: &[&str] = &[
    "q", "stage", "tag", "platform", "country", "city", "language", "niche", "owner", "tier", "min_followers",
    "max_followers", "min_average_views", "max_average_views", "min_engagement", "max_engagement", "audience_country",
    "audience_age", "audience_gender", "has_email", "fresh_days", "updated_since", "dnc", "deleted", "shortlist",
    "facets", "sort", "cursor", "limit", "total",
];

/// Refuses the keys of a query string that neither a listing nor `also` reads, each named: a
/// mistyped filter (`platfrom=instagram`) would otherwise list, or export, every creator.
pub fn check_parameters(query: &str, also: &[&str]) -> Result<(), Invalid> {
    let mut e = Invalid::new();
    for (key, _) in url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
        if !LIST_PARAMETERS.contains(&key.as_ref()) && !also.contains(&key.as_ref()) && e.message_for(&key).is_none() {
            e.add(key.to_string(), "is not a parameter of the creator list (see GET /api/v1/openapi.json)");
        }
    }
    e.into_result(())
}

/// How a query is answered: by the database (keyset pages, always exact) or by the search
/// index (text, facets, discovery filters; offset pages).
#[derive(Debug, Clone)]
pub enum Plan {
    Store(Box<ListQuery>),
    Index(Box<rapport_search::SearchQuery>),
}

fn text(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn list_of(v: &Option<String>) -> Vec<&str> {
    text(v).map(|s| s.split(',').map(str::trim).filter(|s| !s.is_empty()).collect()).unwrap_or_default()
}

/// The most values one list filter takes (a longer list is refused: the databases cap the
/// size of a statement, and no one picks a hundred countries by hand).
const MAX_LIST_VALUES: usize = 100;

/// Parses each entry of a comma list with `f`, naming the parameter on failure.
fn each<T>(e: &mut Invalid, name: &str, v: &Option<String>, f: impl Fn(&str) -> Result<T, String>) -> Vec<T> {
    let mut out = Vec::new();
    let items = list_of(v);
    if items.len() > MAX_LIST_VALUES {
        e.add(name, format!("has {} values; at most {MAX_LIST_VALUES}", items.len()));
        return out;
    }
    for item in items {
        match f(item) {
            Ok(t) => out.push(t),
            Err(m) => e.add(name, m),
        }
    }
    out
}

/// A follower or view count as people write it: "10000", "10,000", "10 000", "10k", "1.2M".
fn count(e: &mut Invalid, name: &str, v: &Option<String>) -> Option<i64> {
    let s = text(v)?;
    match rapport_core::import::numbers::parse_whole_count(s) {
        Ok(Some(n)) if n >= 0 => Some(n),
        _ => {
            e.add(name, format!("“{s}” must be a whole number ≥ 0, such as 10000, 10k or 1.2M"));
            None
        }
    }
}

fn int(e: &mut Invalid, name: &str, v: &Option<String>) -> Option<i64> {
    text(v).and_then(|s| match s.replace(['_', ' '], "").parse::<i64>() {
        Ok(n) if n >= 0 => Some(n),
        _ => {
            e.add(name, "must be a whole number ≥ 0");
            None
        }
    })
}

fn percent(e: &mut Invalid, name: &str, v: &Option<String>) -> Option<f64> {
    text(v).and_then(|s| match s.trim_end_matches('%').trim().replace(',', ".").parse::<f64>() {
        Ok(x) if (0.0..=100.0).contains(&x) => Some(x),
        _ => {
            e.add(name, "must be a percentage between 0 and 100");
            None
        }
    })
}

/// Whether a listing counts every match: unless `total` says false (as any flag may).
fn counts_total(v: &Option<String>) -> bool {
    flag(&mut Invalid::new(), "total", v) != Some(false)
}

fn flag(e: &mut Invalid, name: &str, v: &Option<String>) -> Option<bool> {
    match text(v).map(str::to_ascii_lowercase).as_deref() {
        None => None,
        Some("true" | "1" | "yes") => Some(true),
        Some("false" | "0" | "no") => Some(false),
        Some(_) => {
            e.add(name, "must be true or false");
            None
        }
    }
}

/// `facets`: `true` / `false`, or a list of facet names.
fn facet_set(e: &mut Invalid, v: &Option<String>) -> FacetSet {
    match text(v) {
        None | Some("false" | "0") => FacetSet::NONE,
        Some("true" | "1") => FacetSet::ALL,
        Some(list) => {
            let mut asked = Vec::new();
            for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                match Facet::parse(name) {
                    Some(f) => asked.push(f),
                    None => {
                        let names: Vec<&str> = Facet::ALL.iter().map(|f| f.name()).collect();
                        e.add("facets", format!("“{name}” is not a facet: use true or some of {}", names.join(", ")));
                        return FacetSet::NONE;
                    }
                }
            }
            FacetSet::of(&asked)
        }
    }
}

/// `KEY:PERCENT` for the audience filters.
fn share(
    e: &mut Invalid,
    name: &str,
    v: &Option<String>,
    key: impl Fn(&str) -> Option<String>,
    help: &str,
) -> Option<(String, f64)> {
    let s = text(v)?;
    let parsed = s.rsplit_once(':').and_then(|(k, p)| {
        let p = p.trim().trim_end_matches('%').parse::<f64>().ok().filter(|p| (0.0..=100.0).contains(p))?;
        Some((key(k.trim())?, p))
    });
    if parsed.is_none() {
        e.add(name, format!("must be KEY:PERCENT, e.g. {help}"));
    }
    parsed
}

/// Sort keys of either engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    Store(SortKey),
    Relevance,
    Engagement,
    Fit,
}

fn parse_sort(s: &str) -> Option<(Sort, bool)> {
    let (desc, name) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let key = match name {
        "updated_at" => Sort::Store(SortKey::Updated),
        "created_at" => Sort::Store(SortKey::Created),
        "name" => Sort::Store(SortKey::Name),
        "followers" => Sort::Store(SortKey::Followers),
        "relevance" => Sort::Relevance,
        "engagement" => Sort::Engagement,
        "fit" => Sort::Fit,
        _ => return None,
    };
    Some((key, desc))
}

impl CreatorQuery {
    /// Parses a URL query string (`platform=tiktok&q=vegan`); paging and facet switches are
    /// left out, so a saved search or an export starts from the first page.
    pub fn from_query_string(q: &str) -> Result<CreatorQuery, Invalid> {
        let obj: serde_json::Map<String, Value> = url::form_urlencoded::parse(q.trim_start_matches('?').as_bytes())
            .into_owned()
            .filter(|(k, _)| k != "cursor" && k != "facets" && k != "total")
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        super::parse_json(Value::Object(obj))
    }

    /// Whether any filter (beyond sort, paging, deleted and do-not-contact) is set.
    pub fn is_filtered(&self) -> bool {
        [
            &self.q, &self.stage, &self.tag, &self.platform, &self.country, &self.city, &self.language, &self.niche,
            &self.owner, &self.tier, &self.min_followers, &self.max_followers, &self.min_average_views,
            &self.max_average_views, &self.min_engagement, &self.max_engagement, &self.audience_country,
            &self.audience_age, &self.audience_gender, &self.has_email, &self.fresh_days, &self.updated_since,
        ]
        .iter()
        .any(|v| text(v).is_some())
    }

    /// The sort as written, normalised: default `-updated_at`, or `relevance` with text.
    pub fn sort_param(&self) -> String {
        match text(&self.sort) {
            Some(s) => s.to_ascii_lowercase(),
            None if text(&self.q).is_some() => "relevance".into(),
            None => "-updated_at".into(),
        }
    }

    /// Validates every parameter (each problem named) and decides which engine answers.
    /// Without a search index, only what the database can answer is accepted.
    pub fn plan(&self, workspace_id: Uuid, tiers: &TierThresholds, index_available: bool) -> Result<Plan, Invalid> {
        let mut e = Invalid::new();
        // A profile URL pasted into the search box searches its handle.
        let q = text(&self.q).map(|s| match rapport_core::import::platform_from_url(s) {
            Some(p) => rapport_core::handle::parse(p, s).map_or_else(|_| s.to_owned(), |h| h.display),
            None => s.chars().take(200).collect::<String>(),
        });
        // Text of emoji or symbols alone has no word to match, and every creator would.
        if q.as_deref().is_some_and(|q| rapport_search::text_tokens(q).is_empty()) {
            e.add("q", "has no word to search for (words are letters and digits; emoji, symbols and words over 40 characters are not searched)");
        }
        let stages = each(&mut e, "stage", &self.stage, rapport_core::pipeline::parse_slug);
        let tags = each(&mut e, "tag", &self.tag, domain::label_value);
        let platforms = each(&mut e, "platform", &self.platform, |p| Platform::parse(p).map(|p| p.slug().to_owned()));
        let countries = each(&mut e, "country", &self.country, |c| {
            domain::country_code(c)
                .ok_or_else(|| format!("“{c}” is not a country (a name such as Germany, or a code such as DE)"))
        });
        let cities = each(&mut e, "city", &self.city, |c| Ok(c.to_owned()));
        let languages = each(&mut e, "language", &self.language, |l| {
            let l = l.to_ascii_lowercase();
            if (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_lowercase()) {
                Ok(l)
            } else {
                Err("must be ISO 639 language codes such as en".into())
            }
        });
        let niches = each(&mut e, "niche", &self.niche, domain::label_value);
        let (mut owner_id, mut unowned) = (None, false);
        match text(&self.owner) {
            Some("none") => unowned = true,
            Some(o) => owner_id = o.parse::<UserId>().map_err(|m| e.add("owner", m.to_string())).ok().map(|u| u.0),
            None => {}
        }
        let mut min_followers = count(&mut e, "min_followers", &self.min_followers);
        let mut max_followers = count(&mut e, "max_followers", &self.max_followers);
        // An upper bound finds creators whose figure is known and at most that (0 is stored
        // for an unknown one), so one below 1 could find no one.
        let at_least_one = "must be at least 1 (tier=unknown finds the creators without follower data)";
        if max_followers.is_some_and(|m| m < 1) {
            e.add("max_followers", at_least_one);
        }
        if let (Some(lo), Some(hi)) = (min_followers, max_followers)
            && lo > hi
        {
            e.add("max_followers", "must not be below min_followers");
        }
        // `tier=unknown`: the creators no account of whom reports a following (stored as 0).
        let mut unknown_following = false;
        if let Some(t) = text(&self.tier) {
            match Tier::parse(t) {
                Ok(tier) => {
                    let (lo, hi) = tiers.range(tier);
                    let given = (min_followers, max_followers);
                    min_followers = Some(min_followers.map_or(lo, |m| m.max(lo)));
                    if let Some(hi) = hi {
                        max_followers = Some(max_followers.map_or(hi - 1, |m| m.min(hi - 1)));
                    }
                    // A follower range outside the tier could find no one: say so, as for a range whose
                    // bounds are crossed.
                    let crossed = given.0.zip(given.1).is_some_and(|(lo, hi)| lo > hi);
                    if !crossed
                        && (given.0.is_some() || given.1.is_some())
                        && min_followers > max_followers.or(Some(i64::MAX))
                    {
                        let upto = hi.map_or("and more".to_string(), |h| format!("to {}", h - 1));
                        e.add(
                            "tier",
                            format!(
                                "{} is {lo} {upto} followers, outside min_followers–max_followers; change one of them",
                                tier.slug()
                            ),
                        );
                    }
                }
                Err(_) if t.eq_ignore_ascii_case(UNKNOWN_TIER) => {
                    if min_followers.is_some() || max_followers.is_some() {
                        e.add("tier", "unknown cannot be combined with min_followers or max_followers");
                    }
                    unknown_following = true;
                    max_followers = Some(0);
                }
                Err(m) => e.add("tier", format!("{m}, or {UNKNOWN_TIER} (no follower data)")),
            }
        }
        let mut min_views = count(&mut e, "min_average_views", &self.min_average_views);
        let max_views = count(&mut e, "max_average_views", &self.max_average_views);
        if max_views.is_some_and(|m| m < 1) {
            e.add("max_average_views", "must be at least 1 (creators whose views are unknown are in no range)");
        }
        let min_er = percent(&mut e, "min_engagement", &self.min_engagement);
        let max_er = percent(&mut e, "max_engagement", &self.max_engagement);
        // A range that can hold nothing is a mistake to name, as with followers.
        if let (Some(lo), Some(hi)) = (min_views, max_views)
            && lo > hi
        {
            e.add("max_average_views", "must not be below min_average_views");
        }
        if let (Some(lo), Some(hi)) = (min_er, max_er)
            && lo > hi
        {
            e.add("max_engagement", "must not be below min_engagement");
        }
        // A following or average views no account reports is stored as 0: an upper bound
        // alone must not take such creators for small ones (nor a nano tier filter, whose
        // range starts at 1).
        if max_followers.is_some() && !unknown_following {
            min_followers = Some(min_followers.unwrap_or(0).max(1));
        }
        if max_views.is_some() {
            min_views = Some(min_views.unwrap_or(0).max(1));
        }
        let audience_country = share(&mut e, "audience_country", &self.audience_country, domain::country_code, "DE:30");
        let audience_age = share(
            &mut e,
            "audience_age",
            &self.audience_age,
            |k| domain::AGE_BANDS.contains(&k).then(|| k.to_owned()),
            "18-24:40",
        );
        let audience_gender = share(
            &mut e,
            "audience_gender",
            &self.audience_gender,
            |k| {
                let k = k.to_ascii_lowercase();
                domain::GENDERS.contains(&k.as_str()).then_some(k)
            },
            "female:60",
        );
        let has_email = flag(&mut e, "has_email", &self.has_email);
        let fresh_days = int(&mut e, "fresh_days", &self.fresh_days);
        let updated_since = text(&self.updated_since).and_then(|s| {
            parse_time(s).or_else(|| {
                e.add("updated_since", "must be an RFC 3339 time or a YYYY-MM-DD date");
                None
            })
        });
        let (include_dnc, only_dnc) = match text(&self.dnc).map(str::to_ascii_lowercase).as_deref() {
            None | Some("exclude") => (false, false),
            Some("include") => (true, false),
            Some("only") => (true, true),
            Some(_) => {
                e.add("dnc", "must be include, exclude or only");
                (false, false)
            }
        };
        let deleted = flag(&mut e, "deleted", &self.deleted).unwrap_or(false);
        let shortlist = text(&self.shortlist).and_then(|s| {
            s.parse::<rapport_core::ids::ShortlistId>()
                .map(|id| id.0)
                .map_err(|m| e.add("shortlist", m.to_string()))
                .ok()
        });
        let facets = facet_set(&mut e, &self.facets);
        let sort_text = self.sort_param();
        let (mut sort, mut desc) = parse_sort(&sort_text).unwrap_or_else(|| {
            e.add("sort", "must be one of updated_at, created_at, name, followers, engagement, fit, relevance, optionally prefixed with -");
            (Sort::Store(SortKey::Updated), true)
        });
        if !index_available && text(&self.sort).is_none() && matches!(sort, Sort::Relevance) {
            // Without an index, search words are matched by the database, newest first.
            (sort, desc) = (Sort::Store(SortKey::Updated), true);
        }
        let mut limit = 50i64;
        if let Some(l) = text(&self.limit) {
            match l.parse::<i64>() {
                Ok(n) if (0..=200).contains(&n) => limit = n,
                _ => e.add("limit", "must be a whole number from 0 to 200 (0 for the count alone)"),
            }
        }
        if limit == 0 && !counts_total(&self.total) && facets.is_empty() {
            e.add("limit", "0 asks for the count alone, which total=false leaves out");
        }
        if limit == 0 && text(&self.cursor).is_some() {
            e.add("cursor", "a count alone (limit=0) has no pages: leave the cursor out");
        }
        let index_only = !cities.is_empty()
            || !languages.is_empty()
            || !niches.is_empty()
            || min_views.is_some()
            || max_views.is_some()
            || audience_country.is_some()
            || audience_age.is_some()
            || audience_gender.is_some()
            || has_email.is_some()
            || fresh_days.is_some()
            || !facets.is_empty()
            || stages.len() > 1
            || !matches!(sort, Sort::Store(_));
        // Several platforms or countries and engagement bounds: sorted by followers, the
        // database walks its (workspace, followers) index with these filters on each entry and
        // stops after a page, where the index would score every match to keep the top ones.
        // Otherwise they are the index's.
        let walkable = platforms.len() > 1 || countries.len() > 1 || min_er.is_some() || max_er.is_some();
        let walk = walkable
            && !index_only
            && q.is_none()
            && matches!(sort, Sort::Store(SortKey::Followers))
            && shortlist.is_none();
        let discovery = index_only || (walkable && !walk);
        // Within a hand-picked list, the index answers what the database cannot (search words,
        // discovery filters, facets, engagement and fit sorts) among the list's members, which the
        // caller gives it (`SearchQuery::ids`, see `plan`).
        let use_index = index_available && (discovery || q.is_some());
        if !index_available && discovery {
            let given = [
                ("city", &self.city),
                ("language", &self.language),
                ("niche", &self.niche),
                ("min_average_views", &self.min_average_views),
                ("max_average_views", &self.max_average_views),
                ("audience_country", &self.audience_country),
                ("audience_age", &self.audience_age),
                ("audience_gender", &self.audience_gender),
                ("has_email", &self.has_email),
                ("fresh_days", &self.fresh_days),
                ("facets", &self.facets),
                ("stage", &self.stage),
                ("sort", &self.sort),
                ("min_engagement", &self.min_engagement),
                ("max_engagement", &self.max_engagement),
                ("platform", &self.platform),
                ("country", &self.country),
            ];
            let field = given.iter().find(|(_, v)| text(v).is_some()).map_or("q", |(name, _)| *name);
            e.add(
                field,
                "needs the search index, which only a running server keeps: export through it \
                 (GET /api/v1/creators/export, or Export on the creator list)",
            );
        }
        if use_index {
            if updated_since.is_some() {
                e.add("updated_since", "cannot be combined with text search or discovery filters");
            }
            if matches!(sort, Sort::Store(SortKey::Created)) {
                e.add("sort", "created_at sorts cannot be combined with text search or discovery filters");
            }
        } else if matches!(sort, Sort::Relevance) {
            e.add("sort", "relevance needs search words in q");
        }
        let cursor = text(&self.cursor);
        if use_index {
            use rapport_search::{OwnerFilter, SearchQuery, SearchSort};
            let (after, score_basis) = match cursor {
                Some(c) => match decode_mark(c, &sort_text) {
                    Some((mark, basis)) => (Some(mark), basis),
                    None => {
                        e.add("cursor", "is not a cursor from this listing (was the sort changed?)");
                        (None, None)
                    }
                },
                None => (None, None),
            };
            let sort = match sort {
                Sort::Relevance => SearchSort::Relevance,
                Sort::Engagement => SearchSort::Engagement { desc },
                Sort::Fit => SearchSort::Fit { desc },
                Sort::Store(SortKey::Followers) => SearchSort::Followers { desc },
                Sort::Store(SortKey::Name) => SearchSort::Name { desc },
                Sort::Store(_) => SearchSort::Updated { desc },
            };
            let query = SearchQuery {
                workspace_id,
                text: q,
                platforms,
                countries,
                cities,
                languages,
                niches,
                tags,
                stages,
                min_followers,
                max_followers,
                min_average_views: min_views,
                max_average_views: max_views,
                min_engagement_pct: min_er,
                max_engagement_pct: max_er,
                audience_country,
                audience_age,
                audience_gender,
                owner: if unowned { Some(OwnerFilter::Unowned) } else { owner_id.map(OwnerFilter::Owner) },
                has_email,
                observed_since: fresh_days.map(|d| rapport_core::actor::now() - time::Duration::days(d)),
                include_do_not_contact: include_dnc,
                only_do_not_contact: only_dnc,
                deleted,
                // A list's members are read by the caller, which can read the database.
                ids: shortlist.map(|_| Vec::new()),
                sort,
                offset: 0,
                after,
                score_basis,
                limit: limit as usize,
                facets,
                uncounted: !counts_total(&self.total),
            };
            return e.into_result(Plan::Index(Box::new(query)));
        }
        let key = match sort {
            Sort::Store(k) => k,
            _ => SortKey::Updated,
        };
        let after = cursor.and_then(|c| {
            decode_cursor(c, &sort_text, key).or_else(|| {
                e.add("cursor", "is not a cursor from this listing (was the sort changed?)");
                None
            })
        });
        e.into_result(Plan::Store(Box::new(ListQuery {
            q,
            stage: stages.into_iter().next(),
            tags,
            platforms,
            countries,
            owner_id,
            unowned,
            min_followers,
            max_followers,
            min_engagement_pct: min_er,
            max_engagement_pct: max_er,
            updated_since,
            deleted,
            include_do_not_contact: include_dnc,
            only_do_not_contact: only_dnc,
            shortlist,
            sort: Some((key, desc)),
            after,
            limit,
            // Decided when the page is read, from the index's count.
            broad: false,
        })))
    }
}

fn parse_time(s: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    OffsetDateTime::parse(s, &Rfc3339).ok().or_else(|| {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(s, fmt).ok().map(|d| d.midnight().assume_utc())
    })
}

#[derive(Serialize, Deserialize)]
struct Cursor {
    s: String,
    k: Value,
    id: Uuid,
}

fn encode_cursor(sort: &str, key: &CursorKey, id: Uuid) -> String {
    let k = match key {
        CursorKey::Time(t) => {
            Value::String(t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default())
        }
        CursorKey::Text(s) => Value::String(s.clone()),
        CursorKey::Int(i) => Value::from(*i),
    };
    let json = serde_json::to_vec(&Cursor { s: sort.to_owned(), k, id }).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

fn decode_cursor(s: &str, sort: &str, key: SortKey) -> Option<(CursorKey, Uuid)> {
    let bytes = URL_SAFE_NO_PAD.decode(s).ok()?;
    let c: Cursor = serde_json::from_slice(&bytes).ok()?;
    if c.s != sort {
        return None;
    }
    let k = match key {
        SortKey::Updated | SortKey::Created => {
            CursorKey::Time(OffsetDateTime::parse(c.k.as_str()?, &time::format_description::well_known::Rfc3339).ok()?)
        }
        SortKey::Name => CursorKey::Text(c.k.as_str()?.to_owned()),
        SortKey::Followers => CursorKey::Int(c.k.as_i64()?),
    };
    Some((k, c.id))
}

/// A cursor for index pages: the sort and the last match of the page before (its sort key
/// and id as the index marks them), so the next page starts after that creator wherever
/// others moved meanwhile — never skipping or repeating one, and at any depth.
/// A search page's cursor: its sort, the match it follows and, sorted by relevance, what the
/// first page was scored with (so that later pages score as it did).
pub(crate) fn encode_mark(
    sort: &str,
    mark: rapport_search::Mark,
    basis: Option<&rapport_search::ScoreBasis>,
) -> String {
    let (key, id) = mark;
    let mut v = serde_json::json!({"s": sort, "k": key.to_string(), "i": id.to_string()});
    if let Some(b) = basis {
        v["b"] = b.encode().into();
    }
    URL_SAFE_NO_PAD.encode(v.to_string())
}

fn decode_mark(s: &str, sort: &str) -> Option<(rapport_search::Mark, Option<rapport_search::ScoreBasis>)> {
    let v: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(s).ok()?).ok()?;
    (v["s"].as_str()? == sort).then_some(())?;
    let basis = match v.get("b") {
        None => None,
        Some(b) => Some(rapport_search::ScoreBasis::decode(b.as_str()?)?),
    };
    Some(((v["k"].as_str()?.parse().ok()?, v["i"].as_str()?.parse().ok()?), basis))
}

/// Validates a query and decides its engine for the caller's workspace, whose stages
/// the `stage` filter must name.
pub async fn plan(app: &App, ctx: &Ctx, query: &CreatorQuery) -> AppResult<Plan> {
    let settings = crate::settings::load(&mut app.db.read().await?.conn(), ctx).await?;
    let mut plan = plan_with(app, ctx, &settings, query)?;
    with_list_members(app, ctx, query, &mut plan).await?;
    Ok(plan)
}

/// A `shortlist` must be a hand-picked list of the workspace (a saved search has no members:
/// its query is the way to its creators); an index search within it searches among its
/// members, read here.
async fn with_list_members(app: &App, ctx: &Ctx, query: &CreatorQuery, plan: &mut Plan) -> AppResult<()> {
    let Some(list) = text(&query.shortlist).and_then(|s| s.parse::<rapport_core::ids::ShortlistId>().ok()) else {
        return Ok(());
    };
    let mut r = app.db.read().await?;
    match rapport_store::shortlists::get(&mut r.conn(), ctx.ws(), list.0).await? {
        None => return Err(Invalid::one("shortlist", "is not a list of this workspace").into()),
        Some(l) if l.kind != "static" => {
            let how =
                format!("is a saved search, not a hand-picked list: list its creators with its query ({})", l.query);
            return Err(Invalid::one("shortlist", how).into());
        }
        Some(_) => {}
    }
    if let Plan::Index(q) = plan {
        q.ids = Some(rapport_store::shortlists::member_ids(&mut r.conn(), ctx.ws(), list.0).await?);
    }
    Ok(())
}

fn plan_with(app: &App, ctx: &Ctx, settings: &WorkspaceSettings, query: &CreatorQuery) -> AppResult<Plan> {
    let mut e = Invalid::new();
    let unknown =
        |stage: &&str| rapport_core::pipeline::parse_slug(stage).is_ok_and(|s| settings.stages.get(&s).is_none());
    if list_of(&query.stage).iter().any(unknown) {
        e.add("stage", settings.stages.not_one_of());
    }
    flag(&mut e, "total", &query.total);
    match query.plan(ctx.ws(), &settings.tiers, app.search.is_some()) {
        Ok(plan) => Ok(e.into_result(plan)?),
        Err(more) => {
            e.errors.extend(more.errors);
            Err(e.into())
        }
    }
}

/// Checks a list query's parameters without running it.
pub async fn check_query(app: &App, ctx: &Ctx, query: &CreatorQuery) -> AppResult<()> {
    plan(app, ctx, query).await.map(|_| ())
}

/// The `tier` filter value (and tier facet value) of creators without a known following,
/// who are in no tier.
pub use rapport_search::UNKNOWN_TIER;

/// A value and how many matching creators have it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// Counts over all matches, for the filter panel; a facet not asked for is empty.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct FacetCounts {
    pub platforms: Vec<FacetCount>,
    pub countries: Vec<FacetCount>,
    pub niches: Vec<FacetCount>,
    pub tags: Vec<FacetCount>,
    pub stages: Vec<FacetCount>,
    pub tiers: Vec<FacetCount>,
    pub languages: Vec<FacetCount>,
}

/// One page of creators.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatorPage {
    #[schema(value_type = Vec<CreatorView>)]
    pub items: Vec<Listed>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// How many creators match the filters in all; left out with `total=false`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
    /// With `facets=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<FacetCounts>,
}

/// What a listing reads before its query: the workspace's settings (tiers, stages) and the
/// change log's newest sequence number (the index answers only once it has applied it).
pub struct ListBasis {
    pub settings: WorkspaceSettings,
    pub latest_change: i64,
}

/// One page of the list. The workspace settings and the change log's position are read
/// once, in one statement, and serve the planner, the index and the page's views.
pub async fn list(app: &App, ctx: &Ctx, query: &CreatorQuery) -> AppResult<CreatorPage> {
    // The connection goes back to the pool before the index may have to catch up (which
    // takes one of its own).
    let (settings, latest_change) =
        crate::settings::load_with_latest_change(&mut app.db.read().await?.conn(), ctx).await?;
    list_from(app, ctx, ListBasis { settings, latest_change }, query).await
}

/// [`list`] with its basis read already — with the caller's credential, by
/// [`crate::api_keys::authenticate_for_listing`]. Read before anything the request writes.
pub async fn list_from(app: &App, ctx: &Ctx, basis: ListBasis, query: &CreatorQuery) -> AppResult<CreatorPage> {
    let ListBasis { settings, latest_change: latest } = basis;
    let mut plan = plan_with(app, ctx, &settings, query)?;
    with_list_members(app, ctx, query, &mut plan).await?;
    let counted = counts_total(&query.total);
    let mut page = match plan {
        Plan::Index(q) => {
            let listed = crate::search::Listed { settings: &settings, latest_change: latest };
            crate::search::list(app, ctx, listed, *q, &query.sort_param()).await?
        }
        Plan::Store(q) => {
            let mut r = app.db.read().await?;
            list_from_store(app, &mut r.conn(), ctx, (&settings, latest, counted), query, *q).await?
        }
    };
    if !counted {
        page.total = None;
    }
    Ok(page)
}

/// A page with the count of every match, whatever the query says about counting (for
/// pages and checks that need the count).
pub async fn list_with_total(app: &App, ctx: &Ctx, query: &CreatorQuery) -> AppResult<(CreatorPage, i64)> {
    let counted = CreatorQuery { total: None, ..query.clone() };
    let page = list(app, ctx, &counted).await?;
    let total = page.total.unwrap_or_default();
    Ok((page, total))
}

async fn list_from_store(
    app: &App,
    c: &mut Conn<'_>,
    ctx: &Ctx,
    (settings, latest, counted): (&WorkspaceSettings, i64, bool),
    query: &CreatorQuery,
    mut q: ListQuery,
) -> AppResult<CreatorPage> {
    if q.limit == 0 {
        // The count alone: no page to read.
        let total = match crate::search::count_listing(app, latest, ctx.ws(), &q).await? {
            Some(n) => n,
            None => store::count(c, ctx.ws(), &q).await?,
        };
        return Ok(CreatorPage { items: vec![], next_cursor: None, total: Some(total), facets: None });
    }
    // A country or follower bound could lead the database's planner to read every match through
    // its index and sort them; whether that beats walking the sort's own index depends on how
    // many match, which the index counts first. Otherwise the index counts (on a blocking
    // thread) while the database loads the page.
    let (key, _) = q.sort.unwrap_or((SortKey::Updated, true));
    let bounded = !q.countries.is_empty() || q.min_followers.is_some() || q.max_followers.is_some();
    let counted_first = if counted && bounded && key != SortKey::Followers {
        let n = crate::search::count_listing(app, latest, ctx.ws(), &q).await?;
        q.broad = n.is_some_and(|n| matches_broadly(app, n, q.limit));
        Some(n)
    } else {
        None
    };
    let page = async {
        // Sorted by followers, the index's projections find a page without testing every
        // creator on the way down the database's followers index.
        let mut loaded = match crate::search::page_by_followers(app, latest, ctx.ws(), &q).await? {
            // Found by the index caught up with the change log: its creator cache holds.
            Some(ids) => super::load_in_order_cached(app, c, ctx, &ids).await?,
            None => {
                let rows = store::list(c, ctx.ws(), &q).await?;
                Loaded::shared(super::with_relations(c, ctx, rows).await?)
            }
        };
        let next_cursor = if loaded.len() as i64 > q.limit {
            loaded.truncate(q.limit as usize);
            loaded.last().map(|l| encode_cursor(&query.sort_param(), &key.key_of(&l.row), l.row.id))
        } else {
            None
        };
        let items = super::listed::of_loaded(c, ctx, settings, &loaded, &HashMap::new()).await?;
        AppResult::Ok((items, next_cursor))
    };
    if !counted {
        let (items, next_cursor) = page.await?;
        return Ok(CreatorPage { items, next_cursor, total: None, facets: None });
    }
    let (by_index, page) = match counted_first {
        Some(n) => (Ok(n), page.await),
        None => tokio::join!(crate::search::count_listing(app, latest, ctx.ws(), &q), page),
    };
    let (items, next_cursor) = page?;
    let total = match by_index? {
        Some(n) => n,
        None => store::count(c, ctx.ws(), &q).await?,
    };
    Ok(CreatorPage { items, next_cursor, total: Some(total), facets: None })
}

/// Whether `matches` creators are so many that a page of `limit` is found sooner by walking
/// the sort's index, about `(limit + 1) × creators / matches` rows, than by reading all
/// `matches` through a filter's index and sorting them. The index's document count stands in
/// for the workspace's size: other workspaces' creators make it larger, which errs towards
/// reading the matches — the side whose cost is bounded by their number.
fn matches_broadly(app: &App, matches: i64, limit: i64) -> bool {
    let creators = app.search.as_ref().map_or(u64::MAX, |s| s.index().doc_count());
    let matches = u128::try_from(matches).unwrap_or(0);
    let page = u128::try_from(limit.saturating_add(1)).unwrap_or(1);
    matches * matches >= page * u128::from(creators)
}

/// A tag with how many live creators carry it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TagCount {
    pub tag: String,
    pub creators: i64,
}

pub async fn tags(app: &App, ctx: &Ctx) -> AppResult<Vec<TagCount>> {
    let rows = store::tag_counts(&mut app.db.read().await?.conn(), ctx.ws()).await?;
    Ok(rows.into_iter().map(|(tag, creators)| TagCount { tag, creators }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_an_index_words_are_the_databases_and_other_filters_are_named() {
        let plan = |q: CreatorQuery| q.plan(Uuid::nil(), &TierThresholds::default(), false);
        assert!(plan(CreatorQuery { q: Some("racetest".into()), ..CreatorQuery::default() }).is_ok());
        for (q, field) in [
            (CreatorQuery { niche: Some("travel".into()), ..CreatorQuery::default() }, "niche"),
            (CreatorQuery { min_engagement: Some("2".into()), ..CreatorQuery::default() }, "min_engagement"),
            (CreatorQuery { audience_country: Some("DE:30".into()), ..CreatorQuery::default() }, "audience_country"),
        ] {
            let e = plan(q).err().unwrap();
            assert_eq!(e.errors.len(), 1, "{e:?}");
            assert_eq!(e.errors[0].field, field);
            assert!(e.errors[0].message.contains("GET /api/v1/creators/export"), "{e:?}");
        }
    }

    #[test]
    fn the_parameter_list_is_every_field_of_the_query_and_nothing_else() {
        let fields = serde_json::to_value(CreatorQuery::default()).unwrap();
        let mut fields: Vec<&str> = fields.as_object().unwrap().keys().map(String::as_str).collect();
        fields.sort_unstable();
        let mut known = LIST_PARAMETERS.to_vec();
        known.sort_unstable();
        assert_eq!(fields, known);
        assert!(check_parameters("?platform=instagram&q=a&format=csv", &["format"]).is_ok());
        let e = check_parameters("platfrom=instagram&x=1&x=2", &[]).err().unwrap();
        let named: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(named, ["platfrom", "x"]);
    }

    #[test]
    fn a_list_filter_takes_at_most_a_hundred_values() {
        let values = |n: usize| Some((0..n).map(|i| format!("t{i}")).collect::<Vec<_>>().join(","));
        let plan = |q: CreatorQuery| q.plan(Uuid::nil(), &TierThresholds::default(), true);
        assert!(plan(CreatorQuery { tag: values(100), ..CreatorQuery::default() }).is_ok());
        for q in [
            CreatorQuery { tag: values(101), ..CreatorQuery::default() },
            CreatorQuery { city: values(1000), ..CreatorQuery::default() },
        ] {
            let e = plan(q).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.contains("values; at most 100"), "{e}");
        }
    }

    fn cursor_error(cursor: String) -> String {
        let q = CreatorQuery { niche: Some("food".into()), cursor: Some(cursor), ..CreatorQuery::default() };
        match q.plan(Uuid::nil(), &TierThresholds::default(), true) {
            Err(e) => e.errors.iter().filter(|f| f.field == "cursor").map(|f| f.message.clone()).collect(),
            Ok(_) => String::new(),
        }
    }

    #[test]
    fn a_search_cursor_names_its_sort_and_the_match_it_follows() {
        let sort = CreatorQuery::default().sort_param();
        let mark = (u128::MAX - 7, 0x0123_4567_89ab_cdef_u128 << 60);
        assert_eq!(decode_mark(&encode_mark(&sort, mark, None), &sort), Some((mark, None)));
        assert_eq!(cursor_error(encode_mark(&sort, mark, None)), "");
        let basis = rapport_search::ScoreBasis::decode("1000-3:52000-ab:12,cd:0");
        assert!(basis.is_some());
        assert_eq!(decode_mark(&encode_mark(&sort, mark, basis.as_ref()), &sort), Some((mark, basis)));
        assert_eq!(decode_mark(&encode_mark("-fit", mark, None), &sort), None, "another sort's cursor");
        assert!(cursor_error(encode_mark("-fit", mark, None)).contains("is not a cursor from this listing"));
        assert!(cursor_error("nonsense".into()).contains("is not a cursor from this listing"));
    }
}
