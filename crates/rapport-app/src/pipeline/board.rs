//! The pipeline board: one column per main stage, then the side stages, then the
//! do-not-contact flag, each with its count and its first cards. The creator list's query
//! model filters it (owner, tag, platform… as URL parameters); a `stage` filter keeps only
//! the columns it names.

use crate::App;
use crate::context::Ctx;
use crate::creators::{self, CreatorQuery, CreatorView};
use crate::error::AppResult;
use rapport_core::pipeline::{DO_NOT_CONTACT, DO_NOT_CONTACT_LABEL, StageKind};

/// How many cards a column shows; the rest are a link to the list.
pub const CARDS_PER_COLUMN: usize = 20;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Main,
    Side,
    /// Creators marked do-not-contact, whatever their stage.
    DoNotContact,
}

#[derive(Debug, Clone)]
pub struct Column {
    /// The stage slug, or `do_not_contact`.
    pub slug: String,
    pub label: String,
    pub kind: ColumnKind,
    /// How many creators the column holds in all.
    pub total: i64,
    /// The first [`CARDS_PER_COLUMN`] of them, in the query's sort.
    pub cards: Vec<CreatorView>,
    /// The creator list query of the whole column (for "n more").
    pub list_query: CreatorQuery,
}

#[derive(Debug, Clone)]
pub struct Board {
    pub columns: Vec<Column>,
}

/// The query of one column: the board's filters, with the column's stage and flag.
fn column_query(base: &CreatorQuery, stage: Option<String>, dnc: Option<&str>) -> CreatorQuery {
    CreatorQuery {
        stage,
        dnc: dnc.map(str::to_owned),
        deleted: None,
        facets: None,
        cursor: None,
        limit: None,
        ..base.clone()
    }
}

/// The board of the caller's workspace, filtered by `query` (bad filters are a 422 naming
/// each parameter).
pub async fn board(app: &App, ctx: &Ctx, query: &CreatorQuery) -> AppResult<Board> {
    creators::check_query(app, ctx, query).await?;
    let stages = super::stages(app, ctx).await?;
    let wanted: Vec<&str> =
        query.stage.as_deref().unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    let mut columns: Vec<(String, String, ColumnKind, CreatorQuery)> = stages
        .all()
        .iter()
        .filter(|s| wanted.is_empty() || wanted.contains(&s.slug.as_str()))
        .map(|s| {
            let kind = if s.kind == StageKind::Main { ColumnKind::Main } else { ColumnKind::Side };
            (s.slug.clone(), s.label.clone(), kind, column_query(query, Some(s.slug.clone()), None))
        })
        .collect();
    columns.push((
        DO_NOT_CONTACT.into(),
        DO_NOT_CONTACT_LABEL.into(),
        ColumnKind::DoNotContact,
        column_query(query, query.stage.clone(), Some("only")),
    ));
    let mut out = Vec::with_capacity(columns.len());
    for (slug, label, kind, list_query) in columns {
        let page_query = CreatorQuery { limit: Some(CARDS_PER_COLUMN.to_string()), ..list_query.clone() };
        let (page, total) = creators::list_with_total(app, ctx, &page_query).await?;
        out.push(Column {
            slug,
            label,
            kind,
            total,
            cards: page.items.into_iter().map(crate::creators::Listed::into_view).collect(),
            list_query,
        });
    }
    Ok(Board { columns: out })
}
