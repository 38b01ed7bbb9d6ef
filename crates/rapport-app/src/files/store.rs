//! The bytes of uploaded files on disk, content-addressed by SHA-256
//! (`<root>/ab/cd/<sha256>`), so identical uploads share one copy. A write goes to a
//! temporary file in `<root>/tmp`, is flushed to disk, then renamed into place: a reader
//! never sees half a file, and a crash leaves at most a stray temporary file.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A directory of content-addressed file bytes.
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The storage key of bytes with this SHA-256 (lowercase hex): `ab/cd/<sha256>`.
    pub fn key_for(sha256: &str) -> String {
        let (a, rest) = sha256.split_at(2.min(sha256.len()));
        let b = rest.get(..2).unwrap_or_default();
        format!("{a}/{b}/{sha256}")
    }

    /// Where the bytes of a storage key live; `None` for a key this store never writes.
    pub fn path_of(&self, key: &str) -> Option<PathBuf> {
        let parts: Vec<&str> = key.split('/').collect();
        let hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
        match parts.as_slice() {
            [a, b, h] if a.len() == 2 && b.len() == 2 && h.len() == 64 && hex(a) && hex(b) && hex(h) => {
                Some(self.root.join(a).join(b).join(h))
            }
            _ => None,
        }
    }

    /// Stores the bytes under their hash (keeping an identical copy already there) and
    /// returns the key once they are durable.
    pub async fn put(&self, sha256: &str, bytes: std::sync::Arc<Vec<u8>>) -> std::io::Result<String> {
        let key = Self::key_for(sha256);
        let path = self.path_of(&key).ok_or_else(|| std::io::Error::other("not a SHA-256 hex digest"))?;
        let tmp_dir = self.root.join("tmp");
        tokio::task::spawn_blocking(move || write_atomically(&tmp_dir, &path, &bytes))
            .await
            .map_err(std::io::Error::other)??;
        Ok(key)
    }

    /// The bytes of a key.
    pub async fn get(&self, key: &str) -> std::io::Result<Vec<u8>> {
        let path = self.path_of(key).ok_or_else(|| std::io::Error::other(format!("bad storage key {key}")))?;
        tokio::fs::read(path).await
    }
}

fn write_atomically(tmp_dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() == bytes.len() as u64) {
        return Ok(());
    }
    std::fs::create_dir_all(tmp_dir)?;
    let parent = path.parent().ok_or_else(|| std::io::Error::other("a stored file has no directory"))?;
    std::fs::create_dir_all(parent)?;
    let tmp = tmp_dir.join(format!("{}.part", uuid::Uuid::now_v7().simple()));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    // The rename itself is durable once the directory entry is flushed.
    if let Ok(dir) = std::fs::File::open(parent) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn keys_are_two_levels_of_hash_prefix_and_nothing_else_maps_to_a_path() {
        let store = FileStore::new("/data/files");
        let key = FileStore::key_for(SHA);
        assert_eq!(key, format!("9f/86/{SHA}"));
        assert_eq!(store.path_of(&key), Some(PathBuf::from(format!("/data/files/9f/86/{SHA}"))));
        assert_eq!(store.path_of("../../etc/passwd"), None);
        assert_eq!(store.path_of(&format!("9f/../{SHA}")), None);
    }

    #[tokio::test]
    async fn bytes_written_read_back_and_a_second_write_keeps_one_copy() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        let key = store.put(SHA, std::sync::Arc::new(b"test".to_vec())).await.unwrap();
        assert_eq!(store.put(SHA, std::sync::Arc::new(b"test".to_vec())).await.unwrap(), key);
        assert_eq!(store.get(&key).await.unwrap(), b"test");
        assert_eq!(std::fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0, "no temporary file is left");
    }
}
