//! A workspace folder: the tables as Parquet parts plus one manifest naming the parts that
//! make up each table.
//!
//! Layout:
//! ```text
//! DIR/manifest.json           which parts make up each table, the part lists of the last few
//!                             generations (for undo), and the history of changes
//! DIR/tables/<table>/*.parquet part files; only those named in the manifest are data
//! DIR/.lock                   held by the one writer
//! ```
//!
//! *Architecture invariant*: the manifest is only ever replaced by one `rename`, after every
//! file it names has been written and synced. A writer that fails or is killed at any point
//! leaves the previous manifest, and therefore the previous data, exactly as it was; the files
//! it left behind are named by no manifest and are removed by the next writer.

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Result, StoreError, io};
use crate::schema::{TABLES, TableSpec};

/// Names a table of the workspace: a canonical table ([`TableSpec`]) or a derived one that an
/// analysis writes (such as `customer_profile`), by its name.
pub trait TableName {
    fn table_name(&self) -> &str;
}

impl TableName for TableSpec {
    fn table_name(&self) -> &str {
        self.name
    }
}

impl<T: TableName + ?Sized> TableName for &T {
    fn table_name(&self) -> &str {
        (**self).table_name()
    }
}

impl TableName for str {
    fn table_name(&self) -> &str {
        self
    }
}

const MANIFEST: &str = "manifest.json";
const LOCK: &str = ".lock";
const TABLES_DIR: &str = "tables";
const FORMAT: u32 = 1;

/// The committed state of a workspace.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// Increases by one with every commit.
    pub generation: u64,
    pub created_at: String,
    pub updated_at: String,
    pub tables: BTreeMap<String, TableState>,
    /// What each commit did, oldest first.
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    /// The tables of the generations before this one that undo can still reach, oldest first.
    /// Their part files are kept until they fall out of this list.
    #[serde(default)]
    pub kept: Vec<Snapshot>,
}

/// The tables as one earlier generation committed them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    pub generation: u64,
    pub tables: BTreeMap<String, TableState>,
}

/// How many earlier generations a workspace keeps for undo unless told otherwise.
pub const DEFAULT_KEEP: usize = 10;

/// The history operation of an undo; its counts name the generation restored under
/// [`RESTORED_KEY`].
pub const UNDO_OPERATION: &str = "undo";
/// The count of an undo's history entry that holds the generation it restored.
pub const RESTORED_KEY: &str = "restored_generation";

impl Manifest {
    /// Generations undo can go back to, oldest first.
    pub fn reachable(&self) -> impl Iterator<Item = u64> + '_ {
        self.kept.iter().map(|s| s.generation)
    }

    /// The history entries whose changes make up the current state, oldest first: an undo is
    /// replaced by the entries of the generation it restored, so a change that was undone does
    /// not count.
    pub fn lineage(&self) -> Vec<&HistoryEntry> {
        self.lineage_at(self.generation)
    }

    /// The history entries whose changes make up the state of `generation`, oldest first.
    pub fn lineage_at(&self, generation: u64) -> Vec<&HistoryEntry> {
        let by_generation: std::collections::HashMap<u64, &HistoryEntry> =
            self.history.iter().map(|h| (h.generation, h)).collect();
        let mut out = Vec::new();
        let mut g = generation;
        while g > 0 {
            match by_generation.get(&g) {
                Some(h) if h.operation == UNDO_OPERATION => match h.counts.get(RESTORED_KEY) {
                    Some(&to) if to < g => g = to,
                    _ => g -= 1,
                },
                Some(h) => {
                    out.push(*h);
                    g -= 1;
                }
                None => g -= 1,
            }
        }
        out.reverse();
        out
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TableState {
    pub parts: Vec<Part>,
}

impl TableState {
    pub fn rows(&self) -> u64 {
        self.parts.iter().map(|p| p.rows).sum()
    }
    pub fn bytes(&self) -> u64 {
        self.parts.iter().map(|p| p.bytes).sum()
    }
}

/// One Parquet file of a table, named relative to the table's folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub file: String,
    pub rows: u64,
    pub bytes: u64,
}

/// A record of one commit, kept in the manifest as an audit trail.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub generation: u64,
    pub at: String,
    /// For example `import`.
    pub operation: String,
    pub table: String,
    /// Input files, as given.
    pub sources: Vec<String>,
    /// Counts such as rows read, inserted, updated, duplicated and rejected.
    pub counts: BTreeMap<String, u64>,
}

