//! The other values: counts and their ranges, booleans, the `monitor_cmd`
//! splitter, names taken as given.

use super::*;

proptest! {
    #![proptest_config(config())]

    /// Counts in range parse to their value (blanks and a + allowed); out of
    /// range they are refused with the range.
    #[test]
    fn counts_round_trip_and_ranges_hold(
        n in -100_000i64..100_000, which in 0usize..4, pad in "[ \t]{0,2}", plus in any::<bool>()
    ) {
        let (name, lo, hi) = [
            ("arp_count", 1, 1000),
            ("arp_interval", 0, 60_000),
            ("arp_count_refresh", 0, 100),
            ("stop_timeout", 1, 86_400),
        ][which];
        let text = if plus && n >= 0 { format!("{pad}+{n}{pad}") } else { format!("{pad}{n}{pad}") };
        let env = Env::from_pairs([
            ("OCF_RESKEY_ip".to_string(), "192.0.2.10/24".to_string()),
            (format!("OCF_RESKEY_{name}"), text),
        ]);
        match Config::from_env(&env) {
            Ok(c) => {
                prop_assert!((lo..=hi).contains(&n), "{} accepted {}", name, n);
                let got = match name {
                    "arp_count" => i64::from(c.arp_count),
                    "arp_interval" => i64::try_from(c.arp_interval.as_millis()).unwrap_or(-1),
                    "arp_count_refresh" => i64::from(c.arp_count_refresh),
                    _ => c.stop_timeout.map(i64::from).unwrap_or(-1),
                };
                prop_assert_eq!(got, n);
            }
            Err(e) => {
                prop_assert!(!(lo..=hi).contains(&n), "{} refused {}: {}", name, n, e);
                prop_assert_eq!(e.to_string().contains(&format!("must be {lo} to {hi}")), true);
            }
        }
    }

    /// The boolean words in any case and with blanks; nothing else.
    #[test]
    fn booleans_take_their_words_in_any_case(
        word in proptest::sample::select(&["yes", "true", "1", "on", "no", "false", "0", "off"][..]),
        upper in proptest::collection::vec(any::<bool>(), 5), pad in "[ \t]{0,2}", other in "[a-zA-Z0-9]{1,8}"
    ) {
        let cased: String = word.chars().zip(upper.iter().cycle())
            .map(|(c, u)| if *u { c.to_ascii_uppercase() } else { c }).collect();
        let want = matches!(word, "yes" | "true" | "1" | "on");
        let env = Env::from_pairs([
            ("OCF_RESKEY_ip".to_string(), "192.0.2.10/24".to_string()),
            ("OCF_RESKEY_wait_healthy".to_string(), format!("{pad}{cased}{pad}")),
        ]);
        let c = Config::from_env(&env).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(c.wait_healthy, want);
        let known = ["yes", "true", "1", "on", "no", "false", "0", "off"];
        if !known.contains(&other.to_ascii_lowercase().as_str()) {
            let env = Env::from_pairs([
                ("OCF_RESKEY_ip".to_string(), "192.0.2.10/24".to_string()),
                ("OCF_RESKEY_check_health".to_string(), other),
            ]);
            let r = Config::from_env(&env);
            prop_assert!(matches!(r, Err(ParamError::Invalid { name: "check_health", .. })), "{:?}", r);
        }
    }

    /// Any argv (no control characters), quoted by the documented rule, splits
    /// back to itself, whatever shell syntax the words contain.
    #[test]
    fn quoted_argv_splits_back(argv in proptest::collection::vec("[^\\p{Cc}]{0,12}", 1..6), dq in any::<bool>()) {
        let quoted: Vec<String> = argv.iter().map(|w| {
            if dq {
                format!("\"{}\"", w.replace('\\', "\\\\").replace('"', "\\\""))
            } else {
                format!("'{}'", w.replace('\'', "'\\''"))
            }
        }).collect();
        let line = quoted.join(" \t ");
        prop_assert_eq!(cmdline::split(&line), Ok(argv.clone()));
        let env = Env::from_pairs([
            ("OCF_RESKEY_ip".to_string(), "192.0.2.10/24".to_string()),
            ("OCF_RESKEY_monitor_cmd".to_string(), line),
        ]);
        let c = Config::from_env(&env).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(c.monitor_cmd, Some(argv));
    }

    /// The splitter never panics and never returns an empty argv.
    #[test]
    fn split_is_total(s in "[^\u{0}]{0,64}") {
        if let Ok(argv) = cmdline::split(&s) {
            prop_assert!(!argv.is_empty());
        }
    }

    /// Valid names, interfaces and sockets are taken as given.
    #[test]
    fn valid_names_round_trip(
        container in "[a-zA-Z0-9][a-zA-Z0-9_.-]{1,100}", slash in any::<bool>(),
        nic in "[a-zA-Z0-9_.-]{1,15}", path in "(/[a-zA-Z0-9_.-]{1,20}){1,5}", scheme in any::<bool>()
    ) {
        prop_assume!(nic != "." && nic != "..");
        let host = if scheme { format!("unix://{path}") } else { path };
        let env = Env::from_pairs([
            ("OCF_RESKEY_ip".to_string(), "2001:db8::10/64".to_string()),
            ("OCF_RESKEY_container".to_string(), if slash { format!("/{container}") } else { container.clone() }),
            ("OCF_RESKEY_nic".to_string(), nic.clone()),
            ("OCF_RESKEY_docker_host".to_string(), host.clone()),
        ]);
        let c = Config::from_env(&env).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(c.container.as_str(), container.as_str());
        prop_assert_eq!(c.nic, Some(nic));
        prop_assert_eq!(c.docker_host.as_str(), host.as_str());
    }
}
