//! The manual page ocf_croit_container(7): the committed file is what the
//! declarations produce, and it renders with groff and man without a warning,
//! showing every parameter with its default.
//!
//! Needs groff-base and man-db (tests/env/packages.sh); no root.

use std::process::{Command, Output};

use croit_container::agent::{man_page, META};

const PAGE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/agents/ocf_croit_container.7");

#[track_caller]
fn tool(cmd: &mut Command) -> Output {
    match cmd.output() {
        Ok(o) => o,
        Err(e) => panic!("{cmd:?} not runnable ({e}): install groff-base and man-db"),
    }
}

/// Text without grotty's overstrike, whitespace runs made one space.
fn flat(out: &[u8]) -> String {
    let mut chars: Vec<char> = Vec::new();
    for c in String::from_utf8_lossy(out).chars() {
        if c == '\u{8}' {
            chars.pop();
        } else {
            chars.push(c);
        }
    }
    let s: String = chars.into_iter().collect();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn committed_man_page_is_byte_identical_to_the_generated_one() {
    let committed = std::fs::read_to_string(PAGE).unwrap_or_default();
    assert_eq!(
        man_page(),
        committed,
        "agents/ocf_croit_container.7 is stale: regenerate with \
`cargo run -q --example man_page > agents/ocf_croit_container.7`"
    );
}

fn assert_shows_every_parameter(text: &str) {
    assert!(text.contains("ocf_croit_container - "), "{text}");
    for p in META.params {
        let kind = p.content.as_str();
        let facts = match (p.required, p.default) {
            (true, None) => format!("required, {kind}, no default)"),
            (false, None) => format!("(optional, {kind}, no default)"),
            (_, Some(d)) if kind == "string" => format!("{kind}, default \"{d}\")"),
            (_, Some(d)) => format!("{kind}, default {d})"),
        };
        assert!(
            text.contains(&format!("{} — {}", p.name, p.shortdesc)),
            "{} missing",
            p.name
        );
        assert!(text.contains(&facts), "{} lacks {facts:?}", p.name);
    }
    for a in META.actions {
        assert!(
            text.contains(&format!("Suggested minimum timeout: {}s", a.timeout_s)),
            "{}",
            a.name
        );
    }
    assert!(text.contains(
        "pcs resource create p_container ocf:croit:container \\ ip=string \\ op monitor interval=10s timeout=30s"
    ));
    assert!(text.contains(
        "crm configure primitive p_container ocf:croit:container \\ params \\ ip=string \\ op monitor interval=10s timeout=30s"
    ));
}

#[test]
fn groff_renders_it_without_warnings() {
    let o = tool(Command::new("groff").args(["-man", "-Tutf8", "-ww", PAGE]));
    assert!(o.status.success());
    let warnings = String::from_utf8_lossy(&o.stderr);
    assert!(warnings.is_empty(), "groff -ww warned:\n{warnings}");
    assert_shows_every_parameter(&flat(&o.stdout));
}

#[test]
fn man_renders_it_without_warnings() {
    // `man -l` runs the whole pipeline (preconv, tbl, groff, the pager off).
    let o = tool(
        Command::new("man")
            .args(["--warnings", "-l", PAGE])
            .env("LC_ALL", "C.UTF-8")
            .env("MANWIDTH", "100")
            .env("MANPAGER", "cat")
            .env("MAN_KEEP_FORMATTING", "0"),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let warnings = String::from_utf8_lossy(&o.stderr);
    assert!(warnings.is_empty(), "man --warnings:\n{warnings}");
    assert_shows_every_parameter(&flat(&o.stdout));
}
