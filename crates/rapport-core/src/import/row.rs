//! One data row → a creator input with its accounts, or every problem in it, each named
//! by field and column.

use super::countries;
use super::mapping::{Field, Mapping, Metric, Target};
use super::numbers::{email_cell, is_blank, parse_bool, parse_count, parse_percent, split_list};
use super::read::column_letter;
use crate::creators::{self, AccountDraft, AccountInput, ContactInput, ContactPoint, CreatorInput};
use crate::ids::CreatorId;
use crate::platform::Platform;
use crate::validation::FieldError;
use std::collections::{BTreeMap, BTreeSet};
use time::OffsetDateTime;

/// Where an account's metrics came from, recorded on imported accounts.
pub const ACCOUNT_SOURCE: &str = "csv import";

/// Settings that apply to every row of an import.
#[derive(Debug, Clone, Copy)]
pub struct RowOptions {
    /// The platform of handles whose row names none (no Platform column, not a URL).
    pub default_platform: Option<Platform>,
    /// When the metrics were observed.
    pub now: OffsetDateTime,
}

/// What one row says about a creator. Blank cells say nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// Rapport's id, when the file has an Id column (Rapport's own export).
    pub id: Option<CreatorId>,
    /// The given fields as input; `display_name` falls back to the first handle.
    pub input: CreatorInput,
    /// The creator fields with a value in this row (an update changes only these).
    pub given: BTreeSet<Field>,
    /// The display name was taken from a handle, not from a column.
    pub name_from_handle: bool,
    /// Email, phone and website, validated and normalised.
    pub contacts: Vec<ContactPoint>,
    /// The accounts, validated; figures the row leaves blank are `None`.
    pub accounts: Vec<AccountDraft>,
    /// Custom fields with a value in this row: each field's name and its cell as written
    /// (its type is decided against the creator's current value, see
    /// [`creators::custom_field_from_text`]). An update changes only these.
    pub custom: Vec<(String, String)>,
}

impl ImportRow {
    /// The normalised email, the key for matching by email.
    pub fn email(&self) -> Option<&str> {
        self.contacts.iter().find(|c| c.kind == "email").map(|c| c.normalized.as_str())
    }
}

#[derive(Default)]
struct Slot {
    handle: Option<(String, usize)>,
    url: Option<(String, usize)>,
    platform: Option<(String, usize)>,
    followers: Option<(i64, usize)>,
    average_views: Option<(i64, usize)>,
    engagement: Option<(f64, usize)>,
}

impl Slot {
    fn is_empty(&self) -> bool {
        self.handle.is_none()
            && self.url.is_none()
            && self.followers.is_none()
            && self.average_views.is_none()
            && self.engagement.is_none()
    }

    fn fill_from(&mut self, other: Slot) {
        self.handle = self.handle.take().or(other.handle);
        self.url = self.url.take().or(other.url);
        self.followers = self.followers.take().or(other.followers);
        self.average_views = self.average_views.take().or(other.average_views);
        self.engagement = self.engagement.take().or(other.engagement);
    }
}

struct Row<'a> {
    headers: &'a [String],
    cells: &'a [String],
    errors: Vec<FieldError>,
}

impl Row<'_> {
    /// "column C “E-mail”".
    fn column(&self, i: usize) -> String {
        format!("column {} “{}”", column_letter(i), self.headers.get(i).map_or("", |h| h.as_str()))
    }

    fn value(&self, i: usize) -> String {
        let v = self.cells.get(i).map_or("", |c| c.trim());
        let short: String = v.chars().take(60).collect();
        if short.len() < v.len() { format!("{short}…") } else { short }
    }

    /// An error about column `i`; `show_value` adds what the cell holds.
    fn error(&mut self, field: impl Into<String>, i: usize, message: &str, show_value: bool) {
        let at = if show_value { format!("{}: “{}”", self.column(i), self.value(i)) } else { self.column(i) };
        self.errors.push(FieldError { field: field.into(), message: format!("{message} ({at})") });
    }
}