impl HistoryEntry {
    /// Whether the commit changed the shop's data (an import, a delete, an undo) rather than
    /// only what is computed from it. Operations that write only derived tables are named
    /// `analyze` or start with `segment`; what was computed before such a commit stays current.
    pub fn changes_data(&self) -> bool {
        !(self.operation == "analyze" || self.operation.starts_with("segment"))
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// An open workspace: its folder and the manifest as last read.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
    manifest: Manifest,
    /// Earlier generations a commit keeps for undo.
    keep: usize,
}

impl Workspace {
    /// Creates a workspace in `root`, which must be missing or an empty folder.
    pub fn init(root: &Path) -> Result<Workspace> {
        if root.join(MANIFEST).exists() {
            return Err(StoreError::AlreadyExists {
                path: root.to_path_buf(),
            });
        }
        if root.exists() {
            let mut entries = fs::read_dir(root).map_err(io(root))?;
            if entries.next().is_some() {
                return Err(StoreError::NotEmpty {
                    path: root.to_path_buf(),
                });
            }
        }
        fs::create_dir_all(root.join(TABLES_DIR)).map_err(io(root))?;
        for t in TABLES {
            let dir = root.join(TABLES_DIR).join(t.name);
            fs::create_dir_all(&dir).map_err(io(&dir))?;
        }
        let at = now();
        let manifest = Manifest {
            format: FORMAT,
            generation: 0,
            created_at: at.clone(),
            updated_at: at,
            tables: TABLES
                .iter()
                .map(|t| (t.name.to_string(), TableState::default()))
                .collect(),
            history: Vec::new(),
            kept: Vec::new(),
        };
        write_manifest(root, &manifest)?;
        Ok(Workspace {
            root: root.to_path_buf(),
            manifest,
            keep: DEFAULT_KEEP,
        })
    }

    /// Opens an existing workspace.
    pub fn open(root: &Path) -> Result<Workspace> {
        let manifest = read_manifest(root)?;
        Ok(Workspace {
            root: root.to_path_buf(),
            manifest,
            keep: DEFAULT_KEEP,
        })
    }

    /// The same workspace, whose commits keep `keep` earlier generations for undo.
    pub fn with_keep(mut self, keep: usize) -> Workspace {
        self.keep = keep;
        self
    }

    /// How many earlier generations a commit keeps.
    pub fn keep(&self) -> usize {
        self.keep
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The committed parts of a table (none for a table never imported).
    pub fn parts(&self, table: &(impl TableName + ?Sized)) -> &[Part] {
        self.manifest
            .tables
            .get(table.table_name())
            .map(|t| t.parts.as_slice())
            .unwrap_or(&[])
    }

    pub fn rows(&self, table: &(impl TableName + ?Sized)) -> u64 {
        self.parts(table).iter().map(|p| p.rows).sum()
    }

    /// Absolute paths of a table's committed part files.
    pub fn part_paths(&self, table: &(impl TableName + ?Sized)) -> Vec<PathBuf> {
        let dir = table_dir(&self.root, table);
        self.parts(table)
            .iter()
            .map(|p| dir.join(&p.file))
            .collect()
    }

    /// Re-reads the manifest, for example after a transaction committed.
    pub fn reload(&mut self) -> Result<()> {
        self.manifest = read_manifest(&self.root)?;
        Ok(())
    }

    /// Starts a write: takes the workspace lock, re-reads the manifest (another writer may have
    /// committed since this workspace was opened) and removes files that no manifest names.
    pub fn begin(&self) -> Result<Transaction> {
        let lock = WriteLock::acquire(&self.root)?;
        let base = read_manifest(&self.root)?;
        remove_orphans(&self.root, &base)?;
        Ok(Transaction {
            root: self.root.clone(),
            next: base.clone(),
            base,
            written: Vec::new(),
            committed: false,
            counter: 0,
            keep: self.keep,
            _lock: lock,
        })
    }
}

pub(crate) fn table_dir(root: &Path, table: &(impl TableName + ?Sized)) -> PathBuf {
    root.join(TABLES_DIR).join(table.table_name())
}

/// Every table the manifests know of, canonical first, then derived ones.
fn table_names<'a>(manifests: &[&'a Manifest]) -> Vec<&'a str> {
    let mut names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
    for m in manifests {
        for name in m.tables.keys() {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
    }
    names
}

