//! The campaign's judgement and its table: per fault, the time until the
//! client was served again and the violations the checker's samples show.

use super::checker::{ClientSample, Samples, NONE};
use super::{Kind, KINDS};

/// One fault as the campaign ran it.
#[derive(Debug, Clone)]
pub struct Record {
    pub i: usize,
    pub kind: Kind,
    pub node: String,
    pub holder: bool,
    pub t0: f64,
    /// Seconds after the fault until the client was served again (0: it
    /// never stopped being served); `None`: not within the wait.
    pub served_again: Option<f64>,
    /// Client requests that failed between the fault and the takeover.
    pub failed: usize,
    /// What went against the fault's expected path (`super::off_path`).
    pub off_path: Option<String>,
}

/// Time until served again: the end of the first successful request after
/// the last failed one (`samples` start at the fault and end when the
/// takeover completed).
pub fn served_again(t0: f64, samples: &[ClientSample]) -> Option<f64> {
    let last_bad = samples.iter().rposition(|s| s.by.is_none());
    match last_bad {
        None if samples.is_empty() => None,
        None => Some(0.0),
        Some(k) => samples[k + 1..]
            .iter()
            .find(|s| s.by.is_some())
            .map(|s| s.done - t0),
    }
}

/// One violation, for the record.
#[derive(Debug, Clone)]
pub struct Violation {
    /// The fault it happened under (`None`: between two faults).
    pub fault: Option<usize>,
    pub what: String,
}

pub fn violations(records: &[Record], s: &Samples) -> Vec<Violation> {
    let idx = |f: usize| (f != NONE).then_some(f);
    let mut out = Vec::new();
    for c in s.copies.iter().filter(|c| c.running.len() > 1) {
        out.push(Violation {
            fault: idx(c.fault),
            what: format!(
                "{:.1}: live copies on {:?} (address on {:?})",
                c.t, c.running, c.bound
            ),
        });
    }
    for a in s.arp.iter().filter(|a| a.settled && a.macs.len() > 1) {
        out.push(Violation {
            fault: idx(a.fault),
            what: format!("{:.1}: ARP answered by {:?}", a.t, a.macs),
        });
    }
    for r in records {
        if let Some(what) = &r.off_path {
            out.push(Violation {
                fault: Some(r.i),
                what: format!("{} on {}: {what}", r.kind.name(), r.node),
            });
        }
        let bound = r.kind.bound();
        match r.served_again {
            Some(x) if x <= bound => {}
            other => out.push(Violation {
                fault: Some(r.i),
                what: format!(
                    "{} on {}: served again after {other:?} s, bound {bound:.1} s",
                    r.kind.name(),
                    r.node
                ),
            }),
        }
    }
    out
}

fn median(mut xs: Vec<f64>) -> Option<f64> {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs.get(xs.len() / 2).copied()
}

/// The table per fault kind: count, median and worst time until served
/// again, the bound, violations.
pub fn table(title: &str, records: &[Record], v: &[Violation]) -> String {
    let mut out = format!(
        "{title}\n\n| fault | count | served again: median | worst | bound | violations |\n|---|---|---|---|---|---|\n"
    );
    let cell = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.1} s"));
    for k in KINDS {
        let rs: Vec<&Record> = records.iter().filter(|r| r.kind == k).collect();
        if rs.is_empty() {
            continue;
        }
        let times: Vec<f64> = rs.iter().filter_map(|r| r.served_again).collect();
        let worst = times.iter().copied().reduce(f64::max);
        let bad = v
            .iter()
            .filter(|x| x.fault.is_some_and(|f| rs.iter().any(|r| r.i == f)))
            .count();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {:.1} s | {bad} |\n",
            k.name(),
            rs.len(),
            cell(median(times.clone())),
            cell(worst),
            k.bound()
        ));
    }
    let between = v.iter().filter(|x| x.fault.is_none()).count();
    out.push_str(&format!(
        "| all | {} | {} | {} | | {} |\n",
        records.len(),
        cell(median(
            records.iter().filter_map(|r| r.served_again).collect()
        )),
        cell(
            records
                .iter()
                .filter_map(|r| r.served_again)
                .reduce(f64::max)
        ),
        v.len()
    ));
    if between > 0 {
        out.push_str(&format!(
            "\n{between} violations between faults (healing)\n"
        ));
    }
    out
}

/// One line per fault, for the log.
pub fn rows(records: &[Record]) -> String {
    let mut out = String::new();
    for r in records {
        out.push_str(&format!(
            "#{:<3} {:<20} on {} ({}): served again {}, {} requests failed{}\n",
            r.i + 1,
            r.kind.name(),
            r.node,
            if r.holder { "holder" } else { "other" },
            r.served_again
                .map_or("never".to_string(), |x| format!("{x:.2} s")),
            r.failed,
            r.off_path
                .as_ref()
                .map_or(String::new(), |w| format!(" (off its path: {w})"))
        ));
    }
    out
}
