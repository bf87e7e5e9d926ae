//! The storage quota: reports stored plus uploads in progress stay under `max_storage`, and the
//! data directory's disk keeps `min_free_space` free. Past either, uploads are refused with 507
//! `storage_full` (logged once until space is back), never answered 2xx.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use super::error::AppError;

pub struct Quota {
    max_total: u64,
    min_free: u64,
    dir: PathBuf,
    stored: AtomicU64,
    reserved: Arc<AtomicU64>,
    full_logged: AtomicBool,
}

/// Bytes set aside for an upload in progress; given back when dropped.
pub struct Reservation {
    reserved: Arc<AtomicU64>,
    bytes: u64,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.reserved.fetch_sub(self.bytes, Ordering::SeqCst);
    }
}

/// Bytes free for an unprivileged writer on the file system holding `dir`.
pub fn free_space(dir: &std::path::Path) -> std::io::Result<u64> {
    let st = rustix::fs::statvfs(dir)?;
    Ok(st.f_bavail.saturating_mul(st.f_frsize))
}

impl Quota {
    pub fn new(max_total: u64, min_free: u64, dir: PathBuf, stored: u64) -> Quota {
        Quota {
            max_total,
            min_free,
            dir,
            stored: AtomicU64::new(stored),
            reserved: Arc::default(),
            full_logged: AtomicBool::new(false),
        }
    }

    /// Sets aside `bytes` for an upload, or refuses with `storage_full`.
    pub fn reserve(&self, bytes: u64) -> Result<Reservation, AppError> {
        let before = self.reserved.fetch_add(bytes, Ordering::SeqCst);
        let r = Reservation {
            reserved: self.reserved.clone(),
            bytes,
        };
        let total = self.stored.load(Ordering::SeqCst) + before + bytes;
        if self.max_total > 0 && total > self.max_total {
            return Err(self.full(format_args!(
                "stored reports and uploads in progress would reach {total} bytes, over max_storage {}",
                self.max_total
            )));
        }
        // Every upload in progress may still write its reservation to the disk.
        match free_space(&self.dir) {
            Ok(free) if free.saturating_sub(before + bytes) < self.min_free => {
                return Err(self.full(format_args!(
                    "{free} bytes free on the data directory's disk, and min_free_space is {}",
                    self.min_free
                )));
            }
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, dir = %self.dir.display(), "cannot read the free space of the data directory's disk")
            }
        }
        if self.full_logged.swap(false, Ordering::SeqCst) {
            tracing::info!("storage quota: reports are accepted again");
        }
        Ok(r)
    }

    fn full(&self, why: std::fmt::Arguments<'_>) -> AppError {
        if !self.full_logged.swap(true, Ordering::SeqCst) {
            tracing::warn!(%why, "storage quota reached: refusing reports with 507 storage_full until space is freed (this is logged once)");
        }
        AppError::storage_full()
    }

    /// Bytes of stored reports and messages.
    pub fn used(&self) -> u64 {
        self.stored.load(Ordering::SeqCst)
    }

    /// Counts a stored report.
    pub fn stored(&self, bytes: u64) {
        self.stored.fetch_add(bytes, Ordering::SeqCst);
    }
}
