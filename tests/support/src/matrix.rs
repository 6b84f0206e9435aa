//! Fault matrices: scenarios that each return the answers they observed
//! ([`Rows`]), run a few at a time, rendered as a table of the docs that the test
//! compares with the committed one (`CROIT_UPDATE_README=1` rewrites it).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::agent::{expect, Call, Run};

const README: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");

/// One observed answer.
pub struct Row {
    fault: String,
    action: String,
    code: i32,
    reason: String,
}

/// The rows of one scenario, with what makes its reasons run-specific.
pub struct Rows {
    fault: String,
    subs: Vec<(String, &'static str)>,
    pub rows: Vec<Row>,
}

impl Rows {
    pub fn new(fault: &str) -> Rows {
        Rows {
            fault: fault.into(),
            subs: Vec::new(),
            rows: Vec::new(),
        }
    }
    /// Replaces `text` by `placeholder` in the reasons of the table.
    pub fn sub(mut self, text: &str, placeholder: &'static str) -> Rows {
        self.subs.push((text.into(), placeholder));
        self
    }
    /// Runs `action`, expects `code`, checks the reason and the deadline,
    /// and keeps the row under `label` (the action as the table shows it).
    #[track_caller]
    pub fn go(
        &mut self,
        call: &Call,
        ns: Option<&str>,
        action: &str,
        label: &str,
        code: i32,
    ) -> Run {
        let run = expect(call.run(ns, action), code);
        self.keep(call, label, run)
    }
    #[track_caller]
    pub fn keep(&mut self, call: &Call, label: &str, run: Run) -> Run {
        let timeout = call
            .env
            .iter()
            .find(|(k, _)| k == "OCF_RESKEY_CRM_meta_timeout")
            .and_then(|(_, v)| v.parse::<u64>().ok())
            .unwrap_or(20_000);
        assert!(
            run.took < Duration::from_millis(timeout),
            "{}: {label} answered after its {timeout} ms deadline ({:?})",
            self.fault,
            run.took
        );
        let mut reason = run.reason().unwrap_or("").trim().to_string();
        assert!(
            reason.len() <= 128,
            "{}: reason over 128 bytes: {reason}",
            self.fault
        );
        for (text, placeholder) in &self.subs {
            reason = reason.replace(text.as_str(), placeholder);
        }
        self.rows.push(Row {
            fault: self.fault.clone(),
            action: label.into(),
            code: run.code,
            reason,
        });
        run
    }
}

/// The call with operation timeout `ms`.
pub fn timeout(call: Call, ms: u32) -> Call {
    call.var("OCF_RESKEY_CRM_meta_timeout", &ms.to_string())
}

/// The call as a probe (interval 0, 20 s).
pub fn probe(call: &Call) -> Call {
    call.clone()
        .var("OCF_RESKEY_CRM_meta_interval", "0")
        .var("OCF_RESKEY_CRM_meta_timeout", "20000")
}

fn render(rows: &[Row], begin: &str, end: &str) -> String {
    let mut s = String::from(begin);
    s.push_str("\n\n| fault | action | code | exit reason |\n|---|---|---|---|\n");
    let mut last = "";
    for row in rows {
        let fault = if row.fault == last { "" } else { &row.fault };
        last = &row.fault;
        let reason = if row.reason.is_empty() {
            "-".to_string()
        } else {
            format!("`{}`", row.reason.replace('|', "\\|"))
        };
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            fault.replace('|', "\\|"),
            row.action,
            row.code,
            reason
        ));
    }
    s.push('\n');
    s.push_str(end);
    s
}

/// A scenario: its name and the function that makes it happen.
pub type Scenario = (&'static str, fn() -> Rows);

/// The one page of the documentation (README.md or a `docs/*.md` beside it)
/// that holds the block starting with `begin`.
fn page_of(begin: &str) -> std::path::PathBuf {
    let root = std::path::Path::new(README)
        .parent()
        .unwrap_or_else(|| panic!("{README} has no directory"));
    let mut pages = vec![std::path::PathBuf::from(README)];
    if let Ok(docs) = std::fs::read_dir(root.join("docs")) {
        pages.extend(
            docs.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "md")),
        );
    }
    let holding: Vec<_> = pages
        .into_iter()
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains(begin)))
        .collect();
    match holding.as_slice() {
        [one] => one.clone(),
        _ => panic!("{begin} must be on exactly one page of README.md and docs/: on {holding:?}"),
    }
}

/// Runs `scenarios`, `workers` at a time, and compares what they observed
/// with the block between `begin` and `end` of the page that holds it
/// ([`page_of`]: `docs/faults.md`, `docs/engine-gone.md`, ...).
pub fn run(scenarios: &[Scenario], workers: usize, begin: &str, end: &str) {
    let next = AtomicUsize::new(0);
    let results: Vec<(usize, Result<Rows, String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some((name, f)) = scenarios.get(i) else {
                            break;
                        };
                        let res = std::panic::catch_unwind(f).map_err(|e| {
                            let msg = e
                                .downcast_ref::<String>()
                                .cloned()
                                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                                .unwrap_or_default();
                            format!("{name}: {msg}")
                        });
                        out.push((i, res));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    let mut results = results;
    results.sort_by_key(|(i, _)| *i);
    let failures: Vec<&String> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().err())
        .collect();
    assert!(
        failures.is_empty() && results.len() == scenarios.len(),
        "{} of {} scenarios failed:\n{}",
        failures.len(),
        scenarios.len(),
        failures
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let rows: Vec<Row> = results
        .into_iter()
        .filter_map(|(_, r)| r.ok())
        .flat_map(|r| r.rows)
        .collect();
    let table = render(&rows, begin, end);
    let path = page_of(begin);
    let page = path.display();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{page}: {e}"));
    let current = match (text.find(begin), text.find(end)) {
        (Some(b), Some(e)) if b < e => Some((b, e + end.len())),
        _ => None,
    };
    if std::env::var_os("CROIT_UPDATE_README").is_some() {
        let Some((b, e)) = current else {
            panic!("{page} has no {begin} ... {end} block to rewrite");
        };
        let updated = format!("{}{}{}", &text[..b], table, &text[e..]);
        std::fs::write(&path, updated).unwrap_or_else(|e| panic!("{page}: {e}"));
        return;
    }
    let Some((b, e)) = current else {
        panic!("{page} has no table {begin}; observed:\n{table}");
    };
    assert_eq!(
        &text[b..e],
        table,
        "the table in {page} differs from what the agent answered \
         (CROIT_UPDATE_README=1 rewrites it after review)"
    );
}
