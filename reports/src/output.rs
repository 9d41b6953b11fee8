//! An output directory written atomically.
//!
//! [`OutputDir::create_file`] opens a hidden temp file inside the directory
//! (`.summary.csv.tmp-<pid>-<n>`, created exclusively, so it never clobbers
//! anything). Nothing visible changes until [`OutputDir::commit`]: it fsyncs every
//! temp file, then renames them all into place one after the other (each rename
//! is atomic and replaces an older file of the same name), then fsyncs the
//! directory. Dropping an [`OutputDir`] without committing — an error was
//! returned, a panic unwound — removes its temp files, and the directories it
//! created if they are empty, so neither partial files nor new empty directories
//! are left behind, and files of an earlier complete run stay untouched.
//!
//! A process killed outright (SIGKILL, power loss) cannot clean up: it may leave
//! hidden `.*.tmp-*` files, never a partial file under a final name.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::ReportError;

/// Distinguishes temp names of several output directories in one process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// One file not yet committed.
#[derive(Debug)]
struct Pending {
    /// Final name inside the directory.
    name: String,
    /// Temp path.
    temp: PathBuf,
    /// Our own handle on the temp file, for the fsync at commit.
    file: Option<File>,
}

/// An output directory whose files all appear at once, or not at all.
#[derive(Debug)]
pub struct OutputDir {
    dir: PathBuf,
    /// Directories this value created, outermost first.
    created: Vec<PathBuf>,
    pending: Vec<Pending>,
    /// Whether any file was renamed into place (then the directory stays).
    renamed_any: bool,
}

impl OutputDir {
    /// Opens `dir` for output, creating it and its missing parents if needed.
    pub fn create(dir: &Path) -> Result<OutputDir, ReportError> {
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir.to_path_buf()
        };
        // Remember which ancestors are missing, to remove them again if nothing
        // gets committed.
        let mut created = Vec::new();
        let mut probe = Some(dir.as_path());
        while let Some(p) = probe {
            if p.as_os_str().is_empty() || fs::symlink_metadata(p).is_ok() {
                break;
            }
            created.push(p.to_path_buf());
            probe = p.parent();
        }
        created.reverse();
        let out = OutputDir {
            dir,
            created,
            pending: Vec::new(),
            renamed_any: false,
        };
        // On failure `out` is dropped, which removes whatever part got created.
        if let Err(source) = fs::create_dir_all(&out.dir) {
            return Err(ReportError::CreateDir {
                path: out.dir.clone(),
                source,
            });
        }
        if !out.dir.is_dir() {
            return Err(ReportError::CreateDir {
                path: out.dir.clone(),
                source: io::Error::other("exists and is not a directory"),
            });
        }
        Ok(out)
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the file `name` will be once committed.
    pub fn final_path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Opens a new temp file that [`commit`](Self::commit) will rename to `name`.
    ///
    /// `name` must be a plain file name (no separator, not `.` or `..`, not empty),
    /// and may be asked for once. The caller must flush its own buffers into the
    /// returned handle, and drop it, before `commit`.
    pub fn create_file(&mut self, name: &str) -> Result<File, ReportError> {
        let bad = |reason| ReportError::FileName {
            dir: self.dir.clone(),
            name: name.to_owned(),
            reason,
        };
        if name.is_empty()
            || name == "."
            || name == ".."
            || name.contains(['/', '\\'])
            || Path::new(name).file_name() != Some(name.as_ref())
        {
            return Err(bad("must be a plain file name"));
        }
        if self.pending.iter().any(|p| p.name == name) {
            return Err(bad("asked for twice"));
        }
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = self
            .dir
            .join(format!(".{name}.tmp-{}-{n}", std::process::id()));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|source| ReportError::Write {
                path: self.final_path(name),
                source,
            })?;
        // Registered before anything else can fail, so Drop removes it.
        self.pending.push(Pending {
            name: name.to_owned(),
            temp,
            file: None,
        });
        let theirs = file.try_clone().map_err(|source| ReportError::Write {
            path: self.final_path(name),
            source,
        })?;
        if let Some(p) = self.pending.last_mut() {
            p.file = Some(file);
        }
        Ok(theirs)
    }

    /// Syncs every temp file to disk and renames them all into place.
    ///
    /// Returns the final paths, in the order the files were created. On error the
    /// files not yet renamed are removed; files already renamed stay (they are
    /// complete).
    pub fn commit(mut self) -> Result<Vec<PathBuf>, ReportError> {
        // First make every file durable, so that a failure here changes nothing.
        for p in &mut self.pending {
            if let Some(file) = p.file.take() {
                file.sync_all().map_err(|source| ReportError::Write {
                    path: self.dir.join(&p.name),
                    source,
                })?;
            }
        }
        let mut done = Vec::with_capacity(self.pending.len());
        // Rename in creation order; `pending` shrinks so Drop only sees the rest.
        let pending = std::mem::take(&mut self.pending);
        let mut rest = pending.into_iter();
        while let Some(p) = rest.next() {
            let to = self.dir.join(&p.name);
            if let Err(source) = fs::rename(&p.temp, &to) {
                self.pending.push(p);
                self.pending.extend(rest);
                // Drop removes the leftovers (this one included).
                let last = &self.pending[0];
                return Err(ReportError::Commit {
                    from: last.temp.clone(),
                    to,
                    source,
                });
            }
            self.renamed_any = true;
            done.push(to);
        }
        sync_dir(&self.dir);
        Ok(done)
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        for mut p in self.pending.drain(..) {
            // Close our handle first: some platforms refuse to remove open files.
            drop(p.file.take());
            let _ = fs::remove_file(&p.temp);
        }
        if !self.renamed_any {
            // Innermost first; remove_dir refuses non-empty directories, so
            // anything someone else put there meanwhile is kept.
            for d in self.created.iter().rev() {
                if fs::remove_dir(d).is_err() {
                    break;
                }
            }
        }
    }
}

