//! Whole environments: any one ends in Ok or a short reason naming the
//! parameter, stop always gets its setup, one bad parameter is named.

use super::*;

proptest! {
    #![proptest_config(config())]

    /// Every environment gives Ok, or a typed error whose code is 6 and whose
    /// one-line reason (at most 128 characters) names the parameter.
    #[test]
    fn any_environment_is_ok_or_configured_with_a_short_reason(pairs in any_env()) {
        let env = Env::from_pairs(pairs.clone());
        let parsed = Config::from_env(&env);
        let report = validate_all(&env);
        match &parsed {
            Ok(_) => {
                prop_assert_eq!(report.status, Status::Success, "{:?}", report);
                prop_assert_eq!(report.reason, None);
            }
            Err(e) => {
                prop_assert!(PARAMS.iter().any(|s| s.name == e.name()), "{:?}", e);
                prop_assert_eq!(Error::Param(e.clone()).status(), Status::ErrConfigured);
                prop_assert_eq!(report.status, Status::ErrConfigured, "{:?}", report);
                let reason = report.reason.clone().unwrap_or_default();
                assert_reason_fits(&reason, e.name());
            }
        }
        // every action but stop refuses the same environment the same way
        for action in ["start", "monitor"] {
            let mut with_deadline = pairs.clone();
            with_deadline.push(("OCF_RESKEY_CRM_meta_timeout".into(), "1".into()));
            if parsed.is_err() {
                let env = Env::from_pairs(with_deadline);
                let args = vec!["container".to_string(), action.to_string()];
                let r = execute(&ContainerAgent, &env, &args);
                prop_assert_eq!(r.status, Status::ErrConfigured, "{} {:?}", action, r);
            }
        }
    }

    /// Configuration refuses a malformed environment for every action
    /// (stop then goes through ra-api's `stop_unconfigured` hook); what that
    /// stop ends is what the readable parameters identify: the container
    /// when its name and engine are readable, the address when `ip` and
    /// `nic` are well-formed on their own.
    #[test]
    fn a_stop_with_malformed_parameters_identifies_what_is_readable(pairs in any_env()) {
        let env = Env::from_pairs(pairs);
        let ctx = Context { env: &env, action: Action::Stop, deadline: Deadline::new(Duration::from_secs(1)) };
        match (ContainerAgent.configure(&ctx), Config::from_env(&env)) {
            (Ok(c), Ok(expected)) => prop_assert_eq!(c, expected),
            (Err(f), Err(expected)) => {
                prop_assert_eq!(f.status(), Status::ErrConfigured);
                prop_assert_eq!(f.status(), Error::Param(expected).status());
                let plan = malformed_plan(&env);
                prop_assert_eq!(
                    plan.container,
                    croit_container::params::container_only(&env)
                        .ok()
                        .zip(croit_container::params::docker_host_only(&env).ok())
                );
                prop_assert_eq!(
                    plan.address,
                    croit_container::params::address_only(&env).ok()
                );
            }
            (s, c) => prop_assert!(false, "configure {:?} vs from_env {:?}", s.err(), c),
        }
    }

    /// Each parameter alone, set to junk, next to a valid ip: Ok or 6 naming
    /// exactly that parameter.
    #[test]
    fn one_bad_parameter_is_named(idx in 0..PARAMS.len(), value in junk()) {
        let name = PARAMS[idx].name;
        let mut pairs = vec![("OCF_RESKEY_ip".to_string(), "192.0.2.10/24".to_string())];
        pairs.retain(|(k, _)| k != &format!("OCF_RESKEY_{name}"));
        pairs.push((format!("OCF_RESKEY_{name}"), value));
        let env = Env::from_pairs(pairs);
        if let Err(e) = Config::from_env(&env) {
            prop_assert_eq!(e.name(), name);
            let report = validate_all(&env);
            prop_assert_eq!(report.status, Status::ErrConfigured);
            assert_reason_fits(&report.reason.unwrap_or_default(), name);
        }
    }
}
