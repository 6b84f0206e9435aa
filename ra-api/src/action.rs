//! The action Pacemaker asks for (`argv[1]`).

/// An OCF action name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `start`
    Start,
    /// `stop`
    Stop,
    /// `monitor` (probes and recurring monitors alike)
    Monitor,
    /// `validate-all`
    ValidateAll,
    /// `meta-data`
    MetaData,
    /// `usage` or `help`
    Usage,
    /// `notify`
    Notify,
    /// `promote`
    Promote,
    /// `demote`
    Demote,
    /// `reload`
    Reload,
    /// `reload-agent`
    ReloadAgent,
    /// `migrate_to`
    MigrateTo,
    /// `migrate_from`
    MigrateFrom,
    /// Any other word.
    Other(String),
    /// No action given.
    Missing,
}

impl Action {
    /// Reads `argv[1]`; further arguments are ignored by the caller.
    pub fn parse(arg: Option<&str>) -> Action {
        match arg {
            None => Action::Missing,
            Some("start") => Action::Start,
            Some("stop") => Action::Stop,
            Some("monitor") => Action::Monitor,
            Some("validate-all") => Action::ValidateAll,
            Some("meta-data") => Action::MetaData,
            Some("usage" | "help") => Action::Usage,
            Some("notify") => Action::Notify,
            Some("promote") => Action::Promote,
            Some("demote") => Action::Demote,
            Some("reload") => Action::Reload,
            Some("reload-agent") => Action::ReloadAgent,
            Some("migrate_to") => Action::MigrateTo,
            Some("migrate_from") => Action::MigrateFrom,
            Some(other) => Action::Other(other.to_string()),
        }
    }

    /// Defined only by OCF 1.1 (`reload-agent`): left out of the meta-data
    /// for callers that speak 1.0, whose DTD refuses it.
    pub fn since_ocf_1_1(&self) -> bool {
        *self == Action::ReloadAgent
    }

    /// The OCF spelling (`""` for a missing action).
    pub fn as_str(&self) -> &str {
        match self {
            Action::Start => "start",
            Action::Stop => "stop",
            Action::Monitor => "monitor",
            Action::ValidateAll => "validate-all",
            Action::MetaData => "meta-data",
            Action::Usage => "usage",
            Action::Notify => "notify",
            Action::Promote => "promote",
            Action::Demote => "demote",
            Action::Reload => "reload",
            Action::ReloadAgent => "reload-agent",
            Action::MigrateTo => "migrate_to",
            Action::MigrateFrom => "migrate_from",
            Action::Other(s) => s,
            Action::Missing => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ocf_name_round_trips() {
        for name in [
            "start",
            "stop",
            "monitor",
            "validate-all",
            "meta-data",
            "usage",
            "notify",
            "promote",
            "demote",
            "reload",
            "reload-agent",
            "migrate_to",
            "migrate_from",
        ] {
            let a = Action::parse(Some(name));
            assert!(!matches!(a, Action::Other(_)), "{name}");
            assert_eq!(a.as_str(), name);
        }
        assert_eq!(Action::parse(Some("help")), Action::Usage);
        assert_eq!(
            Action::parse(Some("status")),
            Action::Other("status".into())
        );
        assert_eq!(Action::parse(Some("START")), Action::Other("START".into()));
        assert_eq!(Action::parse(None), Action::Missing);
    }
}
