//! Uploaded files (drafts, brief attachments): save checks the size limit and sniffs the
//! type from the bytes (refusing markup and unknown kinds), writes the bytes durably to the
//! content-addressed [`FileStore`], then records the row. Other features attach files by
//! [`FileId`] and read them back here, always within the caller's workspace.
//!
//! Deleting is soft and keeps the bytes (identical uploads share them).

pub mod store;

use crate::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::files::{FileType, sanitize_name, sniff};
use rapport_core::ids::FileId;
use rapport_store::Conn;
use rapport_store::files::{self as rows, FileRow};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Arc;
use time::OffsetDateTime;

pub use store::FileStore;

/// The default largest upload: 50 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 50 * 1024 * 1024;

/// Where uploads are kept and how large one may be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilesConfig {
    /// The file store's directory (`<data dir>/files` for the binary). `None`: uploads and
    /// downloads answer 503 — one-off tools that never touch files need not configure it.
    pub dir: Option<PathBuf>,
    /// The largest accepted file, in bytes.
    pub max_bytes: u64,
}

impl Default for FilesConfig {
    fn default() -> Self {
        Self { dir: None, max_bytes: DEFAULT_MAX_BYTES }
    }
}

/// An uploaded file as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FileView {
    #[schema(value_type = String, example = "fl_0193…")]
    pub id: FileId,
    /// The uploaded name, without any path or control characters.
    pub name: String,
    /// The type sniffed from the bytes (the client's claim is ignored).
    #[schema(example = "image/png")]
    pub content_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl FileView {
    /// Whether a browser may show it in the page (see [`FileType::inline`]).
    pub fn inline(&self) -> bool {
        FileType::from_mime(&self.content_type).inline()
    }
}

fn view(r: FileRow) -> FileView {
    FileView {
        id: FileId(r.id),
        name: r.original_name,
        content_type: r.content_type,
        size_bytes: r.size_bytes,
        sha256: r.sha256,
        created_at: r.created_at,
    }
}

/// The configured store, or 503 when this process has none.
pub fn file_store(app: &App) -> AppResult<FileStore> {
    app.config
        .files
        .dir
        .as_ref()
        .map(FileStore::new)
        .ok_or_else(|| AppError::Unavailable("file storage is not configured on this server".into()))
}

/// A size for people: `50 MB`, `512 KB` or `1234 bytes`.
pub fn human_size(bytes: u64) -> String {
    const K: u64 = 1024;
    if bytes >= K * K && bytes.is_multiple_of(K * K) {
        format!("{} MB", bytes / (K * K))
    } else if bytes >= K && bytes.is_multiple_of(K) {
        format!("{} KB", bytes / K)
    } else {
        format!("{bytes} bytes")
    }
}

/// Checks what a file is, before anything is written: within the size limit, not empty,
/// and of an accepted kind. Returns the sniffed kind.
pub fn check(max_bytes: u64, bytes: &[u8]) -> Result<FileType, Invalid> {
    if bytes.len() as u64 > max_bytes {
        return Err(Invalid::one(
            "file",
            format!("is larger than {}, the largest file accepted", human_size(max_bytes)),
        ));
    }
    if bytes.is_empty() {
        return Err(Invalid::one("file", "is empty"));
    }
    let kind = sniff(bytes);
    if !kind.accepted() {
        return Err(Invalid::one(
            "file",
            format!(
                "is {} ({}), which Rapport does not accept; upload images, video, audio, PDF, Office documents, \
                 ZIP archives or plain text",
                kind.label(),
                kind.mime()
            ),
        ));
    }
    Ok(kind)
}

/// Saves an upload: checks it (422 naming `file`), writes the bytes durably, then records
/// the file in the caller's workspace.
pub async fn save(app: &App, ctx: &Ctx, original_name: &str, bytes: Vec<u8>) -> AppResult<FileView> {
    ctx.require_contributor()?;
    let kind = check(app.config.files.max_bytes, &bytes)?;
    let fs = file_store(app)?;
    let size_bytes = i64::try_from(bytes.len()).map_err(|_| Invalid::one("file", "is too large"))?;
    let bytes = Arc::new(bytes);
    let hashed = Arc::clone(&bytes);
    let sha256 = tokio::task::spawn_blocking(move || hex::encode(Sha256::digest(hashed.as_slice())))
        .await
        .map_err(|e| AppError::Internal(format!("hashing an upload: {e}")))?;
    let storage_key = fs.put(&sha256, bytes).await.map_err(|e| AppError::Internal(format!("storing a file: {e}")))?;
    let row = FileRow {
        id: FileId::new().0,
        original_name: sanitize_name(original_name),
        content_type: kind.mime().to_owned(),
        size_bytes,
        sha256,
        storage_key,
        created_by: ctx.actor.to_string(),
        created_by_label: ctx.actor_label.clone(),
        created_at: now(),
        deleted_at: None,
    };
    let mut tx = app.db.begin().await?;
    rows::insert(&mut tx.conn(), ctx.ws(), &row).await?;
    tx.commit().await?;
    Ok(view(row))
}

