//! The README and its pages under `docs/`: the front page stays short, every
//! page is linked from it, and every relative link resolves (the file
//! exists; an anchor is made by a heading of the page it points into, as
//! GitHub makes anchors). Unprivileged and quick.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// README.md and every `docs/*.md`, as paths relative to the workspace root.
fn pages() -> Vec<PathBuf> {
    let mut docs: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("docs"))
        .unwrap_or_else(|e| panic!("docs/: {e}"))
        .filter_map(|e| e.ok())
        .map(|e| PathBuf::from("docs").join(e.file_name()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    let mut all = vec![PathBuf::from("README.md")];
    all.extend(docs);
    all
}

fn read(page: &Path) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(page))
        .unwrap_or_else(|e| panic!("{}: {e}", page.display()))
}

/// The lines outside fenced code blocks.
fn prose(text: &str) -> Vec<&str> {
    let mut fenced = false;
    text.lines()
        .filter(|l| {
            if l.trim_start().starts_with("```") {
                fenced = !fenced;
                return false;
            }
            !fenced
        })
        .collect()
}

/// The anchors GitHub makes for the page's headings: lower case, links
/// reduced to their text, everything but letters, digits, `-`, `_` and
/// blanks dropped, blanks made `-`; a repeated anchor gets `-1`, `-2`, ...
fn anchors(text: &str) -> HashSet<String> {
    let mut seen = HashSet::new();
    for line in prose(text) {
        let Some(title) = line
            .strip_prefix('#')
            .map(|l| l.trim_start_matches('#'))
            .and_then(|l| l.strip_prefix(' '))
        else {
            continue;
        };
        let mut plain = String::new();
        let mut rest = title;
        while let Some(i) = rest.find("](") {
            plain.push_str(&rest[..i]);
            rest = rest[i..].split_once(')').map_or("", |(_, r)| r);
        }
        plain.push_str(rest);
        let base: String = plain
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let mut anchor = base.clone();
        let mut n = 0;
        while !seen.insert(anchor.clone()) {
            n += 1;
            anchor = format!("{base}-{n}");
        }
    }
    seen
}

/// The targets of the page's links and images outside code (`[text](target)`).
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in prose(text) {
        // inline code never holds a link
        let mut plain = String::new();
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 0 {
                plain.push_str(part);
            }
        }
        let mut rest = plain.as_str();
        while let Some(i) = rest.find("](") {
            rest = &rest[i + 2..];
            if let Some(end) = rest.find(')') {
                out.push(rest[..end].to_string());
                rest = &rest[end..];
            }
        }
    }
    out
}

#[test]
fn every_relative_link_resolves() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in pages() {
        let text = read(&page);
        for link in links(&text) {
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (path, anchor) = match link.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (link.as_str(), None),
            };
            let target = if path.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap_or(Path::new("")).join(path)
            };
            let on_disk = Path::new(ROOT).join(&target);
            if !on_disk.exists() {
                broken.push(format!(
                    "{}: {link} (no {})",
                    page.display(),
                    target.display()
                ));
                continue;
            }
            if let Some(anchor) = anchor {
                let heads = anchors(&std::fs::read_to_string(&on_disk).unwrap_or_default());
                if !heads.contains(anchor) {
                    broken.push(format!(
                        "{}: {link} (no heading makes #{anchor})",
                        page.display()
                    ));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    assert!(
        checked > 20,
        "only {checked} links found: is the parser right?"
    );
}

#[test]
fn the_front_page_is_short_and_links_every_page() {
    let readme = read(Path::new("README.md"));
    let lines = readme.lines().count();
    assert!(
        lines <= 250,
        "README.md has {lines} lines; the front page keeps under 250"
    );
    let linked: HashSet<String> = links(&readme)
        .into_iter()
        .map(|l| l.split('#').next().unwrap_or_default().to_string())
        .collect();
    for page in pages().into_iter().skip(1) {
        let page = page.display().to_string();
        assert!(linked.contains(&page), "README.md does not link {page}");
    }
}

/// The blocks the privileged matrix tests compare (tests/faults.rs,
/// tests/engine_gone.rs, tests/identity.rs) are where those tests look,
/// each once.
#[test]
fn generated_blocks_are_where_their_tests_look() {
    for (page, name) in [
        ("docs/faults.md", "fault-matrix"),
        ("docs/engine-gone.md", "engine-matrix"),
        ("docs/engine-gone.md", "identity-matrix"),
    ] {
        let text = read(Path::new(page));
        for marker in [
            format!("<!-- {name}: generated by "),
            format!("<!-- {name} end -->"),
        ] {
            assert_eq!(text.matches(&marker).count(), 1, "{page}: {marker}");
        }
        for other in pages() {
            if other != Path::new(page) {
                assert!(
                    !read(&other).contains(&format!("<!-- {name}")),
                    "{}: holds a {name} block too",
                    other.display()
                );
            }
        }
    }
}

/// Paths of the repository the pages name in code spans (`tests/...`,
/// `src/...`, ...) exist, so a file that moves takes its mentions along.
#[test]
fn every_repository_path_named_exists() {
    // made at run time, not committed
    const MADE_LATER: &[&str] = &["fuzz/artifacts/"];
    let tops = [
        "tests/",
        "src/",
        "agents/",
        "packaging/",
        "bench/",
        "ra-api/",
        "fuzz/",
        "examples/",
        ".ci/",
        "docs/",
    ];
    let mut missing = Vec::new();
    for page in pages() {
        let text = prose(&read(&page)).join("\n");
        for (i, span) in text.split('`').enumerate() {
            let path = span.trim_end_matches([':', ',', '.']);
            if i % 2 == 0
                || !tops.iter().any(|t| path.starts_with(t))
                || path.contains(['<', '*', ' ', '\n'])
                || MADE_LATER.contains(&path)
            {
                continue;
            }
            if !Path::new(ROOT).join(path).exists() {
                missing.push(format!("{}: `{path}`", page.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "paths named but not in the repository:\n{}",
        missing.join("\n")
    );
}
