//! What the engine's words mean: `State.Status`, `State.Health.Status` and
//! `HostConfig.RestartPolicy.Name` as Docker and Podman's Docker-compatible
//! socket send them, mapped to the agent's types. Pure; tested word by word.
//!
//! Podman 4.3 (Debian 12) answers with its own words where Docker has none:
//! `stopped` (the process exited, Podman's cleanup and restart policy not
//! yet applied), and in other versions `configured`, `initialized` or
//! `unknown`. bollard's enums refuse those, so such an answer is read here
//! leniently from the raw JSON ([`from_json`]).

use serde_json::Value;

use super::{tail, ContainerState, ContainerStatus, Health, RestartPolicy};

/// Characters of health-check output kept for exit reasons.
pub(super) const TAIL: usize = 200;

/// One inspect answer, reduced to what the agent reads.
#[derive(Debug, Default)]
pub(super) struct Raw<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub status: &'a str,
    pub restarting: bool,
    pub paused: bool,
    pub exit_code: Option<i64>,
    /// `None`: no Health block (Docker without a HEALTHCHECK).
    pub health: Option<&'a str>,
    pub health_output: Option<&'a str>,
    pub restart_policy: Option<&'a str>,
    /// `HostnamePath`: the engine's file for the container.
    pub hostname_path: Option<&'a str>,
}

/// `HostConfig.RestartPolicy.Name`: absent or empty (Podman without
/// `--restart`) is `no`.
pub(super) fn restart_policy(name: Option<&str>) -> RestartPolicy {
    RestartPolicy::from_word(name)
}

/// `State.Status`. Podman's `stopped` means the process exited but Podman
/// has not cleaned up yet: with restart policy `no` nothing starts it again
/// (Docker says `exited` then), with any other policy Podman may start it
/// again right away (Docker says `restarting` then). Words nobody documents
/// stay [`ContainerStatus::Other`], which monitor never reports as stopped.
pub(super) fn status(word: &str, restart_policy: &RestartPolicy) -> ContainerStatus {
    match word {
        "created" | "configured" | "initialized" => ContainerStatus::Created,
        "running" => ContainerStatus::Running,
        "paused" => ContainerStatus::Paused,
        "restarting" => ContainerStatus::Restarting,
        "removing" => ContainerStatus::Removing,
        "exited" => ContainerStatus::Exited,
        "dead" => ContainerStatus::Dead,
        "stopping" => ContainerStatus::Stopping,
        "stopped" if !restart_policy.engine_restarts() => ContainerStatus::Exited,
        "stopped" => ContainerStatus::Restarting,
        other => ContainerStatus::Other(other.to_string()),
    }
}

/// `State.Health.Status`. Podman sends a Health block with an empty status
/// when the container has no health check; it says `starting` until its
/// first check ran (which systemd timers drive).
pub(super) fn health(word: Option<&str>) -> Health {
    match word {
        Some("starting") => Health::Starting,
        Some("healthy") => Health::Healthy,
        Some("unhealthy") => Health::Unhealthy,
        _ => Health::None,
    }
}

/// The agent's view of one inspect answer.
pub(super) fn build(raw: Raw<'_>) -> ContainerState {
    let restart_policy = restart_policy(raw.restart_policy);
    let status = status(raw.status, &restart_policy);
    let exit_code = if status == ContainerStatus::Running {
        None
    } else {
        raw.exit_code
    };
    ContainerState {
        id: raw.id.to_string(),
        name: raw.name.trim_start_matches('/').to_string(),
        status,
        restarting: raw.restarting,
        paused: raw.paused,
        health: health(raw.health),
        health_output: raw.health_output.map(|o| tail(o.trim(), TAIL)),
        restart_policy,
        exit_code,
        engine_root: raw
            .hostname_path
            .and_then(|p| super::disk::root_of(std::path::Path::new(p), raw.id)),
    }
}

