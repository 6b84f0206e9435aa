//! Tests that need root and the machine's daemons.
//!
//! Such a test carries `#[ignore = "needs root, ...: run with
//! --include-ignored"]`: the quick loop (`cargo test`, unprivileged) lists it
//! as ignored *with that reason*, and tests/run.sh (the README's test command,
//! which CI runs) passes `--include-ignored`, so there it runs. Where it runs
//! nothing is skipped: a missing prerequisite fails it, with the reason.
//! [`require_root`] is that failure for the first prerequisite, called by the
//! rigs every privileged test starts with (namespaces, engines, the installed
//! agent, the cluster), so that a privileged test run unprivileged says why it
//! failed instead of failing on the first `ip netns add`. (A check that turns
//! such a test into a silent pass is what the style guide asks us not to
//! copy.)

/// Fails the test (never skips it) unless it runs as root; `what` names what
/// needs root ("network namespaces", "a private dockerd", ...).
#[track_caller]
pub fn require_root(what: &str) {
    assert!(
        nix::unistd::geteuid().is_root(),
        "{what} needs root: run the privileged tests as root (bash tests/run.sh does, \
         or cargo test -- --include-ignored as root)"
    );
}