fn read_manifest(root: &Path) -> Result<Manifest> {
    let path = root.join(MANIFEST);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::NotAWorkspace {
                path: root.to_path_buf(),
            });
        }
        Err(e) => return Err(io(&path)(e)),
    };
    let mut manifest: Manifest =
        serde_json::from_str(&text).map_err(|source| StoreError::Manifest {
            path: path.clone(),
            source,
        })?;
    if manifest.format != FORMAT {
        return Err(StoreError::ManifestVersion {
            path,
            found: manifest.format,
            expected: FORMAT,
        });
    }
    // A table added to strata after the workspace was made starts empty.
    for t in TABLES {
        manifest.tables.entry(t.name.to_string()).or_default();
    }
    Ok(manifest)
}

/// Replaces the manifest atomically (write, sync, rename, sync the folder), so the rename
/// itself survives a power cut.
fn write_manifest(root: &Path, manifest: &Manifest) -> Result<()> {
    let path = root.join(MANIFEST);
    let text = serde_json::to_vec_pretty(manifest).expect("a manifest always serialises");
    crate::fsutil::write_bytes_atomic(&path, crate::fsutil::Visibility::Private, &text)
        .map_err(io(&path))
}

/// The part files of every table the manifest names, in its current state or a kept one.
fn live_files(manifest: &Manifest) -> HashSet<(String, String)> {
    let states = std::iter::once(&manifest.tables).chain(manifest.kept.iter().map(|s| &s.tables));
    let mut live = HashSet::new();
    for tables in states {
        for (t, state) in tables {
            for p in &state.parts {
                live.insert((t.clone(), p.file.clone()));
            }
        }
    }
    live
}

/// Deletes part files in table folders that the manifest does not name: leftovers of a writer
/// that failed or was killed before it committed.
fn remove_orphans(root: &Path, manifest: &Manifest) -> Result<()> {
    // Every table folder, including a derived table's whose first write never committed.
    let mut names: Vec<String> = table_names(&[manifest])
        .into_iter()
        .map(str::to_string)
        .collect();
    if let Ok(entries) = fs::read_dir(root.join(TABLES_DIR)) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.path().is_dir() && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    for s in &manifest.kept {
        for name in s.tables.keys() {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    let live = live_files(manifest);
    for t in &names {
        let dir = table_dir(root, t.as_str());
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy().into_owned();
            // Only part files are ours to remove; anything else a person put here stays.
            let ours = name.starts_with("part-") && name.ends_with(".parquet");
            if ours && !live.contains(&(t.clone(), name)) && e.path().is_file() {
                tracing::debug!(file = %e.path().display(), "removing a file no manifest names");
                fs::remove_file(e.path()).map_err(io(e.path()))?;
            }
        }
    }
    // Temporary manifests of a writer killed while replacing it (`.manifest.json.*.tmp`; older
    // versions wrote `manifest.json.tmp`).
    for e in fs::read_dir(root).map_err(io(root))?.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let ours = name == format!("{MANIFEST}.tmp")
            || (name.starts_with(&format!(".{MANIFEST}.")) && name.ends_with(".tmp"));
        if ours && e.path().is_file() {
            fs::remove_file(e.path()).map_err(io(e.path()))?;
        }
    }
    Ok(())
}

/// The one-writer lock. The operating system releases it when the process ends, however it
/// ends, so a killed writer never leaves the workspace locked.
#[derive(Debug)]
struct WriteLock {
    _file: File,
}

impl WriteLock {
    fn acquire(root: &Path) -> Result<WriteLock> {
        let path = root.join(LOCK);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io(&path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let holder = fs::read_to_string(&path)
                    .ok()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .map(|pid| format!(" (process {pid})"))
                    .unwrap_or_default();
                return Err(StoreError::Locked {
                    path: root.to_path_buf(),
                    holder,
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&path)(e)),
        }
        // Record who holds it, for the message another writer sees.
        file.set_len(0).map_err(io(&path))?;
        write!(file, "{}", std::process::id()).map_err(io(&path))?;
        Ok(WriteLock { _file: file })
    }
}

/// A change to the workspace that becomes visible all at once on `commit`, or not at all.
#[derive(Debug)]
pub struct Transaction {
    root: PathBuf,
    base: Manifest,
    next: Manifest,
    /// Files this transaction wrote; deleted if it does not commit.
    written: Vec<PathBuf>,
    committed: bool,
    counter: u32,
    keep: usize,
    _lock: WriteLock,
}

