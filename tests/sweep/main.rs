//! The real binary against 1,200 generated environments: random actions
//! (unknown ones and none included), random and adversarial `OCF_RESKEY_*`
//! values, timeouts and intervals. Every call must end in a code 0..=7 before
//! its operation timeout, print no exit reason for 0 and 7 and exactly one
//! for every other code, and agree with the parameter parser (a malformed
//! definition is 6 for every action but stop, meta-data and usage). A quarter
//! of the calls pass the parameters as `--name=value` flags instead of
//! variables, with the same expectations.
//!
//! Nothing here can touch the machine: every call runs in a fresh network
//! namespace (`unshare -n`: only a down `lo`) and a fresh PID namespace with
//! its own /proc (with the engine away the agent looks for the container in
//! the kernel, and would otherwise find, and stop, a container of that name
//! on any engine of the machine, e.g. the cluster tests' `croit`), and
//! `docker_host` never names a real engine: a missing path, a regular file,
//! a socket that accepts and never answers, one that answers garbage, or a
//! malformed value. Needs root for `unshare`; `SWEEP_SEED` repeats a run,
//! `SWEEP_RUNS` changes its size.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod call;
mod engines;
mod generate;

use call::{check, run};
use engines::Engines;
use generate::{Case, Rng, ACTIONS};

#[test]
#[ignore = "needs root (unshare -n): run with --include-ignored"]
fn a_thousand_generated_environments_end_in_a_known_code_before_their_deadline() {
    support::privileged::require_root("unshare -n");
    let seed = std::env::var("SWEEP_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    let runs: usize = std::env::var("SWEEP_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1200);
    eprintln!("sweep: seed {seed} (SWEEP_SEED={seed} repeats it), {runs} calls");
    let owned = Path::new("/tmp/croit-sweep-owned");
    let _ = std::fs::remove_file(owned);
    let engines = Engines::new();
    let mut rng = Rng(seed);
    let cases: Vec<Case> = (0..runs)
        .map(|_| Case::generate(&mut rng, &engines))
        .collect();
    // four at a time: most of a call is waiting (a hanging engine)
    let next = Arc::new(Mutex::new(0usize));
    let tally = Arc::new(Mutex::new(BTreeMap::<(String, i32), usize>::new()));
    let worst = Arc::new(Mutex::new(Duration::ZERO));
    let cases = Arc::new(cases);
    let t0 = Instant::now();
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (next, tally, worst, cases) =
                (next.clone(), tally.clone(), worst.clone(), cases.clone());
            std::thread::spawn(move || loop {
                let i = {
                    let Ok(mut n) = next.lock() else { return };
                    let i = *n;
                    *n += 1;
                    i
                };
                let Some(case) = cases.get(i) else { return };
                let o = run(case);
                check(case, &o);
                let key = match case.action.as_deref() {
                    Some(a) if ACTIONS[..13].contains(&a) => a.to_string(),
                    _ => "(other)".to_string(),
                };
                if let Ok(mut t) = tally.lock() {
                    *t.entry((key, o.code)).or_default() += 1;
                }
                if let Ok(mut w) = worst.lock() {
                    *w = (*w).max(o.took.saturating_sub(o.timeout));
                }
            })
        })
        .collect();
    let mut failed = Vec::new();
    for w in workers {
        if let Err(e) = w.join() {
            failed.push(e);
        }
    }
    if let Some(e) = failed.pop() {
        std::panic::resume_unwind(e);
    }
    let tally = tally.lock().map(|t| t.clone()).unwrap_or_default();
    let worst = worst.lock().map(|w| *w).unwrap_or_default();
    eprintln!(
        "sweep: {runs} calls in {} ms; latest answer {} ms past its timeout; action/code counts:",
        t0.elapsed().as_millis(),
        worst.as_millis()
    );
    for ((a, c), n) in &tally {
        eprintln!("  {a:>14} {c}: {n}");
    }
    assert_eq!(tally.values().sum::<usize>(), runs);
    // the spread the sweep is for: every code a generated case can reach
    for code in [0, 1, 3, 5, 6, 7] {
        assert!(
            tally.keys().any(|(_, c)| *c == code),
            "no call ended in {code}: {tally:?}"
        );
    }
    assert!(
        !owned.exists(),
        "something ran a shell: {} exists",
        owned.display()
    );
}
