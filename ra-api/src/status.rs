//! OCF exit codes.

/// The exit status of an agent action, as the OCF resource-agent API defines
/// it. Pacemaker keeps only these values; anything else becomes a generic
/// error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// 0: success; for monitor, running.
    Success,
    /// 1: generic or undetermined failure (soft: Pacemaker restarts here).
    ErrGeneric,
    /// 2: parameters invalid on this host (hard: this node is banned).
    ErrArgs,
    /// 3: action not implemented.
    ErrUnimplemented,
    /// 4: not enough privilege.
    ErrPerm,
    /// 5: something the resource needs is missing on this node.
    ErrInstalled,
    /// 6: parameters inherently invalid (fatal: stopped cluster-wide).
    ErrConfigured,
    /// 7: cleanly stopped (monitor only).
    NotRunning,
    /// 8: running as promoted.
    RunningPromoted,
    /// 9: failed while promoted.
    FailedPromoted,
    /// 190: running, but degraded.
    Degraded,
    /// 191: promoted, but degraded.
    DegradedPromoted,
}

impl Status {
    /// Every status, in code order.
    pub const ALL: [Status; 12] = [
        Status::Success,
        Status::ErrGeneric,
        Status::ErrArgs,
        Status::ErrUnimplemented,
        Status::ErrPerm,
        Status::ErrInstalled,
        Status::ErrConfigured,
        Status::NotRunning,
        Status::RunningPromoted,
        Status::FailedPromoted,
        Status::Degraded,
        Status::DegradedPromoted,
    ];

    /// The numeric exit code.
    pub const fn code(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::ErrGeneric => 1,
            Status::ErrArgs => 2,
            Status::ErrUnimplemented => 3,
            Status::ErrPerm => 4,
            Status::ErrInstalled => 5,
            Status::ErrConfigured => 6,
            Status::NotRunning => 7,
            Status::RunningPromoted => 8,
            Status::FailedPromoted => 9,
            Status::Degraded => 190,
            Status::DegradedPromoted => 191,
        }
    }

    /// The name the shell library gives it (`OCF_SUCCESS`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Status::Success => "OCF_SUCCESS",
            Status::ErrGeneric => "OCF_ERR_GENERIC",
            Status::ErrArgs => "OCF_ERR_ARGS",
            Status::ErrUnimplemented => "OCF_ERR_UNIMPLEMENTED",
            Status::ErrPerm => "OCF_ERR_PERM",
            Status::ErrInstalled => "OCF_ERR_INSTALLED",
            Status::ErrConfigured => "OCF_ERR_CONFIGURED",
            Status::NotRunning => "OCF_NOT_RUNNING",
            Status::RunningPromoted => "OCF_RUNNING_PROMOTED",
            Status::FailedPromoted => "OCF_FAILED_PROMOTED",
            Status::Degraded => "OCF_DEGRADED",
            Status::DegradedPromoted => "OCF_DEGRADED_PROMOTED",
        }
    }

    /// The status with this code, if there is one.
    pub fn from_code(code: u8) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }
}

impl From<Status> for std::process::ExitCode {
    fn from(s: Status) -> Self {
        std::process::ExitCode::from(s.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_follow_the_ocf_table() {
        let table = [
            (0, "OCF_SUCCESS"),
            (1, "OCF_ERR_GENERIC"),
            (2, "OCF_ERR_ARGS"),
            (3, "OCF_ERR_UNIMPLEMENTED"),
            (4, "OCF_ERR_PERM"),
            (5, "OCF_ERR_INSTALLED"),
            (6, "OCF_ERR_CONFIGURED"),
            (7, "OCF_NOT_RUNNING"),
            (8, "OCF_RUNNING_PROMOTED"),
            (9, "OCF_FAILED_PROMOTED"),
            (190, "OCF_DEGRADED"),
            (191, "OCF_DEGRADED_PROMOTED"),
        ];
        for (s, (code, name)) in Status::ALL.iter().zip(table) {
            assert_eq!((s.code(), s.name()), (code, name));
            assert_eq!(Status::from_code(code), Some(*s));
        }
        for code in [10, 11, 100, 101, 189, 192, 255] {
            assert_eq!(Status::from_code(code), None);
        }
    }
}