impl Transaction {
    /// The manifest as it was when the transaction began.
    pub fn base(&self) -> &Manifest {
        &self.base
    }

    /// The generation this transaction will commit as.
    pub fn generation(&self) -> u64 {
        self.base.generation + 1
    }

    /// The table's parts as this transaction currently sees them.
    pub fn parts(&self, table: &(impl TableName + ?Sized)) -> &[Part] {
        self.next
            .tables
            .get(table.table_name())
            .map(|t| t.parts.as_slice())
            .unwrap_or(&[])
    }

    pub fn part_path(&self, table: &(impl TableName + ?Sized), part: &Part) -> PathBuf {
        table_dir(&self.root, table).join(&part.file)
    }

    /// A fresh path for a new part of `table`, remembered so it is removed if the
    /// transaction does not commit.
    pub fn new_part_path(
        &mut self,
        table: &(impl TableName + ?Sized),
    ) -> Result<(String, PathBuf)> {
        self.counter += 1;
        let file = format!("part-{:08}-{:04}.parquet", self.generation(), self.counter);
        let dir = table_dir(&self.root, table);
        // Derived tables get their folder on first write.
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join(&file);
        self.written.push(path.clone());
        Ok((file, path))
    }

    /// Adds a written part to the table.
    pub fn add_part(&mut self, table: &(impl TableName + ?Sized), part: Part) {
        self.next
            .tables
            .entry(table.table_name().to_string())
            .or_default()
            .parts
            .push(part);
    }

    /// Replaces (or, with `None`, drops) one part of the table.
    pub fn replace_part(
        &mut self,
        table: &(impl TableName + ?Sized),
        old: &str,
        new: Option<Part>,
    ) {
        let state = self
            .next
            .tables
            .entry(table.table_name().to_string())
            .or_default();
        if let Some(at) = state.parts.iter().position(|p| p.file == old) {
            match new {
                Some(p) => state.parts[at] = p,
                None => {
                    state.parts.remove(at);
                }
            }
        }
    }

    /// Replaces every part of a table with `parts`: how analyses publish a derived table.
    pub fn replace_table(&mut self, table: &(impl TableName + ?Sized), parts: Vec<Part>) {
        self.next
            .tables
            .entry(table.table_name().to_string())
            .or_default()
            .parts = parts;
    }

    /// Makes every table what it was at `generation`, one of the generations the workspace
    /// keeps ([`Manifest::reachable`]); the files are shared, nothing is copied.
    pub fn restore(&mut self, generation: u64) -> Result<()> {
        let snapshot = self
            .base
            .kept
            .iter()
            .find(|s| s.generation == generation)
            .ok_or_else(|| StoreError::Unreachable {
                generation,
                current: self.base.generation,
                oldest: self.base.kept.first().map(|s| s.generation),
            })?;
        self.next.tables = snapshot.tables.clone();
        for t in TABLES {
            self.next.tables.entry(t.name.to_string()).or_default();
        }
        Ok(())
    }

    /// Records what this commit did in the manifest's history.
    pub fn record(&mut self, entry: HistoryEntry) {
        self.next.history.push(entry);
    }

