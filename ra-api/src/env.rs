//! An immutable snapshot of the environment Pacemaker passed.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::action::Action;

/// The timeout Pacemaker's tools use when none is given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// The environment of one agent call. Nothing else in the crate reads
/// `std::env`, so tests build an `Env` from pairs and need no global state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// Snapshot of the process environment (non-UTF-8 converted lossily).
    pub fn from_process() -> Env {
        Env::from_pairs(std::env::vars_os().map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        }))
    }

    /// An environment from `(name, value)` pairs.
    pub fn from_pairs<I, K, V>(pairs: I) -> Env
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Env {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// A variable by its full name.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// The same environment with `name` set to `value` (a command-line
    /// flag overriding its variable).
    pub fn with_var(mut self, name: impl Into<String>, value: impl Into<String>) -> Env {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// The OCF version the caller speaks (`OCF_RA_VERSION_MAJOR` and
    /// `OCF_RA_VERSION_MINOR`, which Pacemaker's executor sets and
    /// ocf-tester does not); `None` when either is unset or unreadable.
    pub fn ocf_version(&self) -> Option<(u32, u32)> {
        let num = |n: &str| self.var(n)?.trim().parse::<u32>().ok();
        Some((num("OCF_RA_VERSION_MAJOR")?, num("OCF_RA_VERSION_MINOR")?))
    }

    /// The parameter `name` (`OCF_RESKEY_<name>`).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.var(&format!("OCF_RESKEY_{name}"))
    }

    /// `OCF_RESOURCE_INSTANCE` (absent for meta-data under ocf-tester; may
    /// contain `:` for unique clones).
    pub fn instance(&self) -> Option<&str> {
        self.var("OCF_RESOURCE_INSTANCE").filter(|s| !s.is_empty())
    }

    /// The operation timeout (`OCF_RESKEY_CRM_meta_timeout`, milliseconds);
    /// [`DEFAULT_TIMEOUT`] when unset, empty, unreadable or 0.
    pub fn timeout(&self) -> Duration {
        self.millis("OCF_RESKEY_CRM_meta_timeout")
            .unwrap_or(DEFAULT_TIMEOUT)
    }

    /// The interval of a recurring monitor (`OCF_RESKEY_CRM_meta_interval`,
    /// milliseconds); `None` when unset, empty, unreadable or 0.
    pub fn interval(&self) -> Option<Duration> {
        self.millis("OCF_RESKEY_CRM_meta_interval")
    }

    /// A probe: a monitor without an interval.
    pub fn is_probe(&self, action: &Action) -> bool {
        *action == Action::Monitor && self.interval().is_none()
    }

    /// `OCF_CHECK_LEVEL` (0 when unset or unreadable).
    pub fn check_level(&self) -> u32 {
        self.var("OCF_CHECK_LEVEL")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    }

    fn millis(&self, name: &str) -> Option<Duration> {
        let ms: u64 = self.var(name)?.trim().parse().ok()?;
        (ms > 0).then(|| Duration::from_millis(ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn timeout_is_milliseconds_with_a_default() {
        assert_eq!(env(&[]).timeout(), DEFAULT_TIMEOUT);
        let e = env(&[("OCF_RESKEY_CRM_meta_timeout", "5000")]);
        assert_eq!(e.timeout(), Duration::from_secs(5));
        for bad in ["", "0", "-1", "20s", "1e4"] {
            let e = env(&[("OCF_RESKEY_CRM_meta_timeout", bad)]);
            assert_eq!(e.timeout(), DEFAULT_TIMEOUT, "{bad:?}");
        }
    }

    #[test]
    fn a_probe_is_a_monitor_without_interval() {
        assert!(env(&[]).is_probe(&Action::Monitor));
        assert!(env(&[("OCF_RESKEY_CRM_meta_interval", "0")]).is_probe(&Action::Monitor));
        assert!(env(&[("OCF_RESKEY_CRM_meta_interval", "")]).is_probe(&Action::Monitor));
        let recurring = env(&[("OCF_RESKEY_CRM_meta_interval", "10000")]);
        assert!(!recurring.is_probe(&Action::Monitor));
        assert_eq!(recurring.interval(), Some(Duration::from_secs(10)));
        assert!(!env(&[]).is_probe(&Action::Start));
    }

    #[test]
    fn instance_params_and_check_level() {
        let e = env(&[
            ("OCF_RESOURCE_INSTANCE", "pxe:0"),
            ("OCF_RESKEY_ip", "192.0.2.1"),
            ("OCF_CHECK_LEVEL", "10"),
        ]);
        assert_eq!(e.instance(), Some("pxe:0"));
        assert_eq!(e.param("ip"), Some("192.0.2.1"));
        assert_eq!(e.param("nic"), None);
        assert_eq!(e.check_level(), 10);
        assert_eq!(env(&[("OCF_CHECK_LEVEL", "deep")]).check_level(), 0);
        assert_eq!(env(&[("OCF_RESOURCE_INSTANCE", "")]).instance(), None);
    }

    #[test]
    fn the_ocf_version_needs_both_numbers() {
        let v = |pairs: &[(&str, &str)]| env(pairs).ocf_version();
        assert_eq!(v(&[]), None);
        assert_eq!(v(&[("OCF_RA_VERSION_MAJOR", "1")]), None);
        let both = [("OCF_RA_VERSION_MAJOR", "1"), ("OCF_RA_VERSION_MINOR", "1")];
        assert_eq!(v(&both), Some((1, 1)));
        assert_eq!(
            v(&[("OCF_RA_VERSION_MAJOR", "1"), ("OCF_RA_VERSION_MINOR", "x")]),
            None
        );
        let e = env(&both).with_var("OCF_RESKEY_ip", "192.0.2.1");
        assert_eq!(e.param("ip"), Some("192.0.2.1"));
    }
}
