//! Root handling: every path a request names must stay inside its root, symlinks included.
use crate::rpc::{RpcError, INVALID_PARAMS, NOT_FOUND, OUTSIDE_ROOT};
use std::path::{Component, Path, PathBuf};

/// Canonicalises a request's root; it must be an existing folder.
pub fn open_root(root: &str) -> Result<PathBuf, RpcError> {
    if root.is_empty() {
        return Err(RpcError::new(INVALID_PARAMS, "root must not be empty"));
    }
    let p = Path::new(root)
        .canonicalize()
        .map_err(|e| RpcError::with_path(NOT_FOUND, format!("root {root}: {e}"), root))?;
    if !p.is_dir() {
        return Err(RpcError::with_path(INVALID_PARAMS, format!("root {root} is not a folder"), root));
    }
    Ok(p)
}

/// Resolves `rel` (relative to root, or absolute) to a canonical path inside root.
/// Refuses `..` escapes and symlinks whose target leaves the root.
pub fn resolve(root: &Path, rel: &str) -> Result<PathBuf, RpcError> {
    let raw = Path::new(rel);
    let joined = if raw.is_absolute() { raw.to_path_buf() } else { root.join(raw) };
    // Lexical check first, so that "../x" is refused even when it does not exist.
    let lexical = normalize(&joined);
    if !lexical.starts_with(root) {
        return Err(RpcError::with_path(OUTSIDE_ROOT, format!("{rel} is outside the root"), rel));
    }
    let canon = joined
        .canonicalize()
        .map_err(|e| RpcError::with_path(NOT_FOUND, format!("{rel}: {e}"), rel))?;
    if !canon.starts_with(root) {
        return Err(RpcError::with_path(OUTSIDE_ROOT, format!("{rel} resolves outside the root (symlink)"), rel));
    }
    Ok(canon)
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The path relative to root with forward slashes, as every reply reports paths.
pub fn relative(root: &Path, abs: &Path) -> String {
    let r = abs.strip_prefix(root).unwrap_or(abs);
    r.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("orch-native-paths-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(d.join("inside")).unwrap();
        fs::write(d.join("inside/a.ts"), "x").unwrap();
        d.canonicalize().unwrap()
    }

    #[test]
    fn resolves_inside_and_refuses_escapes() {
        let d = tmp("esc");
        let root = d.join("inside");
        assert_eq!(resolve(&root, "a.ts").unwrap(), root.join("a.ts"));
        assert_eq!(resolve(&root, "../inside/a.ts").unwrap(), root.join("a.ts"));
        assert_eq!(resolve(&root, "../x").unwrap_err().code, OUTSIDE_ROOT);
        assert_eq!(resolve(&root, "/etc/passwd").unwrap_err().code, OUTSIDE_ROOT);
        assert_eq!(resolve(&root, "missing.ts").unwrap_err().code, NOT_FOUND);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn refuses_symlinks_leaving_the_root() {
        let d = tmp("sym");
        let root = d.join("inside");
        fs::write(d.join("secret"), "s").unwrap();
        std::os::unix::fs::symlink(d.join("secret"), root.join("link")).unwrap();
        std::os::unix::fs::symlink(root.join("a.ts"), root.join("ok")).unwrap();
        assert_eq!(resolve(&root, "link").unwrap_err().code, OUTSIDE_ROOT);
        assert!(resolve(&root, "ok").is_ok());
        fs::remove_dir_all(&d).unwrap();
    }
}
