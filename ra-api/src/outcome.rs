//! What an action answers: a state without a reason, or a failure that
//! always carries one.
//!
//! The types make a non-zero code without an exit reason impossible to
//! return: [`Answer`] holds only the codes that report a state (0, 7, 8),
//! and a [`Failure`] can only be built through [`Failure::new`], which
//! never leaves the reason empty and never carries 0.

use crate::status::Status;

/// The answers that report a state and need no exit reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Answer {
    /// 0: done; for monitor, running.
    Success,
    /// 7: cleanly stopped (monitor only; stop answers 0).
    NotRunning,
    /// 8: running as promoted (monitor of a promotable resource).
    RunningPromoted,
}

impl Answer {
    /// The answer for `status`, when `status` needs no reason.
    pub fn from_status(status: Status) -> Option<Answer> {
        match status {
            Status::Success => Some(Answer::Success),
            Status::NotRunning => Some(Answer::NotRunning),
            Status::RunningPromoted => Some(Answer::RunningPromoted),
            _ => None,
        }
    }

    /// The exit status.
    pub fn status(self) -> Status {
        match self {
            Answer::Success => Status::Success,
            Answer::NotRunning => Status::NotRunning,
            Answer::RunningPromoted => Status::RunningPromoted,
        }
    }
}

impl From<Answer> for Status {
    fn from(a: Answer) -> Status {
        a.status()
    }
}

/// A failed action (or a degraded one): its status and the exit reason
/// Pacemaker shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    status: Status,
    reason: String,
}

impl Failure {
    /// A failure with its reason. A blank reason is replaced by one that
    /// names the status (an agent bug, but never an empty reason);
    /// [`Status::Success`] becomes [`Status::ErrGeneric`] (a failure never
    /// answers 0).
    pub fn new(status: Status, reason: impl Into<String>) -> Self {
        let status = match status {
            Status::Success => Status::ErrGeneric,
            s => s,
        };
        let reason = reason.into();
        let reason = if reason.trim().is_empty() {
            format!("{} without a reason (a defect of the agent)", status.name())
        } else {
            reason
        };
        Failure { status, reason }
    }

    /// The exit status (never 0).
    pub fn status(&self) -> Status {
        self.status
    }

    /// The exit reason (never blank; cut to 128 characters when printed).
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// What an action returns: a state without reason, or a failure with one.
pub type Outcome = Result<Answer, Failure>;

/// The outcome for a status decided elsewhere: an [`Answer`] when the
/// status needs no reason, else a [`Failure`] with `reason` (a generic one
/// when `None`).
pub fn outcome(status: Status, reason: Option<String>) -> Outcome {
    match Answer::from_status(status) {
        Some(a) => Ok(a),
        None => Err(Failure::new(status, reason.unwrap_or_default())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_non_answer_status_carries_a_reason() {
        for s in Status::ALL {
            match outcome(s, None) {
                Ok(a) => assert!(matches!(s.code(), 0 | 7 | 8), "{s:?} -> {a:?}"),
                Err(f) => {
                    assert_eq!(f.status(), s);
                    assert!(f.reason().contains(s.name()), "{}", f.reason());
                }
            }
        }
        assert_eq!(
            outcome(Status::ErrInstalled, Some("nic eth9 missing".into())),
            Err(Failure::new(Status::ErrInstalled, "nic eth9 missing"))
        );
    }

    #[test]
    fn a_failure_is_never_0_nor_blank() {
        let f = Failure::new(Status::Success, " \n");
        assert_eq!(f.status(), Status::ErrGeneric);
        assert!(!f.reason().trim().is_empty());
        assert_eq!(Failure::new(Status::Degraded, "slow").reason(), "slow");
    }
}
