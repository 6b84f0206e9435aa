//! The parameter parser: an environment from fuzzed `name=value` lines
//! (a name without `OCF_RESKEY_` gets it, except `DOCKER_HOST`) through
//! `Config::from_env`, the stop-time plan and `validate-all`.
//! Must never panic; a refusal is `OCF_ERR_CONFIGURED` (6) with a one-line
//! reason of at most 128 characters that names a declared parameter.
#![no_main]

use std::time::Duration;

use croit_container::agent::{malformed_plan, ContainerAgent};
use croit_container::error::Error;
use croit_container::params::{self, Config, PARAMS};
use croit_container::vip;
use libfuzzer_sys::fuzz_target;
use ra_api::{Action, Agent, Context, Deadline, Env, Status, EXIT_REASON_MAX};

fn env_from(data: &[u8]) -> Env {
    let text = String::from_utf8_lossy(data);
    Env::from_pairs(text.split('\n').filter_map(|line| {
        let (k, v) = line.split_once('=')?;
        let key = if k.starts_with("OCF_RESKEY_") || k == "DOCKER_HOST" {
            k.to_string()
        } else {
            format!("OCF_RESKEY_{k}")
        };
        Some((key, v.to_string()))
    }))
}

fuzz_target!(|data: &[u8]| {
    let env = env_from(data);
    let parsed = Config::from_env(&env);
    if let Err(e) = &parsed {
        assert!(PARAMS.iter().any(|s| s.name == e.name()), "{e:?}");
        let err = Error::Param(e.clone());
        assert_eq!(err.status(), Status::ErrConfigured);
        let reason = err.to_string();
        assert!(reason.chars().count() <= EXIT_REASON_MAX, "{reason:?}");
        assert!(!reason.chars().any(char::is_control), "{reason:?}");
        assert!(reason.contains(e.name()), "{reason:?}");
    }
    // configuration refuses a malformed environment for every action, stop
    // included (ra-api's stop_unconfigured hook then stops what the readable
    // parameters identify: malformed_plan)
    let ctx = Context {
        env: &env,
        action: Action::Stop,
        deadline: Deadline::new(Duration::from_secs(1)),
    };
    match (ContainerAgent.configure(&ctx), &parsed) {
        (Ok(c), Ok(p)) => assert_eq!(&c, p),
        (Err(f), Err(_)) => {
            assert_eq!(f.status(), Status::ErrConfigured);
            let plan = malformed_plan(&env);
            assert_eq!(
                plan.container,
                params::container_only(&env)
                    .ok()
                    .zip(params::docker_host_only(&env).ok())
            );
            assert_eq!(plan.address, params::address_only(&env).ok());
        }
        (other, p) => panic!("configure {:?} vs from_env {p:?}", other.err()),
    }
    // valid configurations print and parse back to the same addresses:
    // at least one, at most 100, no address twice
    if let Ok(c) = &parsed {
        assert_eq!(vip::parse_list(&c.ip_list()).as_ref(), Ok(&c.vips));
        assert!((1..=vip::MAX_ADDRESSES).contains(&c.vips.len()));
        for (i, v) in c.vips.iter().enumerate() {
            assert!(c.vips[..i].iter().all(|w| w.addr != v.addr), "{:?}", c.vips);
        }
        assert!(c.monitor_cmd.as_ref().is_none_or(|argv| !argv.is_empty()));
    }
});
