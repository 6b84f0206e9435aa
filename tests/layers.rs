//! The agent's modules in layers, no arrow upward: each top-level module
//! of `src/` may use only modules of a lower layer (tests aside). A new
//! `use crate::...` that points up, or a module missing from the table,
//! fails here with the file and the import.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Every top-level module and its layer, lowest first.
const LAYERS: &[(&str, u8)] = &[
    // values and rules without I/O
    ("vip", 0),
    ("reason", 0),
    ("budget", 0),
    ("cmdline", 0),
    // the node's parts, each on its own
    ("engine", 1),
    ("net", 1),
    ("host", 2),
    ("state", 2),
    // the one table that judges what was seen, and the one error table
    ("classify", 3),
    ("error", 4),
    ("privilege", 5),
    ("params", 5),
    // the node handle, the announcements, the meta-data
    ("node", 6),
    ("announce", 6),
    ("meta", 6),
    // one observation for every action
    ("observe", 7),
    ("actions", 8),
    ("agent", 9),
];

fn layer(m: &str) -> Option<u8> {
    LAYERS.iter().find(|(n, _)| *n == m).map(|(_, l)| *l)
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The files `src/` declares as `#[cfg(test)] mod x;` (and what lies under
/// them): test code, which may reach anywhere.
fn test_files(src: &Path, files: &[PathBuf]) -> Vec<PathBuf> {
    let mut tests = Vec::new();
    for f in files {
        let text = fs::read_to_string(f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for w in lines.windows(2) {
            if w[0].trim() != "#[cfg(test)]" {
                continue;
            }
            let decl = w[1].trim();
            let Some(name) = decl
                .strip_prefix("pub(crate) mod ")
                .or_else(|| decl.strip_prefix("pub mod "))
                .or_else(|| decl.strip_prefix("mod "))
                .and_then(|r| r.strip_suffix(';'))
            else {
                continue;
            };
            let stem = f.with_extension("");
            let dir = match f.file_name().and_then(|n| n.to_str()) {
                Some("mod.rs" | "lib.rs") => f.parent().unwrap().to_path_buf(),
                _ => stem,
            };
            tests.push(dir.join(format!("{name}.rs")));
            tests.push(dir.join(name));
        }
    }
    tests.retain(|t| t.starts_with(src));
    tests
}

/// The code of a file without comments and without its inline
/// `#[cfg(test)] mod tests { ... }` (always last in this crate).
fn code(text: &str) -> String {
    let cut = text.find("#[cfg(test)]\nmod tests {").unwrap_or(text.len());
    text[..cut]
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            !(t.starts_with("//") || t.starts_with("///") || t.starts_with("//!"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// (importing module, imported module) -> the files that do it.
fn imports() -> BTreeMap<(String, String), Vec<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rs_files(&src, &mut files);
    let tests = test_files(&src, &files);
    let mut found: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for f in &files {
        if tests.iter().any(|t| f.starts_with(t)) {
            continue;
        }
        let rel = f.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" || top == "main" {
            continue;
        }
        let text = code(&fs::read_to_string(f).unwrap());
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            let m: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if m.is_empty() || m == top {
                continue;
            }
            let e = found.entry((top.clone(), m)).or_default();
            let shown = rel.display().to_string();
            if !e.contains(&shown) {
                e.push(shown);
            }
        }
    }
    found
}

#[test]
fn every_module_is_in_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = fs::read_to_string(src.join("lib.rs")).unwrap();
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod ")?.strip_suffix(';'))
        .collect();
    assert!(declared.len() >= 10, "{declared:?}");
    let missing: Vec<&&str> = declared.iter().filter(|m| layer(m).is_none()).collect();
    assert!(missing.is_empty(), "modules without a layer: {missing:?}");
}

#[test]
fn no_module_uses_one_of_its_own_layer_or_above() {
    let mut upward = Vec::new();
    for ((from, to), files) in imports() {
        let (Some(a), Some(b)) = (layer(&from), layer(&to)) else {
            upward.push(format!("{from} -> {to} (not in the table): {files:?}"));
            continue;
        };
        if b >= a {
            upward.push(format!(
                "{from} (layer {a}) -> {to} (layer {b}): {}",
                files.join(", ")
            ));
        }
    }
    assert!(
        upward.is_empty(),
        "imports that point up:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_check_sees_the_imports_it_is_about() {
    // the known downward arrows are found: the check reads the code
    let all = imports();
    for edge in [
        ("actions", "observe"),
        ("observe", "node"),
        ("node", "net"),
        ("classify", "engine"),
    ] {
        assert!(
            all.contains_key(&(edge.0.to_string(), edge.1.to_string())),
            "{edge:?} not seen"
        );
    }
    assert!(
        !all.contains_key(&("observe".to_string(), "actions".to_string())),
        "observe never imports actions"
    );
}
