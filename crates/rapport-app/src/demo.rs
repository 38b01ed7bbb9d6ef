//! Demo data: a "Demo Brand" workspace with a small team and a few hundred realistic,
//! deterministic creators (accounts, metric history, notes, conversations), seeded idempotently.

use crate::App;
use crate::accounts;
use crate::context::Ctx;
use crate::creators::{self, CreatorQuery};
use crate::error::{AppError, AppResult};
use crate::interactions::{NewInteraction, record_in_tx};
use crate::members;
use crate::notes::{self, NoteInput};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rapport_core::actor::{Actor, now};
use rapport_core::creators::{AGE_BANDS, AccountInput, AudienceInput, ContactInput, CreatorInput};
use rapport_core::ids::{CreatorId, UserId, WorkspaceId};
use rapport_core::interactions::{Channel, Direction};
use rapport_core::pipeline::Stages;
use rapport_core::platform::Platform;
use rapport_core::roles::Role;
use rapport_store::stage_changes::{self, StageChangeRow};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

pub const DEMO_EMAIL: &str = "demo@rapport.example";
pub const DEMO_PASSWORD: &str = "rapport-demo-2026";
pub const DEMO_WORKSPACE: &str = "Demo Brand";

const DEMO_NAME: &str = "Dana Demo";
/// Teammates who join the demo workspace (same password as the demo user).
const TEAM: &[(&str, &str, Role)] =
    &[("sam@rapport.example", "Sam Rivera", Role::Manager), ("alex@rapport.example", "Alex Kim", Role::Viewer)];
/// How many creators a fresh demo workspace gets (a few are then soft-deleted).
const CREATORS: usize = 326;
const SEED: u64 = 2026;

/// What seeding did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// `false` when the demo workspace already existed (only the password was reset).
    pub created: bool,
    /// Live (not deleted) creators in the demo workspace.
    pub creators: i64,
    pub email: &'static str,
    pub password: &'static str,
}

