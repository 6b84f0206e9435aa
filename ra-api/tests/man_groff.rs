//! The manual page renders with groff without a warning, and what the reader
//! sees is the declarations' text, character for character (Debian's groff;
//! package groff-base, installed by tests/env/packages.sh).

use std::io::Write;
use std::process::{Command, Stdio};

use ra_api::{ActionSpec, AgentMeta, ManPage, ParamSpec};

const PARAMS: &[ParamSpec] = &[
    ParamSpec::string("monitor_cmd")
        .shortdesc("Command run in the container")
        .longdesc(
            "Split into words, not run by a shell:\n.e.g. a line that starts with a dot,\n\
'quoted' words, C:\\dir\\file, --long-option, ~/path, a^b, `backticks`, caf\u{e9}.",
        )
        .default("sh -c 'exit 0'"),
    ParamSpec::integer("count").required().shortdesc("Rounds"),
];
const META: AgentMeta = AgentMeta {
    name: "demo",
    version: "0.1.0",
    shortdesc: "A demo agent",
    longdesc: "Does nothing.\n\n.SH NOT A SECTION",
    params: PARAMS,
    actions: &[
        ActionSpec::new("start", 20),
        ActionSpec::new("stop", 20),
        ActionSpec::new("monitor", 30).interval(10),
        ActionSpec::new("validate-all", 20),
        ActionSpec::new("meta-data", 5),
    ],
};

/// Renders roff with `groff -man -Tutf8 -ww`; returns (text without
/// overstrike, stderr).
fn groff(roff: &str) -> (String, String) {
    let child = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww"])
        .env("MANWIDTH", "200")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => panic!("groff not runnable ({e}): install groff-base"),
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(roff.as_bytes());
    }
    let out = match child.wait_with_output() {
        Ok(o) => o,
        Err(e) => panic!("groff: {e}"),
    };
    assert!(out.status.success(), "groff failed");
    (
        plain(&String::from_utf8_lossy(&out.stdout)),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Drops grotty's overstrike (`c\bc` bold, `_\bc` underline).
fn plain(s: &str) -> String {
    let mut out: Vec<char> = Vec::new();
    for c in s.chars() {
        if c == '\u{8}' {
            out.pop();
        } else {
            out.push(c);
        }
    }
    out.into_iter().collect()
}

/// The rendered text with runs of whitespace (line filling) made one space.
fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn renders_without_warnings_and_shows_the_text_verbatim() {
    let roff = ManPage::new(&META, "acme").to_roff();
    let (text, warnings) = groff(&roff);
    assert!(warnings.is_empty(), "groff -ww warned:\n{warnings}\n{roff}");
    let flat = words(&text);
    for needle in [
        "ocf_acme_demo - A demo agent",
        "Split into words, not run by a shell: .e.g. a line that starts with a dot,",
        "'quoted' words, C:\\dir\\file, --long-option, ~/path, a^b, `backticks`, caf\u{e9}.",
        "(optional, string, default \"sh -c 'exit 0'\")",
        "(required, integer, no default)",
        ".SH NOT A SECTION",
        "SUPPORTED PARAMETERS",
        "SUPPORTED ACTIONS",
        "validate-all Validates the resource's configuration. Suggested minimum timeout: 20s.",
        "monitor Checks the resource's state (probes and recurring monitors). Suggested minimum timeout: 30s. Suggested interval: 10s.",
        "EXAMPLE USAGE",
        "SEE ALSO",
    ] {
        assert!(flat.contains(needle), "{needle:?} not in the rendered page:\n{text}");
    }
    // The examples are literal blocks: line breaks and the continuation
    // backslashes survive, and they can be pasted into a shell.
    assert!(
        text.contains(
            "pcs resource create p_demo ocf:acme:demo \\\n             count=integer \\\n             op monitor interval=10s timeout=30s\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "crm configure primitive p_demo ocf:acme:demo \\\n             params \\\n               count=integer \\\n"
        ),
        "{text}"
    );
}