    /// Makes every change visible in one step and removes the files it replaced.
    pub fn commit(mut self) -> Result<Manifest> {
        let table_dirs: HashSet<PathBuf> = self
            .written
            .iter()
            .filter_map(|p| p.parent().map(Path::to_path_buf))
            .collect();
        for d in &table_dirs {
            crate::fsutil::sync_dir(d).map_err(io(d))?;
        }
        self.next.generation = self.generation();
        self.next.updated_at = now();
        // The generation this one replaces joins the kept ones; the oldest beyond the window
        // fall out.
        self.next.kept.push(Snapshot {
            generation: self.base.generation,
            tables: self.base.tables.clone(),
        });
        let excess = self.next.kept.len().saturating_sub(self.keep);
        self.next.kept.drain(..excess);
        write_manifest(&self.root, &self.next)?;
        self.committed = true;
        // The old manifest is gone, so parts it named (current or kept) and the new one does
        // not are garbage. A failure here loses nothing: the next writer removes them.
        let live = live_files(&self.next);
        for (t, file) in live_files(&self.base) {
            if !live.contains(&(t.clone(), file.clone())) {
                let _ = fs::remove_file(table_dir(&self.root, t.as_str()).join(&file));
            }
        }
        Ok(self.next.clone())
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        if !self.committed {
            for p in &self.written {
                let _ = fs::remove_file(p);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::ORDERS;

    fn write_empty_part(txn: &mut Transaction) -> Part {
        let (file, path) = txn.new_part_path(&ORDERS).unwrap();
        let w = crate::PartWriter::create(&path, ORDERS.schema()).unwrap();
        let (rows, bytes) = w.finish().unwrap();
        Part { file, rows, bytes }
    }

    #[test]
    fn init_refuses_a_folder_with_files_and_open_needs_a_manifest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x"), "x").unwrap();
        assert!(matches!(
            Workspace::init(dir.path()),
            Err(StoreError::NotEmpty { .. })
        ));
        let e = Workspace::open(dir.path()).unwrap_err();
        assert!(e.to_string().contains("strata init"), "{e}");
        assert!(e.is_user_error());
    }

    #[test]
    fn uncommitted_transactions_leave_nothing_and_commits_are_visible() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(&dir.path().join("ws")).unwrap();
        let path = {
            let mut txn = ws.begin().unwrap();
            let part = write_empty_part(&mut txn);
            let path = txn.part_path(&ORDERS, &part);
            txn.add_part(&ORDERS, part);
            assert!(path.exists());
            path
        };
        assert!(!path.exists(), "a dropped transaction removes its files");
        assert_eq!(Workspace::open(ws.root()).unwrap().manifest().generation, 0);

        let mut txn = ws.begin().unwrap();
        let part = write_empty_part(&mut txn);
        txn.add_part(&ORDERS, part.clone());
        let m = txn.commit().unwrap();
        assert_eq!(m.generation, 1);
        let ws = Workspace::open(ws.root()).unwrap();
        assert_eq!(ws.parts(&ORDERS), &[part]);
    }

    #[test]
    fn one_writer_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(dir.path()).unwrap();
        let first = ws.begin().unwrap();
        let e = ws.begin().unwrap_err();
        assert!(matches!(e, StoreError::Locked { .. }), "{e}");
        assert!(
            e.to_string()
                .contains(&format!("process {}", std::process::id())),
            "{e}"
        );
        drop(first);
        ws.begin().unwrap();
    }