/// Turns one row into an [`ImportRow`], or lists every problem in it.
pub fn to_row(
    mapping: &Mapping,
    headers: &[String],
    cells: &[String],
    options: &RowOptions,
) -> Result<ImportRow, Vec<FieldError>> {
    let mut row = Row { headers, cells, errors: vec![] };
    let mut input = CreatorInput::default();
    let mut given = BTreeSet::new();
    let mut field_column: BTreeMap<Field, usize> = BTreeMap::new();
    let mut contacts: Vec<(ContactInput, usize, Field)> = Vec::new();
    let mut id = None;
    let mut generic = Slot::default();
    let mut slots: BTreeMap<Platform, Slot> = BTreeMap::new();
    let mut city_country = None;
    let mut custom: Vec<(String, String)> = Vec::new();
    // First and last name cells, with their columns.
    let mut first_last: [Option<(&str, usize)>; 2] = [None, None];
    for (i, target) in mapping.columns.iter().enumerate() {
        let raw = crate::spreadsheet::unescape_formula(cells.get(i).map_or("", |c| c.trim()));
        // "NA" is how a sheet says "not available" — and Namibia's country code, in a country column.
        let namibia = *target == Target::Creator(Field::Country) && raw.eq_ignore_ascii_case("na");
        if is_blank(raw) && !namibia {
            continue;
        }
        if raw.contains(['\n', '\r']) && !multi_line(*target) {
            // A quote opening a cell that a quote on a later line closes takes the lines between into
            // that one cell, and with them whole rows; the reader cannot tell, but a name, a handle or
            // a figure never spans lines.
            row.error(
                target.key(),
                i,
                "holds a line break: a double quote in this row probably opens a cell that a quote on a later \
                 line closes, taking the rows between into it — check the quotes in the file",
                true,
            );
            continue;
        }
        let text = Some(raw.to_owned());
        match *target {
            Target::Ignore => {}
            Target::Id => match raw.parse::<CreatorId>() {
                Ok(v) => id = Some(v),
                Err(e) => row.error("id", i, &e.to_string(), true),
            },
            Target::Creator(f) => {
                given.insert(f);
                field_column.entry(f).or_insert(i);
                match f {
                    Field::DisplayName => input.display_name = text,
                    Field::LegalName => input.legal_name = text,
                    Field::Pronouns => input.pronouns = text,
                    Field::City => match city_and_country(raw) {
                        Some((city, code)) => {
                            input.city = city.map(str::to_owned);
                            city_country = Some((code, i));
                        }
                        None => input.city = text,
                    },
                    Field::Timezone => input.timezone = text,
                    Field::Stage => input.stage = text,
                    Field::Source => input.source = text,
                    Field::Bio => input.bio = text,
                    Field::ToneNotes => input.tone_notes = text,
                    Field::FirstName => first_last[0] = Some((raw, i)),
                    Field::LastName => first_last[1] = Some((raw, i)),
                    Field::Country => {
                        input.country = Some(countries::code_for(raw).map_or_else(|| raw.to_owned(), str::to_owned));
                    }
                    Field::Languages => input
                        .languages
                        .get_or_insert_with(Vec::new)
                        .extend(split_list(raw).into_iter().map(|l| super::languages::code_for(&l).unwrap_or(l))),
                    Field::Niches => input.niches.get_or_insert_with(Vec::new).extend(split_list(raw)),
                    Field::Tags => input.tags.get_or_insert_with(Vec::new).extend(split_list(raw)),
                    Field::DoNotContact => match parse_bool(raw) {
                        Ok(v) => input.do_not_contact = v,
                        Err(m) => row.error(f.key(), i, &m, false),
                    },
                    Field::Email => {
                        // Several addresses in one cell each become a contact point; the
                        // first is the primary one.
                        for (k, address) in email_cell(raw).into_iter().enumerate() {
                            let c = ContactInput { kind: Some(f.key().into()), value: Some(address), primary: k == 0 };
                            contacts.push((c, i, f));
                        }
                    }
                    Field::Phone | Field::Website => {
                        // "a; b", as Rapport's export writes several.
                        for value in raw.split(';').map(str::trim).filter(|v| !v.is_empty()) {
                            let c =
                                ContactInput { kind: Some(f.key().into()), value: Some(value.into()), primary: false };
                            contacts.push((c, i, f));
                        }
                    }
                }
            }
            Target::CustomField => {
                // The mapping's check has refused a header that names no field.
                if let Some(name) = headers.get(i).and_then(|h| super::custom_field_name(h)) {
                    custom.push((name, raw.to_owned()));
                }
            }
            Target::Platform => generic.platform = Some((raw.to_owned(), i)),
            Target::ProfileUrl => generic.url = Some((raw.to_owned(), i)),
            Target::Account(p, m) => {
                let slot = match p {
                    Some(p) => slots.entry(p).or_default(),
                    None => &mut generic,
                };
                let field = target.key();
                match m {
                    Metric::Handle => slot.handle = Some((raw.to_owned(), i)),
                    Metric::Followers | Metric::AverageViews => match parse_count(raw) {
                        Ok(Some(n)) if m == Metric::Followers => slot.followers = Some((n, i)),
                        Ok(Some(n)) => slot.average_views = Some((n, i)),
                        Ok(None) => {}
                        Err(msg) => row.error(field, i, &msg, false),
                    },
                    Metric::EngagementRate => match parse_percent(raw) {
                        Ok(Some(v)) => slot.engagement = Some((v, i)),
                        Ok(None) => {}
                        Err(msg) => row.error(field, i, &msg, false),
                    },
                }
            }
        }
    }
    // First and last name columns are the display name when no column gives one.
    if input.display_name.is_none() && first_last.iter().any(Option::is_some) {
        let parts = first_last;
        input.display_name = Some(parts.iter().flatten().map(|(v, _)| *v).collect::<Vec<_>>().join(" "));
        given.insert(Field::DisplayName);
        if let Some((_, i)) = parts.into_iter().flatten().next() {
            field_column.entry(Field::DisplayName).or_insert(i);
        }
    }
    // A location's country counts when no Country column says otherwise.
    if let Some((code, i)) = city_country
        && input.country.is_none()
    {
        input.country = Some(code.to_owned());
        given.insert(Field::Country);
        field_column.entry(Field::Country).or_insert(i);
    }
    place_generic(&mut row, generic, &mut slots, options);
    let accounts = accounts(&mut row, slots, options, &mut input);
    if input.display_name.is_none() {
        input.display_name = accounts.first().map(|a| a.handle.display.clone());
    }
    let name_from_handle = !given.contains(&Field::DisplayName) && input.display_name.is_some();
    input.contact_points = (!contacts.is_empty()).then(|| contacts.iter().map(|(c, _, _)| c.clone()).collect());
    input.custom_fields = (!custom.is_empty())
        .then(|| custom.iter().map(|(k, v)| (k.clone(), creators::custom_field_from_text(v, None))).collect());
    let contacts = validate_creator(&mut row, &input, &contacts, &field_column);
    if row.errors.is_empty() {
        Ok(ImportRow { id, input, given, name_from_handle, contacts, accounts, custom })
    } else {
        Err(row.errors)
    }
}