/// A live file of the caller's workspace, on a connection the caller holds (so other
/// features can check an attachment inside their own transaction).
pub async fn get(c: &mut Conn<'_>, ctx: &Ctx, id: FileId) -> AppResult<FileView> {
    rows::get(c, ctx.ws(), id.0).await?.map(view).ok_or(AppError::NotFound)
}

/// The caller's live files among `ids`; an id that is missing, deleted or in another
/// workspace is left out.
pub async fn list(c: &mut Conn<'_>, ctx: &Ctx, ids: &[FileId]) -> AppResult<Vec<FileView>> {
    let ids: Vec<uuid::Uuid> = ids.iter().map(|i| i.0).collect();
    Ok(rows::list_by_ids(c, ctx.ws(), &ids).await?.into_iter().map(view).collect())
}

/// A file's metadata.
pub async fn show(app: &App, ctx: &Ctx, id: FileId) -> AppResult<FileView> {
    let mut r = app.db.read().await?;
    get(&mut r.conn(), ctx, id).await
}

/// A file's metadata and bytes.
pub async fn read(app: &App, ctx: &Ctx, id: FileId) -> AppResult<(FileView, Vec<u8>)> {
    let row = {
        let mut r = app.db.read().await?;
        rows::get(&mut r.conn(), ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?
    };
    let bytes = file_store(app)?
        .get(&row.storage_key)
        .await
        .map_err(|e| AppError::Internal(format!("reading the bytes of {}: {e}", FileId(row.id))))?;
    if bytes.len() as i64 != row.size_bytes {
        return Err(AppError::Internal(format!("the stored bytes of {} have the wrong size", FileId(row.id))));
    }
    Ok((view(row), bytes))
}

/// Deletes a file (soft: it is no longer found; the bytes stay, as other uploads may share them).
pub async fn delete(app: &App, ctx: &Ctx, id: FileId) -> AppResult<()> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    if rows::soft_delete(&mut tx.conn(), ctx.ws(), id.0, now()).await? == 0 {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Checks a list of file ids typed into another record (a brief's attachments, a draft's
/// files): each must be a live file of the caller's workspace. Problems are added to `e`
/// under `field`; the ids come back in their canonical form.
pub async fn require_all(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    e: &mut rapport_core::Invalid,
    field: &str,
    ids: Option<&[String]>,
) -> AppResult<Vec<String>> {
    let mut parsed: Vec<FileId> = Vec::new();
    for raw in ids.unwrap_or_default().iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match raw.parse::<FileId>() {
            Ok(id) if !parsed.contains(&id) => parsed.push(id),
            Ok(_) => {}
            Err(err) => e.add(field, format!("“{raw}” {err}")),
        }
    }
    let found = list(c, ctx, &parsed).await?;
    for id in &parsed {
        if !found.iter().any(|f| f.id == *id) {
            e.add(field, format!("{id} is not a file of this workspace"));
        }
    }
    Ok(parsed.iter().map(ToString::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(50 * 1024 * 1024), "50 MB");
        assert_eq!(human_size(512 * 1024), "512 KB");
        assert_eq!(human_size(1000), "1000 bytes");
    }

    #[test]
    fn a_file_is_checked_for_size_emptiness_and_kind_naming_the_file_field() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(check(1024, png), Ok(FileType::Png));
        let too_big = check(8, png).unwrap_err();
        assert_eq!(too_big.errors[0].field, "file");
        assert!(too_big.errors[0].message.contains("larger than 8 bytes"), "{too_big:?}");
        assert_eq!(check(1024, b"").unwrap_err().errors[0].message, "is empty");
        let svg = check(1024, b"<svg onload=\"alert(1)\"/>").unwrap_err();
        assert!(svg.errors[0].message.contains("image/svg+xml"), "{svg:?}");
    }
}