    #[test]
    fn files_left_by_a_killed_writer_are_removed_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(dir.path()).unwrap();
        let orphan = table_dir(dir.path(), &ORDERS).join("part-00000009-0001.parquet");
        std::fs::write(&orphan, b"half a file").unwrap();
        std::fs::write(dir.path().join("manifest.json.tmp"), b"{").unwrap();
        std::fs::write(dir.path().join(".manifest.json.a1B2c3.tmp"), b"{").unwrap();
        // A derived table whose first write was killed, and things a person left around.
        let derived = dir.path().join("tables/customer_profile");
        std::fs::create_dir_all(&derived).unwrap();
        std::fs::write(derived.join("part-00000003-0001.parquet"), b"half").unwrap();
        std::fs::write(table_dir(dir.path(), &ORDERS).join("notes.txt"), b"mine").unwrap();
        std::fs::create_dir(table_dir(dir.path(), &ORDERS).join("backup")).unwrap();
        let _txn = ws.begin().unwrap();
        assert!(!orphan.exists());
        assert!(!derived.join("part-00000003-0001.parquet").exists());
        assert!(table_dir(dir.path(), &ORDERS).join("notes.txt").exists());
        assert!(!dir.path().join("manifest.json.tmp").exists());
        assert!(!dir.path().join(".manifest.json.a1B2c3.tmp").exists());
    }

    #[test]
    fn a_corrupt_manifest_is_reported_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        Workspace::init(dir.path()).unwrap();
        std::fs::write(dir.path().join("manifest.json"), b"{ not json").unwrap();
        let e = Workspace::open(dir.path()).unwrap_err();
        assert!(e.to_string().contains("manifest.json is unreadable"), "{e}");
    }

    fn entry(generation: u64, operation: &str, restored: Option<u64>) -> HistoryEntry {
        HistoryEntry {
            generation,
            at: now(),
            operation: operation.into(),
            table: "orders".into(),
            sources: Vec::new(),
            counts: restored
                .map(|g| (RESTORED_KEY.to_string(), g))
                .into_iter()
                .collect(),
        }
    }

    /// Commits one new order part; returns its file name.
    fn commit_part(ws: &Workspace) -> String {
        let mut txn = ws.begin().unwrap();
        let part = write_empty_part(&mut txn);
        let file = part.file.clone();
        txn.add_part(&ORDERS, part);
        txn.record(entry(txn.generation(), "import", None));
        txn.commit().unwrap();
        file
    }

    #[test]
    fn commits_keep_the_last_generations_files_and_prune_older_ones() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(dir.path()).unwrap().with_keep(2);
        let files: Vec<String> = (0..3).map(|_| commit_part(&ws)).collect();
        // Each commit replaces every order part with a new one, so only kept generations hold
        // the older files.
        let replace = |ws: &Workspace| {
            let mut txn = ws.begin().unwrap();
            let part = write_empty_part(&mut txn);
            txn.replace_table(&ORDERS, vec![part.clone()]);
            txn.commit().unwrap();
            part.file
        };
        let last = replace(&ws);
        let m = Workspace::open(dir.path()).unwrap().manifest().clone();
        assert_eq!(m.generation, 4);
        assert_eq!(m.reachable().collect::<Vec<_>>(), vec![2, 3]);
        let path = |f: &str| table_dir(dir.path(), &ORDERS).join(f);
        // Generation 3 named all three files: all kept; nothing older than 2 remains.
        for f in &files {
            assert!(path(f).exists(), "{f} is named by a kept generation");
        }
        assert!(path(&last).exists());
        // The next writer's orphan sweep leaves kept files alone.
        drop(ws.begin().unwrap());
        assert!(path(&files[2]).exists());
        // Two more replacements push generations 2 and 3 out: their files go.
        replace(&ws);
        replace(&ws);
        let m = Workspace::open(dir.path()).unwrap().manifest().clone();
        assert_eq!(m.reachable().collect::<Vec<_>>(), vec![4, 5]);
        for f in &files {
            assert!(!path(f).exists(), "{f} fell out of the window");
        }
        assert!(path(&last).exists(), "generation 4 is still kept");
    }

    #[test]
    fn restore_brings_back_a_kept_generation_and_refuses_others() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(dir.path()).unwrap().with_keep(3);
        let a = commit_part(&ws);
        let b = commit_part(&ws);
        let _c = commit_part(&ws);
        let _d = commit_part(&ws);
        let mut txn = ws.begin().unwrap();
        let e = txn.restore(0).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Invalid);
        assert!(
            e.to_string()
                .contains("the oldest generation undo can reach is 1"),
            "{e}"
        );
        let e = txn.restore(4).unwrap_err();
        assert!(
            e.to_string().contains("the workspace is at generation 4"),
            "{e}"
        );
        txn.restore(2).unwrap();
        txn.record(entry(txn.generation(), UNDO_OPERATION, Some(2)));
        let m = txn.commit().unwrap();
        assert_eq!(m.generation, 5);
        let files: Vec<&str> = m.tables["orders"]
            .parts
            .iter()
            .map(|p| p.file.as_str())
            .collect();
        assert_eq!(files, vec![a.as_str(), b.as_str()]);
        // Generation 4 is kept, so the undo itself can be undone.
        assert_eq!(m.reachable().collect::<Vec<_>>(), vec![2, 3, 4]);
        let ws = Workspace::open(dir.path()).unwrap();
        for p in ws.part_paths(&ORDERS) {
            assert!(p.exists());
        }
    }

    use crate::error::ErrorKind;

    #[test]
    fn lineage_leaves_out_what_an_undo_took_back() {
        let mut m = Workspace::init(tempfile::tempdir().unwrap().path())
            .unwrap()
            .manifest()
            .clone();
        m.history = vec![
            entry(1, "import", None),
            entry(2, "analyze", None),
            entry(3, "import", None),
            entry(4, UNDO_OPERATION, Some(2)),
        ];
        m.generation = 4;
        let ops: Vec<u64> = m.lineage().iter().map(|h| h.generation).collect();
        assert_eq!(ops, vec![1, 2]);
        // Undoing the undo restores generation 3: the import is back.
        m.history.push(entry(5, UNDO_OPERATION, Some(3)));
        m.generation = 5;
        let ops: Vec<u64> = m.lineage().iter().map(|h| h.generation).collect();
        assert_eq!(ops, vec![1, 2, 3]);
    }
}
