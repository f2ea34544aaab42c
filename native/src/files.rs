//! Reading source files safely: size cap, binary detection, walking with .gitignore.
use ignore::WalkBuilder;
use serde::Serialize;
use std::fs;
use std::path::Path;

/// Files larger than this are skipped (and reported) unless a request sets maxFileBytes.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// Why a file was not searched or parsed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// Reads a text file; Err(reason) when it is too large, binary (has a NUL byte) or unreadable.
/// Invalid UTF-8 is not an error: callers read it lossily.
pub fn read_text(path: &Path, max_bytes: u64) -> Result<Vec<u8>, String> {
    let meta = fs::metadata(path).map_err(|e| format!("unreadable: {e}"))?;
    if meta.len() > max_bytes {
        return Err(format!("too large: {} bytes (limit {max_bytes})", meta.len()));
    }
    let bytes = fs::read(path).map_err(|e| format!("unreadable: {e}"))?;
    if memchr::memchr(0, &bytes).is_some() {
        return Err("binary".to_string());
    }
    Ok(bytes)
}

/// A walker over root that honours .gitignore/.ignore (even outside a git repo), skips hidden
/// files, and never follows symlinks. Callers select files with `glob::Matcher`.
pub fn walker(root: &Path) -> WalkBuilder {
    let mut b = WalkBuilder::new(root);
    b.hidden(true).git_ignore(true).ignore(true).require_git(false).follow_links(false);
    b
}

/// Cuts a line for display to at most `max` bytes on a char boundary.
pub fn clip(line: &[u8], max: usize) -> String {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let s = String::from_utf8_lossy(line);
    if s.len() <= max {
        return s.into_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_text_and_rejects_binary_and_huge() {
        let d = std::env::temp_dir().join(format!("orch-native-files-{}", std::process::id()));
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("t.ts"), b"let a = 1;\n").unwrap();
        fs::write(d.join("b.bin"), b"ab\0cd").unwrap();
        fs::write(d.join("bad.ts"), b"let \xff = 1;\n").unwrap();
        assert_eq!(read_text(&d.join("t.ts"), 100).unwrap(), b"let a = 1;\n");
        assert_eq!(read_text(&d.join("b.bin"), 100).unwrap_err(), "binary");
        assert!(read_text(&d.join("t.ts"), 3).unwrap_err().starts_with("too large"));
        assert!(read_text(&d.join("bad.ts"), 100).is_ok());
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn clips_on_char_boundaries() {
        assert_eq!(clip("héllo".as_bytes(), 2), "h…");
        assert_eq!(clip(b"abc\r", 10), "abc");
    }
}