/// Whether a column mapped to `target` may hold line breaks (free text, or a list that can put
/// each value on its own line).
fn multi_line(target: Target) -> bool {
    match target {
        Target::Ignore | Target::CustomField => true,
        Target::Creator(f) => {
            matches!(f, Field::Bio | Field::ToneNotes | Field::Tags | Field::Niches | Field::Languages)
        }
        _ => false,
    }
}

/// A location's city and country: "Berlin, Germany", "New York, NY, USA" (a location ending
/// in a country's name or alpha-3 code), "London, UK", or a country alone ("United States";
/// a city-state's name is both: "Singapore"). Other two letters after a comma are left alone:
/// "Springfield, IL" is a state, not Israel, and "Dover, DE" may be Delaware.
fn city_and_country(raw: &str) -> Option<(Option<&str>, &'static str)> {
    let Some((city, country)) = raw.rsplit_once(',') else {
        let raw = raw.trim();
        if raw.chars().count() <= 2 {
            return None;
        }
        let code = countries::code_for(raw)?;
        let city = (CITY_STATES.contains(&code) && raw.chars().count() > 3).then_some(raw);
        return Some((city, code));
    };
    let (city, country) = (city.trim(), country.trim());
    if city.is_empty() || (country.chars().count() <= 2 && !country.eq_ignore_ascii_case("uk")) {
        return None;
    }
    Some((Some(city), countries::code_for(country)?))
}