/// Creates the demo workspace, its team and its creators; when the workspace already
/// exists, only resets the demo user's password.
pub async fn seed(app: &App) -> AppResult<DemoSummary> {
    let slug = crate::workspaces::slugify(DEMO_WORKSPACE);
    let existing = rapport_store::workspaces::find_by_slug(&mut app.db.read().await?.conn(), &slug).await?;
    if let Some(ws) = existing {
        match members::reset_password(app, DEMO_EMAIL, DEMO_PASSWORD).await {
            Ok(()) => {}
            // The workspace is there but the demo user is not: create it as an owner.
            Err(AppError::NotFound) => {
                members::create_user(app, DEMO_EMAIL, DEMO_NAME, DEMO_PASSWORD, DEMO_WORKSPACE, Role::Owner).await?;
            }
            Err(e) => return Err(e),
        }
        let ctx = Ctx::system(WorkspaceId(ws.id), Actor::System, "Demo data");
        let creators = live_count(app, &ctx).await?;
        tracing::info!(creators, "demo workspace already exists; demo password reset");
        return Ok(DemoSummary { created: false, creators, email: DEMO_EMAIL, password: DEMO_PASSWORD });
    }

    let (demo_user, ws) =
        members::create_user(app, DEMO_EMAIL, DEMO_NAME, DEMO_PASSWORD, DEMO_WORKSPACE, Role::Owner).await?;
    let mut owners = vec![demo_user];
    for &(email, name, role) in TEAM {
        match members::create_user(app, email, name, DEMO_PASSWORD, DEMO_WORKSPACE, role).await {
            Ok((user, _)) if role.can_write() => owners.push(user),
            Ok(_) => {}
            // Someone already registered this address: the demo works without them.
            Err(AppError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    let ctx = Ctx::system(ws, Actor::User(demo_user), DEMO_NAME);
    let mut g = Gen::new(owners);

    let mut made: Vec<(CreatorId, &'static str)> = Vec::with_capacity(CREATORS);
    for i in 0..CREATORS {
        let plan = g.creator(i);
        let view = creators::create(app, &ctx, plan.input).await?;
        if let Some(account) = view
            .social_accounts
            .iter()
            .find(|a| a.platform == plan.primary.slug() && a.handle.eq_ignore_ascii_case(&plan.primary_handle))
        {
            for obs in &plan.history {
                let mut body = json!({
                    "followers": obs.followers,
                    "engagement_rate_pct": obs.er,
                    "observed_at": rfc3339(obs.at)?,
                });
                if let (Some(views), Some(o)) = (obs.views, body.as_object_mut()) {
                    o.insert("average_views".into(), views.into());
                }
                accounts::patch(app, &ctx, view.id, account.id, body).await?;
            }
        }
        for body in plan.notes {
            notes::add(app, &ctx, view.id, NoteInput { body: Some(body) }).await?;
        }
        made.push((view.id, plan.stage));
    }

    backdate_stages(app, &ctx, &mut g, &made).await?;
    conversations(app, &ctx, &made).await?;

    // A few later edits so timelines show an update diff.
    let mut edited = 0;
    for (i, (id, stage)) in made.iter().enumerate() {
        if edited >= 14 || i % 7 != 3 {
            continue;
        }
        let next = match *stage {
            "discovered" => "qualified",
            "qualified" => "contacted",
            "contacted" => "negotiating",
            "negotiating" => "contracted",
            _ => continue,
        };
        let patch = if edited % 3 == 0 {
            json!({ "stage": next, "tone_notes": g.pick(TONE_NOTES) })
        } else {
            json!({ "stage": next })
        };
        creators::patch(app, &ctx, *id, patch).await?;
        edited += 1;
    }
    // And a few deleted ones for the Deleted filter.
    for i in [41, 142, 263] {
        if let Some((id, _)) = made.get(i) {
            creators::delete(app, &ctx, *id).await?;
        }
    }

    // Two people entered twice (as a spreadsheet import would), for the Duplicates page.
    for i in [5, 17] {
        if let Some((id, _)) = made.get(i) {
            let original = creators::get(app, &ctx, *id).await?;
            let copy = CreatorInput {
                display_name: Some(original.display_name.clone()),
                country: original.country.clone(),
                city: original.city.clone(),
                source: Some("csv import".into()),
                tags: Some(vec!["needs-review".into()]),
                social_accounts: original.social_accounts.first().map(|a| {
                    vec![rapport_core::creators::AccountInput {
                        platform: Some("newsletter".into()),
                        handle: Some(format!("{}_letter", a.handle.to_lowercase())),
                        source: Some("csv import".into()),
                        ..Default::default()
                    }]
                }),
                ..Default::default()
            };
            creators::create(app, &ctx, copy).await?;
        }
    }

    crate::demo_playbook::seed(app, &ctx).await?;
    crate::demo_campaigns::seed(app, &ctx).await?;
    let creators = live_count(app, &ctx).await?;
    tracing::info!(creators, "demo workspace created");
    Ok(DemoSummary { created: true, creators, email: DEMO_EMAIL, password: DEMO_PASSWORD })
}

async fn live_count(app: &App, ctx: &Ctx) -> AppResult<i64> {
    let all = CreatorQuery { limit: Some("1".into()), dnc: Some("include".into()), ..Default::default() };
    Ok(creators::list_with_total(app, ctx, &all).await?.1)
}

/// Gives each creator a stage history leading to its stage over the past months — through
/// the main stages in order (a side stage after a few of them), days to weeks apart — so
/// the board shows time in stage and the conversion report has a funnel.
async fn backdate_stages(app: &App, ctx: &Ctx, g: &mut Gen, made: &[(CreatorId, &'static str)]) -> AppResult<()> {
    let stages = Stages::default();
    let main: Vec<&str> = stages.main().map(|s| s.slug.as_str()).collect();
    let mut tx = app.db.begin().await?;
    for (id, stage) in made {
        let path: Vec<&str> = match main.iter().position(|s| s == stage) {
            Some(k) => main[..=k].to_vec(),
            None => main[..=g.rng.random_range(0..4)].iter().copied().chain([*stage]).collect(),
        };
        let mut at = g.days_ago(10 + 20 * path.len() as i64);
        let mut rows: Vec<StageChangeRow> = Vec::with_capacity(path.len());
        for (i, to) in path.iter().enumerate() {
            rows.push(StageChangeRow {
                id: uuid::Uuid::now_v7(),
                creator_id: id.0,
                from_stage: i.checked_sub(1).map(|j| path[j].to_owned()),
                to_stage: (*to).to_owned(),
                actor: ctx.actor.to_string(),
                actor_label: ctx.actor_label.clone(),
                reason: None,
                changed_at: at,
            });
            at += Duration::days(g.rng.random_range(3..20));
        }
        stage_changes::replace(&mut tx.conn(), ctx.ws(), id.0, &rows).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Lines of a demo conversation: ours, then theirs, in turn.
const OUR_LINES: &[&str] = &[
    "Hi! We love your recent posts and would like to talk about a collaboration this season.",
    "Great to hear. Here is the brief and our proposed fee — happy to adjust the deliverables.",
    "Thanks! Sending the contract over for review.",
];
const THEIR_LINES: &[&str] = &[
    "Thanks for reaching out! Could you send more details on the brief and the timing?",
    "Looks good. Could we add one story to the package?",
    "Signed and sent back — excited to start!",
];

/// Conversations with the creators in outreach and beyond — emails or Instagram DMs back
/// and forth over the past weeks, some still waiting for an answer — and a next-touch
/// cadence on a third of them, so record pages show responsiveness and Home shows overdue
/// touches. Derived from each creator's position, so the rest of the demo data is unchanged.
async fn conversations(app: &App, ctx: &Ctx, made: &[(CreatorId, &'static str)]) -> AppResult<()> {
    const TALKING: &[&str] = &["contacted", "negotiating", "contracted", "active", "advocate"];
    let t = now();
    let mut cadence = vec![];
    let mut tx = app.db.begin().await?;
    for (i, (id, stage)) in made.iter().enumerate() {
        if !TALKING.contains(stage) || i % 4 == 3 {
            continue;
        }
        let k = i as i64;
        let messages = 2 + k % 5;
        let dm = i % 3 == 1;
        let mut at = t - Duration::days(4 + k % 40) - Duration::hours(messages * 30);
        for m in 0..messages {
            let ours = m % 2 == 0;
            let (direction, lines) =
                if ours { (Direction::Outbound, OUR_LINES) } else { (Direction::Inbound, THEIR_LINES) };
            let body = lines[(m as usize / 2) % lines.len()];
            let channel = if dm { Channel::Dm } else { Channel::Email };
            let mut n = NewInteraction::new(*id, channel, direction, body, at);
            if dm {
                n.platform = Some(Platform::Instagram);
            } else {
                n.subject =
                    Some(if m == 0 { "Partnership with Demo Brand" } else { "Re: Partnership with Demo Brand" }.into());
            }
            record_in_tx(&mut tx.conn(), ctx, n).await?;
            // They answer within hours to days; we answer within hours.
            at += Duration::hours(if ours { 3 + (k * 7 + m) % 60 } else { 1 + (k + m) % 9 });
        }
        if i % 3 == 0 {
            cadence.push((*id, if i % 2 == 0 { 14 } else { 30 }));
        }
    }
    tx.commit().await?;
    for (id, days) in cadence {
        creators::patch(app, ctx, id, json!({ "touch_every_days": days })).await?;
    }
    Ok(())
}

fn rfc3339(t: OffsetDateTime) -> AppResult<String> {
    t.format(&Rfc3339).map_err(|e| AppError::Internal(e.to_string()))
}

// ---------------------------------------------------------------------------------------
// Reference data
// ---------------------------------------------------------------------------------------

struct Country {
    code: &'static str,
    weight: u32,
    dial: &'static str,
    languages: &'static [&'static str],
    /// City and its IANA time zone.
    cities: &'static [(&'static str, &'static str)],
    female: &'static [&'static str],
    male: &'static [&'static str],
    last: &'static [&'static str],
    /// Other countries that typically make up the rest of the audience.
    audience: &'static [&'static str],
}

const COUNTRIES: &[Country] = &[
    Country {
        code: "DE",
        weight: 14,
        dial: "49",
        languages: &["de"],
        cities: &[
            ("Berlin", "Europe/Berlin"),
            ("Hamburg", "Europe/Berlin"),
            ("Munich", "Europe/Berlin"),
            ("Cologne", "Europe/Berlin"),
            ("Leipzig", "Europe/Berlin"),
        ],
        female: &["Lena", "Mia", "Hannah", "Lea", "Emilia", "Sophie", "Marie", "Clara", "Johanna"],
        male: &["Jonas", "Leon", "Felix", "Paul", "Lukas", "Maximilian", "Niklas", "Tim", "Moritz"],
        last: &[
            "Müller", "Schmidt", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann", "Schäfer", "Koch", "Richter",
            "Yilmaz",
        ],
        audience: &["AT", "CH", "US", "GB", "NL", "PL"],
    },
    Country {
        code: "AT",
        weight: 3,
        dial: "43",
        languages: &["de"],
        cities: &[("Vienna", "Europe/Vienna"), ("Graz", "Europe/Vienna"), ("Salzburg", "Europe/Vienna")],
        female: &["Anna", "Laura", "Katharina", "Sarah", "Valentina"],
        male: &["Tobias", "Florian", "Stefan", "David", "Jakob"],
        last: &["Gruber", "Huber", "Bauer", "Pichler", "Steiner", "Moser", "Hofer"],
        audience: &["DE", "CH", "IT"],
    },
    Country {
        code: "CH",
        weight: 3,
        dial: "41",
        languages: &["de", "fr"],
        cities: &[("Zurich", "Europe/Zurich"), ("Geneva", "Europe/Zurich"), ("Basel", "Europe/Zurich")],
        female: &["Lara", "Nina", "Alina", "Elena", "Chiara"],
        male: &["Luca", "Noah", "Nico", "Jan", "Gian"],
        last: &["Meier", "Keller", "Brunner", "Frei", "Baumann", "Zürcher"],
        audience: &["DE", "AT", "FR", "IT"],
    },
    Country {
        code: "US",
        weight: 14,
        dial: "1",
        languages: &["en"],
        cities: &[
            ("New York", "America/New_York"),
            ("Los Angeles", "America/Los_Angeles"),
            ("Austin", "America/Chicago"),
            ("Chicago", "America/Chicago"),
            ("Denver", "America/Denver"),
            ("Miami", "America/New_York"),
            ("Seattle", "America/Los_Angeles"),
            ("Nashville", "America/Chicago"),
        ],
        female: &["Emily", "Olivia", "Madison", "Ashley", "Jasmine", "Taylor", "Brianna", "Chloe", "Kayla", "Sofia"],
        male: &["Jake", "Tyler", "Marcus", "Ethan", "Brandon", "Jordan", "Caleb", "Andre", "Mason", "Diego"],
        last: &[
            "Johnson", "Williams", "Brown", "Davis", "Miller", "Wilson", "Anderson", "Thompson", "Garcia", "Robinson",
            "Nguyen", "Washington",
        ],
        audience: &["CA", "GB", "MX", "AU", "DE"],
    },
    Country {
        code: "GB",
        weight: 10,
        dial: "44",
        languages: &["en"],
        cities: &[
            ("London", "Europe/London"),
            ("Manchester", "Europe/London"),
            ("Bristol", "Europe/London"),
            ("Edinburgh", "Europe/London"),
            ("Leeds", "Europe/London"),
            ("Brighton", "Europe/London"),
        ],
        female: &["Amelia", "Isla", "Poppy", "Freya", "Imogen", "Ellie", "Aisha"],
        male: &["Oliver", "Harry", "George", "Alfie", "Callum", "Rhys", "Idris"],
        last: &["Smith", "Jones", "Taylor", "Evans", "Walker", "Hughes", "Patel", "Khan", "Clarke", "O'Brien"],
        audience: &["US", "IE", "AU", "CA", "DE"],
    },
    Country {
        code: "FR",
        weight: 6,
        dial: "33",
        languages: &["fr"],
        cities: &[
            ("Paris", "Europe/Paris"),
            ("Lyon", "Europe/Paris"),
            ("Marseille", "Europe/Paris"),
            ("Bordeaux", "Europe/Paris"),
            ("Nantes", "Europe/Paris"),
        ],
        female: &["Camille", "Léa", "Chloé", "Manon", "Inès", "Juliette"],
        male: &["Lucas", "Hugo", "Théo", "Louis", "Mathis", "Nathan"],
        last: &["Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Lefèvre", "Girard", "Roux", "Benali"],
        audience: &["BE", "CH", "CA", "MA", "US"],
    },
    Country {
        code: "ES",
        weight: 6,
        dial: "34",
        languages: &["es"],
        cities: &[
            ("Madrid", "Europe/Madrid"),
            ("Barcelona", "Europe/Madrid"),
            ("Valencia", "Europe/Madrid"),
            ("Seville", "Europe/Madrid"),
            ("Bilbao", "Europe/Madrid"),
        ],
        female: &["Lucía", "Martina", "Paula", "Carmen", "Alba", "Elena"],
        male: &["Pablo", "Hugo", "Alejandro", "Javier", "Diego", "Álvaro"],
        last: &["García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Navarro", "Ruiz"],
        audience: &["MX", "AR", "US", "CO", "PT"],
    },
    Country {
        code: "IT",
        weight: 5,
        dial: "39",
        languages: &["it"],
        cities: &[
            ("Milan", "Europe/Rome"),
            ("Rome", "Europe/Rome"),
            ("Turin", "Europe/Rome"),
            ("Naples", "Europe/Rome"),
            ("Bologna", "Europe/Rome"),
            ("Florence", "Europe/Rome"),
        ],
        female: &["Giulia", "Sofia", "Aurora", "Chiara", "Francesca", "Martina"],
        male: &["Lorenzo", "Matteo", "Alessandro", "Davide", "Marco", "Gabriele"],
        last: &["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"],
        audience: &["CH", "US", "DE", "FR"],
    },
    Country {
        code: "NL",
        weight: 5,
        dial: "31",
        languages: &["nl"],
        cities: &[
            ("Amsterdam", "Europe/Amsterdam"),
            ("Rotterdam", "Europe/Amsterdam"),
            ("Utrecht", "Europe/Amsterdam"),
            ("Eindhoven", "Europe/Amsterdam"),
        ],
        female: &["Emma", "Julia", "Sanne", "Fleur", "Noor", "Lotte"],
        male: &["Daan", "Sem", "Thijs", "Bram", "Lars", "Ruben"],
        last: &["de Jong", "Jansen", "de Vries", "van Dijk", "Bakker", "Visser", "Smit", "Mulder"],
        audience: &["BE", "DE", "GB", "US"],
    },
    Country {
        code: "SE",
        weight: 3,
        dial: "46",
        languages: &["sv"],
        cities: &[
            ("Stockholm", "Europe/Stockholm"),
            ("Gothenburg", "Europe/Stockholm"),
            ("Malmö", "Europe/Stockholm"),
            ("Uppsala", "Europe/Stockholm"),
        ],
        female: &["Astrid", "Ebba", "Saga", "Linnea", "Maja", "Elsa"],
        male: &["Erik", "Oscar", "Axel", "Viktor", "Filip", "Emil"],
        last: &["Andersson", "Johansson", "Karlsson", "Nilsson", "Lindqvist", "Berg", "Lund"],
        audience: &["NO", "DK", "FI", "DE", "US"],
    },
    Country {
        code: "PL",
        weight: 3,
        dial: "48",
        languages: &["pl"],
        cities: &[
            ("Warsaw", "Europe/Warsaw"),
            ("Kraków", "Europe/Warsaw"),
            ("Wrocław", "Europe/Warsaw"),
            ("Gdańsk", "Europe/Warsaw"),
            ("Poznań", "Europe/Warsaw"),
        ],
        female: &["Zuzanna", "Julia", "Maja", "Zofia", "Natalia", "Aleksandra"],
        male: &["Jakub", "Kacper", "Szymon", "Mateusz", "Bartosz", "Łukasz"],
        last: &["Nowak", "Wójcik", "Kowalczyk", "Mazur", "Krawczyk", "Zając", "Król", "Wieczorek"],
        audience: &["DE", "GB", "US", "IE"],
    },
    Country {
        code: "BR",
        weight: 5,
        dial: "55",
        languages: &["pt"],
        cities: &[
            ("São Paulo", "America/Sao_Paulo"),
            ("Rio de Janeiro", "America/Sao_Paulo"),
            ("Belo Horizonte", "America/Sao_Paulo"),
            ("Recife", "America/Recife"),
            ("Porto Alegre", "America/Sao_Paulo"),
        ],
        female: &["Ana", "Beatriz", "Larissa", "Juliana", "Camila", "Gabriela"],
        male: &["João", "Pedro", "Gabriel", "Rafael", "Lucas", "Thiago"],
        last: &["Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida", "Ferreira"],
        audience: &["PT", "US", "AR", "JP"],
    },
    Country {
        code: "MX",
        weight: 4,
        dial: "52",
        languages: &["es"],
        cities: &[
            ("Mexico City", "America/Mexico_City"),
            ("Guadalajara", "America/Mexico_City"),
            ("Monterrey", "America/Monterrey"),
            ("Puebla", "America/Mexico_City"),
            ("Mérida", "America/Merida"),
        ],
        female: &["Valentina", "Ximena", "Fernanda", "Daniela", "Regina", "Mariana"],
        male: &["Santiago", "Mateo", "Emiliano", "Diego", "Carlos", "Luis"],
        last: &["Hernández", "González", "Rodríguez", "Ramírez", "Flores", "Torres", "Morales", "Cruz"],
        audience: &["US", "CO", "ES", "AR", "GT"],
    },
    Country {
        code: "JP",
        weight: 3,
        dial: "81",
        languages: &["ja"],
        cities: &[
            ("Tokyo", "Asia/Tokyo"),
            ("Osaka", "Asia/Tokyo"),
            ("Kyoto", "Asia/Tokyo"),
            ("Fukuoka", "Asia/Tokyo"),
            ("Sapporo", "Asia/Tokyo"),
        ],
        female: &["Yui", "Sakura", "Hina", "Aoi", "Yuna", "Mei"],
        male: &["Haruto", "Ren", "Sota", "Yuto", "Kaito", "Riku"],
        last: &["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"],
        audience: &["US", "TW", "KR", "TH"],
    },
    Country {
        code: "KR",
        weight: 3,
        dial: "82",
        languages: &["ko"],
        cities: &[("Seoul", "Asia/Seoul"), ("Busan", "Asia/Seoul"), ("Incheon", "Asia/Seoul"), ("Daegu", "Asia/Seoul")],
        female: &["Ji-woo", "Seo-yeon", "Min-ji", "Ha-eun", "Soo-ah", "Ye-jin"],
        male: &["Min-jun", "Seo-jun", "Do-yoon", "Ji-ho", "Hyun-woo", "Jae-won"],
        last: &["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon"],
        audience: &["US", "JP", "PH", "ID", "VN"],
    },
    Country {
        code: "IN",
        weight: 4,
        dial: "91",
        languages: &["hi"],
        cities: &[
            ("Mumbai", "Asia/Kolkata"),
            ("Delhi", "Asia/Kolkata"),
            ("Bengaluru", "Asia/Kolkata"),
            ("Hyderabad", "Asia/Kolkata"),
            ("Pune", "Asia/Kolkata"),
            ("Chennai", "Asia/Kolkata"),
        ],
        female: &["Priya", "Ananya", "Aisha", "Diya", "Kavya", "Meera", "Riya"],
        male: &["Arjun", "Rohan", "Vikram", "Aditya", "Karan", "Rahul", "Ishaan"],
        last: &["Sharma", "Patel", "Gupta", "Singh", "Iyer", "Reddy", "Nair", "Mehta", "Kapoor"],
        audience: &["US", "AE", "GB", "CA", "SG"],
    },
    Country {
        code: "AU",
        weight: 4,
        dial: "61",
        languages: &["en"],
        cities: &[
            ("Sydney", "Australia/Sydney"),
            ("Melbourne", "Australia/Melbourne"),
            ("Brisbane", "Australia/Brisbane"),
            ("Perth", "Australia/Perth"),
            ("Adelaide", "Australia/Adelaide"),
        ],
        female: &["Charlotte", "Matilda", "Ruby", "Zoe", "Grace", "Sienna"],
        male: &["Lachlan", "Jack", "Cooper", "Riley", "Harrison", "Mitchell"],
        last: &["Kelly", "Nguyen", "Murphy", "Campbell", "White", "Ryan", "Walsh", "Tran"],
        audience: &["NZ", "US", "GB", "CA"],
    },
    Country {
        code: "CA",
        weight: 4,
        dial: "1",
        languages: &["en"],
        cities: &[
            ("Toronto", "America/Toronto"),
            ("Montreal", "America/Toronto"),
            ("Vancouver", "America/Vancouver"),
            ("Calgary", "America/Edmonton"),
            ("Ottawa", "America/Toronto"),
        ],
        female: &["Maya", "Hailey", "Avery", "Élodie", "Brooke", "Simran"],
        male: &["Liam", "Owen", "Noah", "Mathieu", "Connor", "Wei"],
        last: &["Tremblay", "Roy", "Gagnon", "MacDonald", "Campbell", "Lee", "Wong", "Singh"],
        audience: &["US", "GB", "FR", "IN"],
    },
    Country {
        code: "NG",
        weight: 3,
        dial: "234",
        languages: &["en", "yo"],
        cities: &[
            ("Lagos", "Africa/Lagos"),
            ("Abuja", "Africa/Lagos"),
            ("Port Harcourt", "Africa/Lagos"),
            ("Ibadan", "Africa/Lagos"),
        ],
        female: &["Chioma", "Ngozi", "Amara", "Funmilayo", "Temi", "Zainab"],
        male: &["Chinedu", "Tunde", "Emeka", "Olumide", "Ibrahim", "Segun"],
        last: &["Okafor", "Adeyemi", "Okonkwo", "Balogun", "Eze", "Bello", "Nwosu", "Adebayo"],
        audience: &["GH", "US", "GB", "KE", "ZA"],
    },
    Country {
        code: "ZA",
        weight: 2,
        dial: "27",
        languages: &["en", "af"],
        cities: &[
            ("Johannesburg", "Africa/Johannesburg"),
            ("Cape Town", "Africa/Johannesburg"),
            ("Durban", "Africa/Johannesburg"),
            ("Pretoria", "Africa/Johannesburg"),
        ],
        female: &["Thandi", "Lerato", "Naledi", "Zanele", "Megan", "Anika"],
        male: &["Sipho", "Thabo", "Kagiso", "Lwazi", "Ruan", "Pieter"],
        last: &["Nkosi", "Dlamini", "Botha", "van der Merwe", "Mokoena", "Naidoo", "Khumalo", "Pillay"],
        audience: &["NG", "GB", "US", "AU", "NA"],
    },
    Country {
        code: "TR",
        weight: 3,
        dial: "90",
        languages: &["tr"],
        cities: &[
            ("Istanbul", "Europe/Istanbul"),
            ("Ankara", "Europe/Istanbul"),
            ("Izmir", "Europe/Istanbul"),
            ("Antalya", "Europe/Istanbul"),
        ],
        female: &["Elif", "Zeynep", "Defne", "Ayşe", "Ecrin", "Selin"],
        male: &["Mehmet", "Emre", "Burak", "Can", "Yusuf", "Kerem"],
        last: &["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Aydın", "Öztürk"],
        audience: &["DE", "AZ", "NL", "US"],
    },
    Country {
        code: "AE",
        weight: 3,
        dial: "971",
        languages: &["ar", "en"],
        cities: &[("Dubai", "Asia/Dubai"), ("Abu Dhabi", "Asia/Dubai"), ("Sharjah", "Asia/Dubai")],
        female: &["Fatima", "Mariam", "Noura", "Layla", "Hessa", "Sara"],
        male: &["Omar", "Khalid", "Ahmed", "Rashid", "Saeed", "Yousef"],
        last: &["Al Mansoori", "Al Hashimi", "Haddad", "Khoury", "Al Nuaimi", "Saleh"],
        audience: &["SA", "IN", "EG", "GB", "KW"],
    },
];

struct Niche {
    name: &'static str,
    /// Endings for creator-style names: "Lena Bakes", "Kai on Bikes".
    styles: &'static [&'static str],
    /// Words handles borrow: "lena.eats".
    words: &'static [&'static str],
    /// What the creator does, for the bio.
    about: &'static [&'static str],
    /// Platforms this kind of creator favours, most likely first.
    platforms: &'static [Platform],
    /// Typical share of women in the audience, in percent.
    female: (f64, f64),
}

use Platform as P;

const NICHES: &[Niche] = &[
    Niche {
        name: "beauty",
        styles: &["Beauty", "Glow", "Glam"],
        words: &["beauty", "glow", "makeup"],
        about: &["Makeup tutorials and honest drugstore reviews", "Everyday glam and product deep-dives"],
        platforms: &[P::Instagram, P::Tiktok, P::Youtube, P::Pinterest],
        female: (68.0, 90.0),
    },
    Niche {
        name: "fitness",
        styles: &["Lifts", "Moves", "Fit"],
        words: &["fit", "lifts", "training"],
        about: &["Strength training for busy people", "Home workouts, mobility and no-nonsense nutrition"],
        platforms: &[P::Instagram, P::Youtube, P::Tiktok],
        female: (40.0, 70.0),
    },
    Niche {
        name: "food",
        styles: &["Bakes", "Cooks", "Eats", "in the Kitchen"],
        words: &["eats", "bakes", "kitchen"],
        about: &["Weeknight recipes that actually work", "Sourdough experiments and honest restaurant reviews"],
        platforms: &[P::Instagram, P::Tiktok, P::Youtube, P::Pinterest, P::Blog],
        female: (55.0, 78.0),
    },
    Niche {
        name: "travel",
        styles: &["Travels", "Abroad", "Wanders"],
        words: &["travels", "wanders", "abroad"],
        about: &["Slow travel and off-season city guides", "Budget trips, train routes and hidden beaches"],
        platforms: &[P::Instagram, P::Youtube, P::Tiktok, P::Blog, P::Pinterest],
        female: (50.0, 72.0),
    },
    Niche {
        name: "gaming",
        styles: &["Plays", "GG", "Live"],
        words: &["plays", "gg", "live"],
        about: &["Cozy games and late-night speedruns", "Competitive FPS, patch breakdowns and community nights"],
        platforms: &[P::Twitch, P::Youtube, P::Tiktok, P::X],
        female: (15.0, 40.0),
    },
    Niche {
        name: "tech",
        styles: &["Tech", "Unboxed", "Codes"],
        words: &["tech", "unboxed", "codes"],
        about: &["Gadget reviews without the hype", "Smart-home setups and productivity tools"],
        platforms: &[P::Youtube, P::X, P::Linkedin, P::Newsletter, P::Tiktok],
        female: (18.0, 38.0),
    },
    Niche {
        name: "fashion",
        styles: &["Style", "Wears", "Closet"],
        words: &["style", "wears", "closet"],
        about: &["Capsule wardrobes and second-hand finds", "Street style and honest try-on hauls"],
        platforms: &[P::Instagram, P::Tiktok, P::Pinterest, P::Youtube],
        female: (62.0, 88.0),
    },
    Niche {
        name: "parenting",
        styles: &["& Family", "at Home"],
        words: &["family", "mumlife", "parents"],
        about: &["Real-life parenting with two toddlers", "Family routines, kids' meals and weekend outings"],
        platforms: &[P::Instagram, P::Blog, P::Pinterest, P::Podcast, P::Tiktok],
        female: (70.0, 92.0),
    },
    Niche {
        name: "finance",
        styles: &["Money", "Invests", "Saves"],
        words: &["money", "invests", "finance"],
        about: &["Personal finance explained in plain words", "Index funds, budgets and first-home savings"],
        platforms: &[P::Linkedin, P::Youtube, P::Newsletter, P::Podcast, P::X, P::Instagram],
        female: (30.0, 55.0),
    },
    Niche {
        name: "outdoor",
        styles: &["Outdoors", "Hikes", "Wild"],
        words: &["outdoors", "hikes", "wild"],
        about: &["Hiking, bikepacking and wild camping", "Mountain routes and gear that lasts"],
        platforms: &[P::Instagram, P::Youtube, P::Blog],
        female: (35.0, 60.0),
    },
    Niche {
        name: "music",
        styles: &["Music", "Sings", "Beats"],
        words: &["music", "beats", "sings"],
        about: &["Covers, loops and bedroom-studio sessions", "Singer-songwriter sharing the making-of"],
        platforms: &[P::Tiktok, P::Youtube, P::Instagram, P::Twitch],
        female: (40.0, 65.0),
    },
    Niche {
        name: "comedy",
        styles: &["Laughs", "IRL", "Jokes"],
        words: &["laughs", "irl", "jokes"],
        about: &["Sketches about office life and flatmates", "Stand-up clips and very online observations"],
        platforms: &[P::Tiktok, P::Instagram, P::Youtube, P::Podcast],
        female: (42.0, 60.0),
    },
    Niche {
        name: "sustainability",
        styles: &["Green", "Zero Waste"],
        words: &["green", "zerowaste", "lowimpact"],
        about: &["Low-waste living without the guilt", "Repair, reuse and climate news that gives hope"],
        platforms: &[P::Instagram, P::Tiktok, P::Newsletter, P::Youtube],
        female: (60.0, 82.0),
    },
    Niche {
        name: "home & garden",
        styles: &["Grows", "Gardens", "Home"],
        words: &["home", "grows", "garden"],
        about: &["Balcony gardening and small-space living", "Renovating a 1930s house one room at a time"],
        platforms: &[P::Pinterest, P::Instagram, P::Youtube, P::Blog],
        female: (58.0, 82.0),
    },
    Niche {
        name: "pets",
        styles: &["& Pets", "and the Dogs"],
        words: &["pets", "dogs", "paws"],
        about: &["Two rescue dogs and a very opinionated cat", "Dog training tips and adventure walks"],
        platforms: &[P::Instagram, P::Tiktok, P::Youtube],
        female: (58.0, 80.0),
    },
    Niche {
        name: "cycling",
        styles: &["on Bikes", "Rides", "Pedals"],
        words: &["rides", "cycles", "bikes"],
        about: &["Gravel rides, commuting and bike maintenance", "Road cycling training logs and race-day vlogs"],
        platforms: &[P::Instagram, P::Youtube, P::Blog],
        female: (20.0, 42.0),
    },
    Niche {
        name: "skincare",
        styles: &["Skin", "Glow"],
        words: &["skin", "glow", "spf"],
        about: &["Evidence-based skincare for sensitive skin", "Routines, ingredients and SPF myths debunked"],
        platforms: &[P::Tiktok, P::Instagram, P::Youtube],
        female: (65.0, 88.0),
    },
    Niche {
        name: "books",
        styles: &["Reads", "Books", "Bookshelf"],
        words: &["reads", "books", "bookshelf"],
        about: &["Book reviews, reading challenges and cosy nooks", "Literary fiction and monthly wrap-ups"],
        platforms: &[P::Instagram, P::Tiktok, P::Newsletter, P::Podcast, P::Youtube],
        female: (65.0, 85.0),
    },
    Niche {
        name: "diy",
        styles: &["Makes", "Builds", "DIY"],
        words: &["makes", "builds", "diy"],
        about: &["Upcycled furniture and weekend builds", "Crafts, woodworking and renter-friendly hacks"],
        platforms: &[P::Youtube, P::Pinterest, P::Instagram, P::Tiktok, P::Blog],
        female: (45.0, 70.0),
    },
    Niche {
        name: "wellness",
        styles: &["Well", "Breathes", "Calm"],
        words: &["wellness", "calm", "breathe"],
        about: &["Yoga, breathwork and gentle routines", "Mental health, sleep and slow mornings"],
        platforms: &[P::Instagram, P::Youtube, P::Podcast, P::Tiktok],
        female: (65.0, 85.0),
    },
];

/// Platforms by how often a creator's main account lives there.
const MAIN_PLATFORMS: &[(Platform, u32)] = &[
    (P::Instagram, 36),
    (P::Tiktok, 22),
    (P::Youtube, 17),
    (P::Twitch, 5),
    (P::X, 4),
    (P::Pinterest, 4),
    (P::Linkedin, 4),
    (P::Podcast, 3),
    (P::Newsletter, 3),
    (P::Blog, 2),
];

const TAGS: &[&str] = &[
    "vip", "gifted-before", "ugc", "ambassador", "needs-rate-card", "met-at-event", "long-form", "whitelisting-ok",
    "agency-managed", "q3-launch", "eco-friendly", "fast-responder",
];

const SOURCES: &[&str] =
    &["instagram search", "referral", "event", "inbound application", "agency roster", "csv import"];

const AGENCIES: &[&str] = &["Northstar Talent", "Bright Collective", "Kinship Creators", "Studio Ember Management"];

const EVENTS: &[&str] = &[
    "VidCon", "TwitchCon", "OMR Festival", "Cannes Lions", "Web Summit", "the Berlin creator brunch",
    "a brand dinner in London", "Creator Economy Expo",
];

const SIZES: &[&str] = &["XS", "S", "M", "L", "XL"];

const TONE_NOTES: &[&str] = &[
    "Casual, lots of emoji; prefers voice notes over long emails.",
    "Very professional — send a proper brief with deliverables and deadlines.",
    "Dry humour; don't over-script, give talking points instead.",
    "Replies fast on WhatsApp, slowly on email.",
    "Wants creative control and final approval on edits.",
    "Warm and chatty; likes a quick call before committing.",
    "Prefers English for contracts, native language for creative briefs.",
    "Strictly no alcohol or gambling brands.",
    "Sensitive about being called an influencer — say creator.",
    "Appreciates early heads-up; plans content about six weeks ahead.",
];

const NOTES: &[&str] = &[
    "Met at {event}, interested in a long-term ambassador deal.",
    "Asked for rate card — €{rate} per reel, €{rate3} for a three-post bundle.",
    "Prefers to be contacted via their manager; CC'd {agency} on the last email.",
    "Sent a gifted box on {date}. Posted a story, no feed post yet.",
    "Great fit for the Q3 launch — audience skews 25–34 and comments are genuinely engaged.",
    "Followed up twice, no reply yet. Try again after the holidays.",
    "Call went well: open to 6 months of usage rights, wants final approval on edits.",
    "Exclusive with a competitor until {month}; revisit then.",
    "Audience audit looks solid, very few suspicious followers.",
    "Already loves the product — posted about us organically twice before we reached out.",
    "Needs invoices in EUR with VAT ID; finance contact is in the custom fields.",
    "Shot UGC for us last quarter: fast turnaround, great lighting. Rebook.",
    "Engagement dipped after the algorithm change; re-check numbers next month.",
    "Intro via {agency} at their spring showcase.",
    "Would rather do a giveaway than a sponsored post.",
    "Contract draft sent on {date}; waiting for their legal review.",
    "Prefers loose talking points over a script. Keep the brief to one page.",
    "Shipping address confirmed, size {size}.",
    "Mentioned us on their channel without being asked — sent a thank-you note.",
    "Quoted €{rate} for a dedicated video; negotiating a bundle with stories.",
    "Asked about affiliate commission instead of a flat fee — check with finance.",
    "Met at {event}; great in person, very camera-ready.",
    "Not available in {month} (travelling), otherwise keen.",
    "Their last brand collab underperformed on saves; ask for case studies.",
];

// ---------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------

/// One later metrics observation of the main account.
struct Obs {
    followers: i64,
    views: Option<i64>,
    er: f64,
    at: OffsetDateTime,
}

/// A creator to create, with what to do to it afterwards.
struct Plan {
    input: CreatorInput,
    stage: &'static str,
    primary: Platform,
    primary_handle: String,
    /// Later observations of the main account, oldest first (the first is in `input`).
    history: Vec<Obs>,
    notes: Vec<String>,
}

struct Gen {
    rng: StdRng,
    t0: OffsetDateTime,
    owners: Vec<UserId>,
    handles: HashMap<Platform, HashSet<String>>,
    bases: HashSet<String>,
    contacts: HashSet<String>,
    names: HashSet<String>,
}

impl Gen {
    fn new(owners: Vec<UserId>) -> Gen {
        let t = now();
        Gen {
            rng: StdRng::seed_from_u64(SEED),
            t0: t.replace_nanosecond(0).unwrap_or(t),
            owners,
            handles: HashMap::new(),
            bases: HashSet::new(),
            contacts: HashSet::new(),
            names: HashSet::new(),
        }
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.random_range(0..items.len())]
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut n = self.rng.random_range(0..total.max(1));
        for &(item, w) in items {
            if n < w {
                return item;
            }
            n -= w;
        }
        items[0].0
    }

    fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.rng.random::<f64>()
    }

    /// A time `days` days (plus a few hours) before seeding started.
    fn days_ago(&mut self, days: i64) -> OffsetDateTime {
        let minutes = self.rng.random_range(0..600);
        self.t0 - Duration::days(days) - Duration::minutes(minutes)
    }

    /// `want`, or `want` with digits appended when the set already holds it.
    fn unique(&mut self, set_of: Option<Platform>, want: String) -> String {
        let mut candidate = want.clone();
        for attempt in 0..1000 {
            let key = candidate.to_lowercase();
            let set = match set_of {
                Some(p) => self.handles.entry(p).or_default(),
                None => &mut self.bases,
            };
            if set.insert(key) {
                return candidate;
            }
            let n = if attempt < 20 { self.rng.random_range(2..100) } else { self.rng.random_range(100..10_000) };
            let sep = if want.contains('_') { "_" } else { "" };
            candidate = format!("{want}{sep}{n}");
        }
        candidate
    }

    fn unique_contact(&mut self, kind: &str, mut want: impl FnMut(Option<u32>) -> String) -> String {
        let mut value = want(None);
        let mut n = 2;
        while !self.contacts.insert(format!("{kind}:{}", value.to_lowercase())) {
            value = want(Some(n));
            n += 1;
        }
        value
    }

    fn creator(&mut self, i: usize) -> Plan {
        let country =
            &COUNTRIES[self.weighted(&COUNTRIES.iter().enumerate().map(|(i, c)| (i, c.weight)).collect::<Vec<_>>())];
        let niche_idx = self.rng.random_range(0..NICHES.len());
        let niche = &NICHES[niche_idx];
        let (city, timezone) = self.pick(country.cities);
        let female = self.chance(0.55);
        let (mut first, mut last) = self.name(country, female);
        let mut person = format!("{first} {last}");
        for _ in 0..5 {
            if !self.names.contains(&person) {
                break;
            }
            (first, last) = self.name(country, female);
            person = format!("{first} {last}");
        }
        self.names.insert(person.clone());

        // ~30 % go by a creator name ("Lena Bakes").
        let styled = self.chance(0.3);
        let phrase = self.pick(niche.styles);
        let display_name = if styled { format!("{first} {phrase}") } else { person.clone() };
        let legal_name = (styled && self.chance(0.7)).then(|| person.clone());

        // Handles, derived from the name.
        let f = fold(first);
        let l = fold(last);
        let word = self.pick(niche.words);
        let base = if styled {
            let p = fold(phrase);
            match self.rng.random_range(0..4) {
                0 => format!("{f}.{p}"),
                1 => format!("{f}_{p}"),
                _ => format!("{f}{p}"),
            }
        } else {
            match self.rng.random_range(0..8) {
                0 | 1 => format!("{f}.{l}"),
                2 => format!("{f}{l}"),
                3 => format!("{f}_{l}"),
                4 => format!("{f}.{word}"),
                5 => format!("{f}{}{word}", l.chars().next().unwrap_or('x')),
                6 => format!("the{f}{l}"),
                _ => format!("its{f}"),
            }
        };
        let base = self.unique(None, base);
        let camel: String = display_name
            .split_whitespace()
            .map(|w| {
                if w.len() > 1 && w.chars().all(|c| c.is_ascii_uppercase()) {
                    w.to_owned()
                } else {
                    capitalized(&fold(w))
                }
            })
            .collect();

        // Accounts: the main one by niche or overall popularity, then 0–2 more.
        let primary = if self.chance(0.65) {
            let n = niche.platforms.len().min(3);
            niche.platforms[self.rng.random_range(0..n)]
        } else {
            self.weighted(MAIN_PLATFORMS)
        };
        let mut platforms = vec![primary];
        let extra = self.weighted(&[(0usize, 35), (1, 45), (2, 20)]);
        for _ in 0..extra {
            for _ in 0..10 {
                let p = if self.chance(0.6) { self.pick(niche.platforms) } else { self.weighted(MAIN_PLATFORMS) };
                if !platforms.contains(&p) {
                    platforms.push(p);
                    break;
                }
            }
        }

        let followers = self.main_followers(i);
        let mut accounts = Vec::new();
        let mut history = Vec::new();
        let mut primary_handle = String::new();
        for (n, &p) in platforms.iter().enumerate() {
            let want = match p {
                P::Youtube => camel.clone(),
                P::Twitch => base.replace('.', "_"),
                P::X => base.replace('.', "_").chars().take(13).collect(),
                P::Pinterest | P::Blog | P::Newsletter => base.replace('.', ""),
                P::Linkedin => format!("{f}{l}"),
                P::Podcast => format!("{}pod", base.replace(['.', '_'], "")),
                _ => base.clone(),
            };
            let handle = self.unique(Some(p), want);
            let url = match p {
                P::Blog => Some(format!("https://{}.example.com", handle.to_lowercase())),
                P::Newsletter => Some(format!("https://{}.example.net", handle.to_lowercase())),
                P::Podcast => Some(format!("https://podcasts.example.org/{}", handle.to_lowercase())),
                _ => None,
            };
            let final_followers = if n == 0 {
                followers
            } else {
                let share = self.between(0.02, 0.7);
                ((followers as f64 * share) as i64).max(40)
            };
            let er = self.engagement(final_followers, p);
            let views = self.views(final_followers, p);
            let mut account = AccountInput {
                platform: Some(p.slug().into()),
                handle: Some(handle.clone()),
                url,
                followers: Some(final_followers),
                average_views: views,
                engagement_rate_pct: Some(er),
                audience: self.chance(0.85).then(|| self.audience(country, niche, p)),
                audience_quality_pct: self.chance(0.4).then(|| round1(self.between(55.0, 98.0))),
                source: Some("demo data".into()),
                ..Default::default()
            };
            if n == 0 {
                primary_handle = handle;
                let mut obs = self.history(final_followers, views, er);
                if !obs.is_empty() {
                    let first_obs = obs.remove(0);
                    account.followers = Some(first_obs.followers);
                    account.average_views = first_obs.views;
                    account.engagement_rate_pct = Some(first_obs.er);
                    account.observed_at = Some(first_obs.at);
                }
                history = obs;
            } else {
                let days = if self.chance(0.2) { self.rng.random_range(31..46) } else { self.rng.random_range(0..30) };
                account.observed_at = Some(self.days_ago(days));
            }
            accounts.push(account);
        }

        // Contact points.
        let mut contacts = Vec::new();
        if self.chance(0.7) {
            let domain = self.weighted(&[("example.com", 50), ("example.org", 25), ("example.net", 25)]);
            let local = base.clone();
            let email = self.unique_contact("email", |n| {
                format!("{local}{}@{domain}", n.map(|n| n.to_string()).unwrap_or_default())
            });
            contacts.push(ContactInput { kind: Some("email".into()), value: Some(email), primary: true });
        }
        if self.chance(0.14) {
            let kind = if self.chance(0.4) { "whatsapp" } else { "phone" };
            let dial = country.dial;
            let area = self.rng.random_range(20..990);
            let mut number = self.rng.random_range(1_000_000..9_999_999);
            let phone = self.unique_contact(kind, |_| {
                number += 1;
                format!("+{dial} {area} {number}")
            });
            contacts.push(ContactInput { kind: Some(kind.into()), value: Some(phone), primary: false });
        }
        if self.chance(0.15) {
            let site = base.replace(['.', '_'], "-");
            let url = self.unique_contact("website", |n| {
                format!("https://{site}{}.example.com", n.map(|n| n.to_string()).unwrap_or_default())
            });
            contacts.push(ContactInput { kind: Some("website".into()), value: Some(url), primary: false });
        }

        // Relationship fields.
        let stage = self.weighted(&[
            ("discovered", 30),
            ("qualified", 22),
            ("contacted", 18),
            ("negotiating", 8),
            ("contracted", 6),
            ("active", 8),
            ("advocate", 3),
            ("paused", 3),
            ("declined", 2),
        ]);
        let do_not_contact = self.chance(0.03);
        let owner = if self.chance(0.6) {
            match self.owners.len() {
                0 => None,
                1 => self.owners.first().copied(),
                _ if self.chance(0.58) => self.owners.first().copied(),
                _ => self.owners.get(1).copied(),
            }
        } else {
            None
        };
        let pronouns = self.chance(0.5).then(|| {
            if self.chance(0.06) {
                "they/them"
            } else if female {
                if self.chance(0.9) { "she/her" } else { "she/they" }
            } else if self.chance(0.9) {
                "he/him"
            } else {
                "he/they"
            }
        });
        let mut languages = vec![country.languages[0].to_owned()];
        languages.extend(country.languages.iter().skip(1).map(|l| l.to_string()));
        if !languages.iter().any(|l| l == "en") && self.chance(0.6) {
            languages.push("en".into());
        }
        let mut niches = vec![niche.name.to_owned()];
        for _ in 0..self.weighted(&[(0usize, 45), (1, 40), (2, 15)]) {
            let other = NICHES[self.rng.random_range(0..NICHES.len())].name.to_owned();
            if !niches.contains(&other) {
                niches.push(other);
            }
        }
        let source = self.pick(SOURCES);
        let mut tags: Vec<String> = Vec::new();
        for _ in 0..self.weighted(&[(0usize, 25), (1, 35), (2, 28), (3, 12)]) {
            let t = self.pick(TAGS).to_owned();
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        if languages.iter().any(|l| l == "es") && self.chance(0.7) {
            tags.push("spanish-speaking".into());
        }
        if followers >= 1_000_000 && self.chance(0.5) && !tags.iter().any(|t| t == "vip") {
            tags.push("vip".into());
        }
        if source == "agency roster" && !tags.iter().any(|t| t == "agency-managed") {
            tags.push("agency-managed".into());
        }
        tags.truncate(4);

        let rate = rate_card(followers, self.between(0.7, 1.4));
        let mut custom = Map::new();
        if self.chance(0.3) {
            custom.insert("rate_card_eur".into(), rate.into());
        }
        if self.chance(0.2) {
            custom.insert("shirt_size".into(), self.pick(SIZES).into());
        }
        if source == "agency roster" {
            custom.insert("agency".into(), self.pick(AGENCIES).into());
        }
        if self.chance(0.08) {
            custom.insert("whitelisting".into(), Value::Bool(true));
        }
        if self.chance(0.06) {
            let until = (self.t0 + Duration::days(self.rng.random_range(30..240))).date();
            let until = format!("{:04}-{:02}-{:02}", until.year(), u8::from(until.month()), until.day());
            custom.insert("exclusive_until".into(), until.into());
        }

        let about = self.pick(niche.about);
        let bio = match self.rng.random_range(0..3) {
            0 => format!("{about}. Based in {city}."),
            1 => format!("{about} — from {city}."),
            _ => format!("{city}-based creator. {about}."),
        };
        let tone_notes = self.chance(0.25).then(|| self.pick(TONE_NOTES).to_owned());

        // Notes.
        let mut notes = Vec::new();
        if do_not_contact {
            notes.push("Asked us not to contact them again — respect it, no outreach.".to_owned());
        } else if self.chance(0.4) {
            for _ in 0..self.rng.random_range(1..3) {
                let t = self.pick(NOTES);
                let note = self.fill_note(t, rate);
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
        }

        let input = CreatorInput {
            display_name: Some(display_name),
            legal_name,
            pronouns: pronouns.map(str::to_owned),
            country: Some(country.code.into()),
            city: Some(city.into()),
            languages: Some(languages),
            timezone: Some(timezone.into()),
            bio: Some(bio),
            niches: Some(niches),
            tags: Some(tags),
            tone_notes,
            owner_id: owner.map(|o| o.to_string()),
            stage: Some(stage.into()),
            do_not_contact: Some(do_not_contact),
            source: Some(source.into()),
            custom_fields: (!custom.is_empty()).then_some(custom),
            contact_points: Some(contacts),
            touch_every_days: None,
            social_accounts: Some(accounts),
        };
        Plan { input, stage, primary, primary_handle, history, notes }
    }

    fn name(&mut self, country: &Country, female: bool) -> (&'static str, &'static str) {
        let first = if female { self.pick(country.female) } else { self.pick(country.male) };
        (first, self.pick(country.last))
    }

    /// The main account's following: every tier, most creators small; a few forced megas
    /// and macros so the demo always shows them.
    fn main_followers(&mut self, i: usize) -> i64 {
        let tier = if i % 29 == 11 {
            4
        } else if i % 19 == 7 {
            3
        } else {
            self.weighted(&[(0, 34), (1, 38), (2, 18), (3, 6), (4, 4)])
        };
        let (lo, hi, skew): (f64, f64, f64) = match tier {
            0 => (600.0, 9_950.0, 0.8),
            1 => (10_000.0, 99_500.0, 1.3),
            2 => (100_000.0, 495_000.0, 1.4),
            3 => (500_000.0, 990_000.0, 1.0),
            _ => (1_000_000.0, 9_000_000.0, 2.0),
        };
        let u = self.rng.random::<f64>().powf(skew);
        (lo * (hi / lo).powf(u)).round() as i64
    }

    /// Engagement in percent: higher for small accounts and on TikTok.
    fn engagement(&mut self, followers: i64, p: Platform) -> f64 {
        let base = 8.5 * (followers.max(100) as f64 / 1000.0).powf(-0.2);
        let platform = match p {
            P::Tiktok => 1.3,
            P::Youtube => 1.1,
            P::Twitch => 0.9,
            P::Linkedin => 0.8,
            P::Pinterest => 0.6,
            P::X => 0.5,
            _ => 1.0,
        };
        round2((base * platform * self.between(0.65, 1.35)).clamp(0.5, 9.0))
    }

    fn views(&mut self, followers: i64, p: Platform) -> Option<i64> {
        let share = match p {
            P::Tiktok => self.between(0.15, 0.9),
            P::Youtube => self.between(0.04, 0.35),
            P::Twitch => self.between(0.004, 0.03),
            _ => return None,
        };
        Some(((followers as f64 * share) as i64).max(1))
    }

    /// Observations of the main account over ~5 months, oldest first, ending with the
    /// current figures (3–4 points).
    fn history(&mut self, followers: i64, views: Option<i64>, er: f64) -> Vec<Obs> {
        let points = if self.chance(0.5) { 3 } else { 4 };
        let first_day: i64 = self.rng.random_range(140..171);
        // About a fifth are stale (last observed more than 30 days ago).
        let last_day: i64 =
            if self.chance(0.22) { self.rng.random_range(31..46) } else { self.rng.random_range(0..29) };
        let r = self.rng.random::<f64>();
        let growth = if r < 0.1 {
            self.between(-0.08, 0.0)
        } else if r < 0.85 {
            self.between(0.03, 0.3)
        } else {
            self.between(0.3, 0.9)
        };
        let mut out = Vec::with_capacity(points);
        for j in 0..points {
            let t = j as f64 / (points - 1) as f64;
            let last = j + 1 == points;
            let day = if j == 0 {
                first_day
            } else if last {
                last_day
            } else {
                let d = first_day as f64 - t * (first_day - last_day) as f64;
                d.round() as i64 + self.rng.random_range(-5..6)
            };
            let factor = if last { 1.0 } else { (1.0 + growth).powf(t - 1.0) * self.between(0.99, 1.01) };
            let f = if last { followers } else { ((followers as f64 * factor).round() as i64).max(1) };
            let v =
                views.map(|v| if last { v } else { ((v as f64 * factor * self.between(0.85, 1.15)) as i64).max(1) });
            let e = if last { er } else { round2((er * self.between(0.88, 1.12)).clamp(0.3, 12.0)) };
            let at = self.days_ago(day);
            out.push(Obs { followers: f, views: v, er: e, at });
        }
        out
    }

    fn audience(&mut self, country: &Country, niche: &Niche, p: Platform) -> AudienceInput {
        let mut a = AudienceInput::default();
        let own = self.between(38.0, 78.0);
        a.countries.insert(country.code.into(), floor1(own));
        let mut rest = (96.0 - own).max(0.0);
        let others = self.rng.random_range(2..=country.audience.len().min(4));
        for code in country.audience.iter().take(others) {
            let share = rest * self.between(0.25, 0.55);
            rest -= share;
            if share >= 0.5 {
                a.countries.insert((*code).into(), floor1(share));
            }
        }

        let weights: [f64; 7] = match p {
            P::Tiktok => [8.0, 38.0, 30.0, 14.0, 6.0, 3.0, 1.0],
            P::Twitch => [6.0, 42.0, 32.0, 13.0, 5.0, 1.0, 1.0],
            P::Youtube => [4.0, 28.0, 32.0, 18.0, 10.0, 5.0, 3.0],
            P::Instagram => [3.0, 30.0, 36.0, 18.0, 8.0, 3.0, 2.0],
            P::Linkedin => [0.0, 12.0, 40.0, 28.0, 14.0, 5.0, 1.0],
            _ => [1.0, 18.0, 35.0, 24.0, 13.0, 6.0, 3.0],
        };
        let noisy: Vec<f64> = weights.iter().map(|w| w * self.between(0.7, 1.3)).collect();
        let total: f64 = noisy.iter().sum();
        for (band, w) in AGE_BANDS.iter().zip(noisy) {
            let share = floor1(w / total * 100.0);
            if share > 0.0 {
                a.age_bands.insert((*band).into(), share);
            }
        }

        let female = self.between(niche.female.0, niche.female.1);
        let other = self.between(0.5, 3.0);
        let mut genders = BTreeMap::new();
        genders.insert("female".to_owned(), floor1(female));
        genders.insert("other".to_owned(), floor1(other));
        genders.insert("male".to_owned(), floor1(100.0 - female - other));
        a.genders = genders;

        if self.chance(0.5) {
            let lang = country.languages[0];
            if lang == "en" {
                a.languages.insert("en".into(), floor1(self.between(80.0, 95.0)));
            } else {
                let own = self.between(55.0, 85.0);
                a.languages.insert(lang.into(), floor1(own));
                a.languages.insert("en".into(), floor1((100.0 - own) * self.between(0.5, 0.9)));
            }
        }
        a
    }

    fn fill_note(&mut self, template: &str, rate: i64) -> String {
        let event = self.pick(EVENTS);
        let agency = self.pick(AGENCIES);
        let size = self.pick(SIZES);
        let days = self.rng.random_range(3..60);
        let date = self.t0 - Duration::days(days);
        let later = self.t0 + Duration::days(self.rng.random_range(30..200));
        template
            .replace("{event}", event)
            .replace("{rate3}", &(rate * 5 / 2 / 50 * 50).to_string())
            .replace("{rate}", &rate.to_string())
            .replace("{agency}", agency)
            .replace("{size}", size)
            .replace("{date}", &format!("{} {}", date.day(), date.month()))
            .replace("{month}", &format!("{} {}", later.month(), later.year()))
    }
}

/// A plausible fee per post in EUR, rounded to 50.
fn rate_card(followers: i64, jitter: f64) -> i64 {
    let fee = 40.0 * (followers.max(500) as f64 / 1000.0).powf(0.75) * jitter;
    ((fee / 50.0).round() as i64 * 50).max(100)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Rounds down to one decimal so shares never add up to more than 100.
fn floor1(x: f64) -> f64 {
    (x.max(0.0) * 10.0).floor() / 10.0
}

/// Lower-case ASCII letters and digits only, with accents dropped ("Müller" → "muller").
fn fold(s: &str) -> String {
    let mut out = String::new();
    for ch in s.to_lowercase().chars() {
        let mapped = match ch {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ą' => "a",
            'ç' | 'ć' | 'č' => "c",
            'è' | 'é' | 'ê' | 'ë' | 'ę' => "e",
            'ì' | 'í' | 'î' | 'ï' | 'ı' => "i",
            'ñ' | 'ń' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => "o",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ý' | 'ÿ' => "y",
            'ß' => "ss",
            'æ' => "ae",
            'ł' => "l",
            'ś' | 'ş' | 'š' => "s",
            'ź' | 'ż' | 'ž' => "z",
            'ğ' => "g",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => continue,
        };
        out.push_str(mapped);
    }
    out
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::{AppConfig, DbConfig, PasswordCost};
    use rapport_core::tier::Tier;
    use std::time::Instant;

    async fn open(dir: &tempfile::TempDir) -> App {
        App::open(
            &DbConfig::SqliteFile(dir.path().join("t.db")),
            AppConfig { password_cost: PasswordCost::Cheap, ..Default::default() },
        )
        .await
        .unwrap()
    }

    async fn demo_ctx(app: &App) -> Ctx {
        let ws = rapport_store::workspaces::find_by_slug(&mut app.db.read().await.unwrap().conn(), "demo-brand")
            .await
            .unwrap()
            .unwrap();
        Ctx::system(WorkspaceId(ws.id), Actor::System, "test")
    }

    #[test]
    fn names_fold_to_handle_characters() {
        assert_eq!(fold("Müller"), "muller");
        assert_eq!(fold("van der Merwe"), "vandermerwe");
        assert_eq!(fold("Ji-woo"), "jiwoo");
        assert_eq!(fold("Łukasz Wójcik"), "lukaszwojcik");
        assert_eq!(fold("O'Brien"), "obrien");
        assert_eq!(fold("Yılmaz Şahin Öztürk"), "yilmazsahinozturk");
        assert_eq!(capitalized("lena"), "Lena");
    }

    #[tokio::test]
    async fn seeding_builds_a_varied_workspace_once() {
        let dir = tempfile::tempdir().unwrap();
        let app = open(&dir).await;
        let started = Instant::now();
        let summary = seed(&app).await.unwrap();
        eprintln!("demo seed took {:?}", started.elapsed());
        assert!(summary.created);
        assert!(summary.creators >= 300, "{summary:?}");
        assert_eq!(summary.email, DEMO_EMAIL);
        assert_eq!(summary.password, DEMO_PASSWORD);

        let ctx = demo_ctx(&app).await;
        let mut countries = HashSet::new();
        let mut platforms = HashSet::new();
        let mut stages = HashSet::new();
        let mut stale = 0;
        let mut seen = 0;
        let mut emails = 0;
        let mut cursor = None;
        loop {
            let q = CreatorQuery {
                limit: Some("200".into()),
                cursor: cursor.clone(),
                dnc: Some("include".into()),
                ..Default::default()
            };
            let page = creators::list(&app, &ctx, &q).await.unwrap();
            for c in &page.items {
                seen += 1;
                countries.extend(c.country.clone());
                stages.insert(c.stage.clone());
                emails += usize::from(c.primary_email.is_some());
                assert!(!c.social_accounts.is_empty());
                for a in &c.social_accounts {
                    platforms.insert(a.platform.clone());
                    stale += usize::from(a.stale);
                    assert!(
                        a.handle.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '.' || ch == '_'),
                        "{}",
                        a.handle
                    );
                }
            }
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
        assert_eq!(seen, summary.creators);
        let pairs = crate::merges::candidates(&app, &ctx).await.unwrap();
        assert!(pairs.items.len() >= 2, "the Duplicates page has something to show");
        assert!(platforms.len() >= 8, "{platforms:?}");
        assert!(countries.len() >= 15, "{countries:?}");
        assert!(stages.len() >= 7, "{stages:?}");
        assert!(stale > 0);
        assert!(emails as i64 > summary.creators / 2);

        for tier in Tier::ALL {
            let q = CreatorQuery { tier: Some(tier.slug().into()), ..Default::default() };
            let total = creators::list(&app, &ctx, &q).await.unwrap().total.unwrap();
            eprintln!("{}: {total}", tier.slug());
            let min = match tier {
                Tier::Mega => 10,
                Tier::Macro => 15,
                _ => 1,
            };
            assert!(total >= min, "{}: {total}", tier.slug());
        }

        let deleted = CreatorQuery { deleted: Some("true".into()), ..Default::default() };
        assert_eq!(creators::list(&app, &ctx, &deleted).await.unwrap().total, Some(3));

        // Stage histories span months, so the conversion report has a funnel to show.
        let report = crate::pipeline::report(&app, &ctx, &Default::default()).await.unwrap();
        let discovered = &report.rows[0];
        assert!(discovered.entered >= 100 && discovered.reached_next >= 50, "{discovered:?}");
        assert!(discovered.median_days_in_stage.is_some_and(|d| d >= 3.0), "{discovered:?}");

        // The main accounts have a metric history for the sparkline.
        let page = creators::list(&app, &ctx, &CreatorQuery::default()).await.unwrap();
        let with_history = {
            let mut n = 0;
            for c in &page.items {
                for a in &c.social_accounts {
                    if accounts::snapshots(&app, &ctx, c.id, a.id).await.unwrap().len() >= 3 {
                        n += 1;
                    }
                }
            }
            n
        };
        assert!(with_history >= page.items.len() / 2, "{with_history}");

        // Conversations: responsiveness on record pages, overdue touches on Home.
        let home = crate::dashboard::home(&app, &ctx).await.unwrap();
        assert!(home.team_overdue_touches >= 10, "{}", home.team_overdue_touches);
        let talking = CreatorQuery { stage: Some("negotiating".into()), ..Default::default() };
        let mut replied = 0;
        for c in creators::list(&app, &ctx, &talking).await.unwrap().items {
            let r = crate::interactions::responsiveness(&app, &ctx, c.id).await.unwrap();
            replied += usize::from(r.creator_median_reply_minutes.is_some() && r.our_replies > 0);
        }
        assert!(replied >= 5, "{replied}");

        // A campaign in execution: a brief, deals at several stages, a draft waiting.
        let launch = crate::campaigns::list(&app, &ctx, &Default::default()).await.unwrap();
        assert_eq!(launch.len(), 1);
        let deals = crate::collaborations::list_for_campaign(&app, &ctx, launch[0].id).await.unwrap();
        let stages: HashSet<&str> = deals.iter().map(|d| d.stage.as_str()).collect();
        assert_eq!(stages, HashSet::from(["invited", "negotiating", "in_production", "declined"]));
        assert_eq!(crate::briefs::history(&app, &ctx, launch[0].id).await.unwrap().versions.len(), 1);
        let producing = deals.iter().find(|d| d.stage == "in_production").unwrap();
        let planned = crate::deliverables::list_for_collaboration(&app, &ctx, producing.id).await.unwrap();
        assert!(planned.iter().any(|d| d.status == "draft_submitted") && planned.iter().any(|d| d.draft_overdue));

        let again = seed(&app).await.unwrap();
        assert!(!again.created);
        assert_eq!(again.creators, summary.creators);
    }

    #[tokio::test]
    async fn the_demo_user_can_sign_in_even_after_a_password_change() {
        let dir = tempfile::tempdir().unwrap();
        let app = open(&dir).await;
        seed(&app).await.unwrap();
        crate::auth::login(&app, DEMO_EMAIL, DEMO_PASSWORD, None).await.unwrap();
        crate::auth::login(&app, "sam@rapport.example", DEMO_PASSWORD, None).await.unwrap();

        members::reset_password(&app, DEMO_EMAIL, "something-else-entirely").await.unwrap();
        assert!(crate::auth::login(&app, DEMO_EMAIL, DEMO_PASSWORD, None).await.is_err());
        let again = seed(&app).await.unwrap();
        assert!(!again.created);
        crate::auth::login(&app, DEMO_EMAIL, DEMO_PASSWORD, None).await.unwrap();
    }
}