/// Makes the renames durable where the platform allows it (best effort: some
/// file systems refuse to sync a directory, and the data itself is synced).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;
    use crate::test_util::{entries, Scratch};

    #[test]
    fn commit_renames_every_file_into_place_at_once() {
        let s = Scratch::new("commit");
        let mut out = OutputDir::create(s.path()).unwrap();
        let mut a = out.create_file("a.csv").unwrap();
        let mut b = out.create_file("b.csv").unwrap();
        a.write_all(b"x\n1\n").unwrap();
        b.write_all(b"y\n2\n").unwrap();
        drop((a, b));
        // Before the commit only hidden temp files exist.
        let before = entries(s.path());
        assert_eq!(before.len(), 2);
        assert!(
            before
                .iter()
                .all(|n| n.starts_with('.') && n.contains(".tmp-")),
            "{before:?}"
        );
        let files = out.commit().unwrap();
        assert_eq!(files, [s.path().join("a.csv"), s.path().join("b.csv")]);
        assert_eq!(entries(s.path()), ["a.csv", "b.csv"]);
        assert_eq!(fs::read(s.path().join("a.csv")).unwrap(), b"x\n1\n");
        assert_eq!(fs::read(s.path().join("b.csv")).unwrap(), b"y\n2\n");
    }

    #[test]
    fn commit_replaces_files_of_an_earlier_run() {
        let s = Scratch::new("replace");
        fs::create_dir_all(s.path()).unwrap();
        fs::write(s.path().join("a.csv"), "old").unwrap();
        let mut out = OutputDir::create(s.path()).unwrap();
        out.create_file("a.csv").unwrap().write_all(b"new").unwrap();
        out.commit().unwrap();
        assert_eq!(fs::read_to_string(s.path().join("a.csv")).unwrap(), "new");
        assert_eq!(entries(s.path()), ["a.csv"]);
    }

    #[test]
    fn dropping_without_commit_leaves_no_files_and_no_new_directory() {
        let s = Scratch::new("drop");
        let nested = s.path().join("deeper/out");
        let mut out = OutputDir::create(&nested).unwrap();
        assert!(nested.is_dir());
        out.create_file("a.csv")
            .unwrap()
            .write_all(b"partial")
            .unwrap();
        drop(out);
        assert!(!s.path().exists(), "created directories must go too");
    }

    #[test]
    fn dropping_without_commit_keeps_an_existing_directory_and_its_files() {
        let s = Scratch::new("keep");
        fs::create_dir_all(s.path()).unwrap();
        fs::write(s.path().join("a.csv"), "complete").unwrap();
        let mut out = OutputDir::create(s.path()).unwrap();
        out.create_file("a.csv")
            .unwrap()
            .write_all(b"partial")
            .unwrap();
        out.create_file("b.csv").unwrap();
        drop(out);
        assert_eq!(entries(s.path()), ["a.csv"]);
        assert_eq!(
            fs::read_to_string(s.path().join("a.csv")).unwrap(),
            "complete"
        );
    }

    #[test]
    fn a_panic_before_commit_leaves_no_partial_output() {
        let s = Scratch::new("panic");
        let dir = s.path().to_path_buf();
        let r = std::panic::catch_unwind(move || {
            let mut out = OutputDir::create(&dir).unwrap();
            out.create_file("a.csv")
                .unwrap()
                .write_all(b"partial")
                .unwrap();
            panic!("simulated failure");
        });
        assert!(r.is_err());
        assert!(!s.path().exists());
    }

    #[test]
    fn file_names_must_be_plain_and_unique() {
        let s = Scratch::new("names");
        let mut out = OutputDir::create(s.path()).unwrap();
        for bad in ["", ".", "..", "a/b", "../x", "a\\b"] {
            assert!(
                matches!(out.create_file(bad), Err(ReportError::FileName { .. })),
                "{bad:?}"
            );
        }
        out.create_file("a.csv").unwrap();
        let e = out.create_file("a.csv").unwrap_err();
        assert!(e.to_string().contains("asked for twice"), "{e}");
    }

    #[test]
    fn a_directory_under_a_file_is_an_error_naming_the_path() {
        let s = Scratch::new("under-file");
        fs::create_dir_all(s.path()).unwrap();
        let file = s.path().join("plain");
        fs::write(&file, "x").unwrap();
        let target = file.join("out");
        let e = OutputDir::create(&target).unwrap_err();
        assert!(matches!(e, ReportError::CreateDir { .. }), "{e:?}");
        assert!(e.to_string().contains(&target.display().to_string()), "{e}");
        assert_eq!(entries(s.path()), ["plain"]);
    }
}