/// Countries whose city goes by the country's name, so that a location of that name alone is
/// the city as well as the country.
const CITY_STATES: [&str; 10] = ["SG", "MC", "HK", "MO", "VA", "GI", "SM", "LU", "KW", "DJ"];

fn place_generic(row: &mut Row<'_>, generic: Slot, slots: &mut BTreeMap<Platform, Slot>, options: &RowOptions) {
    if generic.is_empty() {
        return;
    }
    if generic.handle.is_none() && generic.url.is_none() {
        for (m, col) in [
            (Metric::Followers, generic.followers.map(|v| v.1)),
            (Metric::AverageViews, generic.average_views.map(|v| v.1)),
            (Metric::EngagementRate, generic.engagement.map(|v| v.1)),
        ] {
            if let Some(i) = col {
                row.error(m.key(), i, "is given but the row has no handle or profile URL", false);
            }
        }
        return;
    }
    let from_url =
        generic.url.iter().chain(generic.handle.iter()).find_map(|(v, i)| super::platform_from_url(v).map(|p| (p, *i)));
    let platform = match &generic.platform {
        Some((name, i)) => match Platform::parse(name) {
            Ok(p) => Some(p),
            Err(m) => {
                row.error("platform", *i, &m, true);
                return;
            }
        },
        None => from_url.map(|(p, _)| p).or(options.default_platform),
    };
    let Some(platform) = platform else {
        let i = generic.handle.as_ref().or(generic.url.as_ref()).map_or(0, |(_, i)| *i);
        let field = if generic.handle.is_some() { "handle" } else { "profile_url" };
        row.error(
            field,
            i,
            "does not say which platform it is on: map a Platform column, use profile URLs, or choose a default platform",
            true,
        );
        return;
    };
    slots.entry(platform).or_default().fill_from(generic);
}

fn absolute_url(v: &str) -> String {
    let l = v.to_ascii_lowercase();
    if l.starts_with("http://") || l.starts_with("https://") { v.to_owned() } else { format!("https://{v}") }
}

fn accounts(
    row: &mut Row<'_>,
    slots: BTreeMap<Platform, Slot>,
    options: &RowOptions,
    input: &mut CreatorInput,
) -> Vec<AccountDraft> {
    let mut drafts = Vec::new();
    let mut inputs = Vec::new();
    for (platform, slot) in slots {
        let key = |m: Metric| Target::Account(Some(platform), m).key();
        let Some((src, src_col)) = slot.handle.clone().or_else(|| slot.url.clone()) else {
            for (m, col) in [
                (Metric::Followers, slot.followers.map(|v| v.1)),
                (Metric::AverageViews, slot.average_views.map(|v| v.1)),
                (Metric::EngagementRate, slot.engagement.map(|v| v.1)),
            ] {
                if let Some(i) = col {
                    let msg = format!("is given but the row has no {} handle or profile URL", platform.label());
                    row.error(key(m), i, &msg, false);
                }
            }
            continue;
        };
        let account = AccountInput {
            platform: Some(platform.slug().into()),
            handle: Some(src),
            url: slot.url.as_ref().map(|(u, _)| absolute_url(u)),
            followers: slot.followers.map(|v| v.0),
            average_views: slot.average_views.map(|v| v.0),
            engagement_rate_pct: slot.engagement.map(|v| v.0),
            source: Some(ACCOUNT_SOURCE.into()),
            ..Default::default()
        };
        match creators::validate_account(&account, "", options.now) {
            Ok(d) => drafts.push(d),
            Err(e) => {
                for fe in e.errors {
                    let (field, col) = match fe.field.as_str() {
                        "followers" => (key(Metric::Followers), slot.followers.map(|v| v.1)),
                        "average_views" => (key(Metric::AverageViews), slot.average_views.map(|v| v.1)),
                        "engagement_rate_pct" => (key(Metric::EngagementRate), slot.engagement.map(|v| v.1)),
                        "url" => ("profile_url".to_string(), slot.url.as_ref().map(|v| v.1)),
                        _ => (key(Metric::Handle), Some(src_col)),
                    };
                    row.error(field, col.unwrap_or(src_col), &fe.message, true);
                }
            }
        }
        inputs.push(account);
    }
    input.social_accounts = (!inputs.is_empty()).then_some(inputs);
    drafts
}

