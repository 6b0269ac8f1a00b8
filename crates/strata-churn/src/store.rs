//! Saved models: `WORKSPACE/models/churn/<version>.json`, and `current` naming the one in use.
//! Each file is written beside its final name, synced and renamed under the workspace's write
//! lock, so a killed training leaves the previous model in place.

use std::fs;
use std::path::{Path, PathBuf};

use strata_store::Workspace;

use crate::train::{ChurnModel, FORMAT};
use crate::{ChurnError, Result};

pub fn dir(ws: &Workspace) -> PathBuf {
    ws.root().join("models").join("churn")
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ChurnError + '_ {
    move |source| ChurnError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use strata_store::fsutil::{Visibility, write_bytes_atomic};
    write_bytes_atomic(path, Visibility::Private, bytes).map_err(io(path))
}

/// Saves `model` and makes it the current one. Returns the file written.
///
/// A training takes a while, so when another command holds the workspace's write lock this
/// waits for it (up to two minutes) rather than throw the model away.
pub fn save(ws: &Workspace, model: &mut ChurnModel) -> Result<PathBuf> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let _lock = loop {
        match ws.begin() {
            Err(strata_store::StoreError::Locked { .. })
                if std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(250));
            }
            other => break other?,
        }
    };
    let dir = dir(ws);
    fs::create_dir_all(&dir).map_err(io(&dir))?;
    // Files a killed save left behind (the lock is ours, so no save is under way).
    for e in fs::read_dir(&dir).map_err(io(&dir))?.flatten() {
        if e.path().extension().is_some_and(|x| x == "tmp") {
            let _ = fs::remove_file(e.path());
        }
    }
    let base = model.version.clone();
    let mut n = 1;
    while dir.join(format!("{}.json", model.version)).exists() {
        n += 1;
        model.version = format!("{base}-{n}");
    }
    let path = dir.join(format!("{}.json", model.version));
    let json = serde_json::to_vec(model)
        .map_err(|e| ChurnError::internal(format!("model does not serialise: {e}")))?;
    write_atomic(&path, &json)?;
    write_atomic(&dir.join("current"), model.version.as_bytes())?;
    Ok(path)
}

/// The model `strata churn train` saved last, if any.
pub fn load_current(ws: &Workspace) -> Result<Option<ChurnModel>> {
    let current = dir(ws).join("current");
    let version = match fs::read_to_string(&current) {
        Ok(v) => v.trim().to_string(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(&current)(e)),
    };
    load(ws, &version).map(Some)
}

/// A saved model by version.
pub fn load(ws: &Workspace, version: &str) -> Result<ChurnModel> {
    if version.is_empty() || version.contains(['/', '\\']) || version.starts_with('.') {
        return Err(ChurnError::Model(format!(
            "`{version}` is not a model version; expected a name like churn-20261123T080000Z"
        )));
    }
    let path = dir(ws).join(format!("{version}.json"));
    let text = fs::read_to_string(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            ChurnError::Model(format!(
                "{}: no such model; `strata churn train` saves one",
                path.display()
            ))
        } else {
            io(&path)(e)
        }
    })?;
    let format = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("format").and_then(|f| f.as_u64()));
    if format != Some(u64::from(FORMAT)) {
        return Err(ChurnError::Model(format!(
            "{}: model format {} is not the {FORMAT} this strata reads; train the model again",
            path.display(),
            format.map_or("unknown".into(), |f| f.to_string())
        )));
    }
    serde_json::from_str(&text).map_err(|e| {
        ChurnError::Model(format!(
            "{}: unreadable model ({e}); train the model again",
            path.display()
        ))
    })
}

/// Saved versions, oldest first.
pub fn versions(ws: &Workspace) -> Result<Vec<String>> {
    let dir = dir(ws);
    let mut out = Vec::new();
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(io(&dir)(e)),
    };
    for e in entries {
        let e = e.map_err(io(&dir))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(v) = name.strip_suffix(".json") {
            out.push(v.to_string());
        }
    }
    out.sort();
    Ok(out)
}