/// Reads an inspect answer bollard's strict model refused (a status word it
/// does not know). Fails only when the answer is not a container at all.
pub(super) fn from_json(body: &str) -> Result<ContainerState, String> {
    let v: Value = serde_json::from_str(body).map_err(|e| e.to_string())?;
    let state = v.get("State").ok_or("no State in the answer")?;
    let status = state
        .get("Status")
        .and_then(Value::as_str)
        .ok_or("no State.Status in the answer")?;
    let health = state.get("Health").filter(|h| !h.is_null());
    let str_at = |v: &'_ Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let health_output = health
        .and_then(|h| h.get("Log"))
        .and_then(Value::as_array)
        .and_then(|l| l.last())
        .and_then(|r| str_at(r, "Output"));
    let health_status = health.and_then(|h| str_at(h, "Status"));
    let policy = v
        .get("HostConfig")
        .and_then(|h| h.get("RestartPolicy"))
        .and_then(|p| str_at(p, "Name"));
    let id = str_at(&v, "Id").unwrap_or_default();
    let name = str_at(&v, "Name").unwrap_or_default();
    let flag = |k: &str| state.get(k).and_then(Value::as_bool).unwrap_or(false);
    Ok(build(Raw {
        id: &id,
        name: &name,
        status,
        restarting: flag("Restarting"),
        paused: flag("Paused"),
        exit_code: state.get("ExitCode").and_then(Value::as_i64),
        health: health_status.as_deref(),
        health_output: health_output.as_deref(),
        restart_policy: policy.as_deref(),
        hostname_path: str_at(&v, "HostnamePath").as_deref(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_words_map_one_to_one() {
        for (word, want) in [
            ("created", ContainerStatus::Created),
            ("running", ContainerStatus::Running),
            ("paused", ContainerStatus::Paused),
            ("restarting", ContainerStatus::Restarting),
            ("removing", ContainerStatus::Removing),
            ("exited", ContainerStatus::Exited),
            ("dead", ContainerStatus::Dead),
        ] {
            assert_eq!(
                status(word, &RestartPolicy::from_word(Some("no"))),
                want,
                "{word}"
            );
            assert_eq!(
                status(word, &RestartPolicy::from_word(Some("always"))),
                want,
                "{word}"
            );
        }
    }

    #[test]
    fn podmans_words() {
        assert_eq!(
            status("configured", &RestartPolicy::from_word(Some("no"))),
            ContainerStatus::Created
        );
        assert_eq!(
            status("initialized", &RestartPolicy::from_word(Some("no"))),
            ContainerStatus::Created
        );
        assert_eq!(
            status("stopping", &RestartPolicy::from_word(Some("no"))),
            ContainerStatus::Stopping
        );
        // exited, not cleaned up yet: nothing restarts it under `no` ...
        assert_eq!(
            status("stopped", &RestartPolicy::from_word(Some("no"))),
            ContainerStatus::Exited
        );
        // ... but any other policy may start it again at once
        for p in ["always", "unless-stopped", "on-failure"] {
            assert_eq!(
                status("stopped", &RestartPolicy::from_word(Some(p))),
                ContainerStatus::Restarting,
                "{p}"
            );
        }
        assert_eq!(
            status("unknown", &RestartPolicy::from_word(Some("no"))),
            ContainerStatus::Other("unknown".into())
        );
        assert_eq!(
            status("", &RestartPolicy::from_word(Some("no"))),
            ContainerStatus::Other(String::new())
        );
    }

    #[test]
    fn health_words_and_podmans_empty_status() {
        assert_eq!(health(None), Health::None);
        assert_eq!(health(Some("")), Health::None);
        assert_eq!(health(Some("none")), Health::None);
        assert_eq!(health(Some("starting")), Health::Starting);
        assert_eq!(health(Some("healthy")), Health::Healthy);
        assert_eq!(health(Some("unhealthy")), Health::Unhealthy);
    }

    #[test]
    fn restart_policy_empty_or_absent_is_no() {
        assert_eq!(restart_policy(None), RestartPolicy::No);
        assert_eq!(restart_policy(Some("")), RestartPolicy::No);
        assert_eq!(restart_policy(Some("no")), RestartPolicy::No);
        assert_eq!(
            restart_policy(Some("always")),
            RestartPolicy::Engine("always".into())
        );
        assert_eq!(RestartPolicy::Engine("always".into()).to_string(), "always");
    }

    /// Podman 4.3.1's answer between two runs of a crash loop under
    /// `--restart=always` (abridged; the words as captured).
    const PODMAN_STOPPED: &str = r#"{"Id":"9dc7e11b0d4e","Name":"/pmloop",
      "State":{"Status":"stopped","Running":false,"Paused":false,"Restarting":false,
        "OOMKilled":false,"Dead":false,"Pid":0,"ExitCode":1,"Error":"",
        "Health":{"Status":"","FailingStreak":0,"Log":null}},
      "HostConfig":{"RestartPolicy":{"Name":"always","MaximumRetryCount":0}}}"#;

    #[test]
    fn podmans_stopped_answer_is_read_leniently() {
        let st = from_json(PODMAN_STOPPED).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(st.name, "pmloop");
        assert_eq!(st.id, "9dc7e11b0d4e");
        assert_eq!(st.status, ContainerStatus::Restarting);
        assert_eq!(st.health, Health::None);
        assert_eq!(st.restart_policy, RestartPolicy::Engine("always".into()));
        assert_eq!(st.exit_code, Some(1));
        let no = PODMAN_STOPPED.replace("\"always\"", "\"\"");
        let st = from_json(&no).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(st.status, ContainerStatus::Exited);
        assert_eq!(st.restart_policy, RestartPolicy::No);
    }

    #[test]
    fn health_log_tail_and_verdict_are_read() {
        let body = r#"{"Id":"x","Name":"/h","State":{"Status":"weird","Running":true,
          "Paused":false,"Restarting":false,"ExitCode":0,
          "Health":{"Status":"unhealthy","FailingStreak":1,"Log":[
            {"ExitCode":0,"Output":"fine\n"},{"ExitCode":1,"Output":"sick\n"}]}},
          "HostConfig":{"RestartPolicy":{"Name":"no"}}}"#;
        let st = from_json(body).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(st.status, ContainerStatus::Other("weird".into()));
        assert_eq!(st.health, Health::Unhealthy);
        assert_eq!(st.health_output.as_deref(), Some("sick"));
    }

    #[test]
    fn not_a_container_is_an_error() {
        assert!(from_json("Not Found").is_err());
        assert!(from_json(r#"{"message":"no such container"}"#).is_err());
        assert!(from_json(r#"{"State":{}}"#).is_err());
    }
}