/// Validates the creator fields the row gives, naming the column of each problem, and
/// returns the validated contact points.
fn validate_creator(
    row: &mut Row<'_>,
    input: &CreatorInput,
    contacts: &[(ContactInput, usize, Field)],
    field_column: &BTreeMap<Field, usize>,
) -> Vec<ContactPoint> {
    let mut probe = CreatorInput { social_accounts: None, ..input.clone() };
    let missing_name = probe.display_name.is_none();
    if missing_name {
        // Whether a name is needed depends on the mode (an update may match by email).
        probe.display_name = Some("-".into());
    }
    match creators::validate(&probe) {
        Ok(d) => d.contact_points,
        Err(e) => {
            for fe in e.errors {
                if let Some(rest) = fe.field.strip_prefix("contact_points.") {
                    let idx: Option<usize> = rest.split('.').next().and_then(|n| n.parse().ok());
                    if let Some((_, col, f)) = idx.and_then(|n| contacts.get(n)) {
                        row.error(f.key(), *col, &fe.message, true);
                        continue;
                    }
                }
                let top = fe.field.split('.').next().unwrap_or("");
                match Field::ALL.iter().find(|f| f.key() == top).and_then(|f| field_column.get(f).map(|c| (f, c))) {
                    Some((f, col)) => row.error(f.key(), *col, &fe.message, true),
                    None => row.errors.push(fe),
                }
            }
            vec![]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(default_platform: Option<Platform>) -> RowOptions {
        RowOptions { default_platform, now: time::macros::datetime!(2026-11-02 10:00 UTC) }
    }

    fn convert(headers: &[&str], cells: &[&str], default: Option<Platform>) -> Result<ImportRow, Vec<FieldError>> {
        let hs: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        let cs: Vec<String> = cells.iter().map(|s| s.to_string()).collect();
        let m = Mapping::suggest(&hs, &[]);
        to_row(&m, &hs, &cs, &opts(default))
    }

    #[test]
    fn a_typical_row_becomes_a_creator_with_an_account() {
        let r = convert(
            &["Full name", "Username", "Followers", "Engagement rate", "Country", "Email", "Tags"],
            &["Élodie Martin", "@elodie.cuisine", "1,2M", "3,4 %", "France", "Elodie@Example.fr", "#food, Paris"],
            Some(Platform::Instagram),
        )
        .unwrap();
        assert_eq!(r.input.display_name.as_deref(), Some("Élodie Martin"));
        assert_eq!(r.input.country.as_deref(), Some("FR"));
        assert_eq!(r.input.tags, Some(vec!["food".to_string(), "Paris".to_string()]));
        assert_eq!(r.email(), Some("elodie@example.fr"));
        let a = &r.accounts[0];
        assert_eq!((a.platform, a.handle.normalized.as_str()), (Platform::Instagram, "elodie.cuisine"));
        assert_eq!(a.followers, Some(1_200_000));
        assert_eq!(a.engagement_rate_pct, Some(3.4));
        assert_eq!(a.source, ACCOUNT_SOURCE);
        assert!(r.given.contains(&Field::Tags) && !r.given.contains(&Field::Bio));
    }

    #[test]
    fn the_platform_comes_from_a_column_then_the_url_then_the_default() {
        let r = convert(&["Handle", "Platform"], &["lena", "TikTok"], Some(Platform::Instagram)).unwrap();
        assert_eq!(r.accounts[0].platform, Platform::Tiktok);
        let r = convert(&["Profile URL"], &["https://www.youtube.com/@LenaBakes"], Some(Platform::Instagram)).unwrap();
        assert_eq!(r.accounts[0].platform, Platform::Youtube);
        assert_eq!(r.accounts[0].handle.display, "LenaBakes");
        assert_eq!(r.accounts[0].url.as_deref(), Some("https://www.youtube.com/@LenaBakes"));
        let r = convert(&["Handle", "Profile URL"], &["lena", "instagram.com/lena"], None).unwrap();
        assert_eq!(r.accounts[0].platform, Platform::Instagram);
        assert_eq!(r.accounts[0].url.as_deref(), Some("https://instagram.com/lena"));
        let err = convert(&["Handle"], &["lena"], None).unwrap_err();
        assert_eq!(err[0].field, "handle");
        assert!(err[0].message.contains("choose a default platform"), "{err:?}");
    }

    #[test]
    fn an_email_cell_with_several_addresses_gives_each_its_contact_point() {
        let r = convert(
            &["Name", "Emails", "Country"],
            &["Lena", "Lena B <a1@example.com>; mailto:b1@example.com", "UK"],
            None,
        )
        .unwrap();
        let emails: Vec<(&str, bool)> = r.contacts.iter().map(|c| (c.normalized.as_str(), c.primary)).collect();
        assert_eq!(emails, vec![("a1@example.com", true), ("b1@example.com", false)]);
        assert_eq!(r.email(), Some("a1@example.com"));
        assert_eq!(r.input.country.as_deref(), Some("GB"), "UK is the United Kingdom's usual name");
        let r = convert(&["Name", "Languages"], &["Lena", "German, English; fr"], None).unwrap();
        assert_eq!(r.input.languages, Some(vec!["de".to_string(), "en".into(), "fr".into()]), "names become codes");
    }

    #[test]
    fn first_and_last_names_make_the_display_name() {
        let r = convert(&["First Name", "Last Name", "Email"], &["Lena", "Fischer", "l@example.com"], None).unwrap();
        assert_eq!(r.input.display_name.as_deref(), Some("Lena Fischer"));
        assert!(r.given.contains(&Field::DisplayName) && !r.name_from_handle);
        let r = convert(&["First Name", "Last Name", "Email"], &["Lena", "", "l@example.com"], None).unwrap();
        assert_eq!(r.input.display_name.as_deref(), Some("Lena"));
        let r = convert(&["Name", "First Name"], &["Lena Bakes", "Lena"], None).unwrap();
        assert_eq!(r.input.display_name.as_deref(), Some("Lena Bakes"), "a display name column wins");
    }

    #[test]
    fn a_location_ending_in_a_country_gives_the_city_and_the_country() {
        let r = convert(&["Name", "Location"], &["Lena", "Berlin, Germany"], None).unwrap();
        assert_eq!((r.input.city.as_deref(), r.input.country.as_deref()), (Some("Berlin"), Some("DE")));
        let r = convert(&["Name", "Location"], &["Lena", "New York, NY, USA"], None).unwrap();
        assert_eq!((r.input.city.as_deref(), r.input.country.as_deref()), (Some("New York, NY"), Some("US")));
        let r = convert(&["Name", "Location"], &["Lena", "London, UK"], None).unwrap();
        assert_eq!((r.input.city.as_deref(), r.input.country.as_deref()), (Some("London"), Some("GB")));
        let r = convert(&["Name", "Location"], &["Lena", "United States"], None).unwrap();
        assert_eq!((r.input.city, r.input.country.as_deref()), (None, Some("US")), "a country alone");
        let r = convert(&["Name", "City"], &["Lena", "Singapore"], None).unwrap();
        assert_eq!(
            (r.input.city.as_deref(), r.input.country.as_deref()),
            (Some("Singapore"), Some("SG")),
            "a city-state"
        );
        let r = convert(&["Name", "City"], &["Lena", "Hong Kong"], None).unwrap();
        assert_eq!((r.input.city.as_deref(), r.input.country.as_deref()), (Some("Hong Kong"), Some("HK")));
        let r = convert(&["Name", "Location"], &["Lena", "Berlin"], None).unwrap();
        assert_eq!((r.input.city.as_deref(), r.input.country), (Some("Berlin"), None));
        let r = convert(&["Name", "Location"], &["Lena", "Springfield, IL"], None).unwrap();
        assert_eq!((r.input.city.as_deref(), r.input.country), (Some("Springfield, IL"), None), "a state, not Israel");
        let r = convert(&["Name", "City", "Country"], &["Lena", "Vienna, Austria", "DE"], None).unwrap();
        assert_eq!(
            (r.input.city.as_deref(), r.input.country.as_deref()),
            (Some("Vienna"), Some("DE")),
            "the column wins"
        );
    }

    #[test]
    fn without_a_name_the_handle_is_the_display_name() {
        let r = convert(&["Instagram"], &["https://instagram.com/Olga.Draws/"], None).unwrap();
        assert_eq!(r.input.display_name.as_deref(), Some("Olga.Draws"));
        assert!(r.name_from_handle);
        let r = convert(&["Email"], &["olga@example.com"], None).unwrap();
        assert_eq!(r.input.display_name, None, "the mode decides whether a name is needed");
    }

    #[test]
    fn every_problem_names_the_field_and_the_column() {
        let err = convert(
            &["Name", "E-mail", "Followers", "Country", "Handle", "Platform", "Do not contact"],
            &["Lena", "lena-at-example", "lots", "Narnia", "lena", "myspace", "maybe"],
            None,
        )
        .unwrap_err();
        let find = |f: &str| err.iter().find(|e| e.field == f).map(|e| e.message.clone()).unwrap_or_default();
        assert!(
            find("email").contains("valid email") && find("email").contains("column B “E-mail”: “lena-at-example”")
        );
        assert!(find("platform").contains("not a known platform"), "{err:?}");
        assert!(find("followers").contains("“lots” is not a number") && find("followers").contains("column C"));
        assert!(find("country").contains("ISO 3166") && find("country").contains("“Narnia”"));
        assert!(find("do_not_contact").contains("not yes or no"));
    }

    #[test]
    fn na_is_blank_except_in_a_country_column_where_it_is_namibia() {
        let r = convert(&["Name", "Country", "City"], &["Lena", "NA", "n/a"], None).unwrap();
        assert_eq!((r.input.country.as_deref(), r.input.city.as_deref()), (Some("NA"), None));
        let r = convert(&["Name", "Country"], &["Lena", "n/a"], None).unwrap();
        assert_eq!(r.input.country, None);
    }

    #[test]
    fn a_line_break_in_a_name_handle_or_figure_fails_the_row_but_not_in_a_bio() {
        // What a stray quote makes of three rows: one record, its first cell holding two of them.
        let err = convert(
            &["Name", "Instagram", "Followers"],
            &["Broken,broken.q,1K\nOlga,olga.q,2K\nMarta,m\"", "3K", ""],
            None,
        )
        .unwrap_err();
        assert!(err.iter().any(|e| e.field == "display_name" && e.message.contains("line break")), "{err:?}");
        assert!(err[0].message.contains("check the quotes") && err[0].message.contains("column A"), "{err:?}");
        let ok = convert(&["Name", "Bio", "Tags"], &["Lena", "Bakes.\nTravels.", "food\ntravel"], None).unwrap();
        assert_eq!(ok.input.bio.as_deref(), Some("Bakes.\nTravels."));
    }

    #[test]
    fn figures_without_a_handle_are_an_error_but_blank_ones_are_fine() {
        let hs = ["Name", "instagram_handle", "instagram_followers", "tiktok_handle", "tiktok_followers"];
        let r = convert(&hs, &["Lena", "lena", "12 500", "", "—"], None).unwrap();
        assert_eq!(r.accounts.len(), 1);
        let err = convert(&hs, &["Lena", "lena", "", "", "5K"], None).unwrap_err();
        assert_eq!(err[0].field, "tiktok_followers");
        assert!(err[0].message.contains("no TikTok handle"));
    }

    #[test]
    fn a_url_on_another_platform_is_named() {
        let err = convert(&["Name", "Instagram"], &["Lena", "https://tiktok.com/@lena"], None).unwrap_err();
        assert_eq!(err[0].field, "instagram_handle");
        assert!(err[0].message.contains("not a Instagram profile URL") || err[0].message.contains("tiktok.com"));
    }
}
