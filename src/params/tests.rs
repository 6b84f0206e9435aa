//! Each parameter's parsing, defaults and refusals.

use super::*;

fn env(pairs: &[(&str, &str)]) -> Env {
    Env::from_pairs(pairs.iter().map(|(k, v)| {
        let key = if k.starts_with("OCF_") || *k == "DOCKER_HOST" {
            k.to_string()
        } else {
            format!("OCF_RESKEY_{k}")
        };
        (key, v.to_string())
    }))
}

fn cfg(pairs: &[(&str, &str)]) -> Config {
    match Config::from_env(&env(pairs)) {
        Ok(c) => c,
        Err(e) => panic!("{pairs:?}: {e}"),
    }
}

fn refused(pairs: &[(&str, &str)]) -> ParamError {
    match Config::from_env(&env(pairs)) {
        Ok(c) => panic!("{pairs:?} accepted as {c:?}"),
        Err(e) => e,
    }
}

#[test]
fn defaults_come_from_the_declarations() {
    let c = cfg(&[("ip", "192.0.2.10/24")]);
    assert_eq!(c.ip_list(), "192.0.2.10/24");
    assert_eq!(c.nic, None);
    assert_eq!(c.container, "croit");
    assert_eq!(c.docker_host.as_str(), DEFAULT_DOCKER_HOST);
    assert_eq!(c.arp_count, 5);
    assert_eq!(c.arp_interval, Duration::from_millis(200));
    assert_eq!(c.arp_count_refresh, 0);
    assert_eq!(c.stop_timeout, None);
    assert!(c.check_health);
    assert!(!c.wait_healthy);
    assert_eq!(c.monitor_cmd, None);
    assert!(c.fix_restart_policy);
    // Every declared default parses with its own parser.
    for spec in PARAMS {
        assert!(
            spec.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_'),
            "{}",
            spec.name
        );
        assert!(
            !spec.longdesc.is_empty() && !spec.shortdesc.is_empty(),
            "{}",
            spec.name
        );
    }
}

#[test]
fn every_value_is_read() {
    let c = cfg(&[
        ("ip", "2001:db8::10/64"),
        ("nic", "bond0.100"),
        ("container", "/pxe-1"),
        ("docker_host", "/run/podman/podman.sock"),
        ("arp_count", "3"),
        ("arp_interval", "0"),
        ("arp_count_refresh", "2"),
        ("stop_timeout", "30"),
        ("check_health", "no"),
        ("wait_healthy", "YES"),
        ("monitor_cmd", "test -f '/tmp/ready file'"),
        ("fix_restart_policy", "off"),
    ]);
    assert_eq!(c.nic.as_deref(), Some("bond0.100"));
    assert_eq!(c.container, "pxe-1");
    assert_eq!(c.docker_host.as_str(), "/run/podman/podman.sock");
    assert_eq!((c.arp_count, c.arp_count_refresh), (3, 2));
    assert_eq!(c.arp_interval, Duration::ZERO);
    assert_eq!(c.stop_timeout, Some(30));
    assert!(!c.check_health && c.wait_healthy && !c.fix_restart_policy);
    assert_eq!(
        c.monitor_cmd,
        Some(vec![
            "test".to_string(),
            "-f".into(),
            "/tmp/ready file".into()
        ])
    );
}

#[test]
fn docker_host_env_is_used_only_when_the_parameter_is_unset_and_it_is_a_socket() {
    let c = cfg(&[
        ("ip", "192.0.2.1/24"),
        ("DOCKER_HOST", "unix:///run/d.sock"),
    ]);
    assert_eq!(c.docker_host.as_str(), "unix:///run/d.sock");
    let c = cfg(&[
        ("ip", "192.0.2.1/24"),
        ("DOCKER_HOST", "tcp://10.0.0.1:2375"),
    ]);
    assert_eq!(c.docker_host.as_str(), DEFAULT_DOCKER_HOST);
    let c = cfg(&[
        ("ip", "192.0.2.1/24"),
        ("DOCKER_HOST", "unix:///run/d.sock"),
        ("docker_host", "unix:///run/e.sock"),
    ]);
    assert_eq!(c.docker_host.as_str(), "unix:///run/e.sock");
}

#[test]
fn malformed_values_name_the_parameter() {
    let cases: &[(&str, &str)] = &[
        ("ip", "192.0.2.10/33"),
        ("ip", "not-an-ip"),
        ("nic", "a-very-long-interface0"),
        ("nic", "eth0:1"),
        ("nic", "eth 0"),
        ("nic", "../etc"),
        ("container", "-bad"),
        ("container", "x"),
        ("container", "a b"),
        ("container", "ümlaut"),
        ("docker_host", "tcp://127.0.0.1:2375"),
        ("docker_host", "var/run/docker.sock"),
        ("docker_host", "unix:///var/run/docker.sock "),
        ("docker_host", " /var/run/docker.sock"),
        ("docker_host", "/var/run/docker\t.sock"),
        ("arp_count", "0"),
        ("arp_count", "-1"),
        ("arp_count", "5x"),
        ("arp_count", "99999999999999999999999"),
        ("arp_interval", "-200"),
        ("arp_count_refresh", "101"),
        ("stop_timeout", "0"),
        ("check_health", "maybe"),
        ("wait_healthy", "2"),
        ("fix_restart_policy", "yes please"),
        ("monitor_cmd", "sh -c 'unclosed"),
    ];
    for (name, value) in cases {
        let mut pairs = vec![("ip", "192.0.2.10/24")];
        pairs.retain(|(k, _)| k != name);
        pairs.push((name, value));
        let e = refused(&pairs);
        assert_eq!(e.name(), *name, "{name}={value}");
        let text = e.to_string();
        assert!(text.contains(name), "{text}");
    }
}

#[test]
fn a_blank_in_docker_host_is_6_naming_it() {
    // issue 21 item 13: was taken, then 5 on every node (no such socket)
    let e = refused(&[
        ("ip", "192.0.2.10/24"),
        ("docker_host", "unix:///run/docker.sock "),
    ]);
    assert_eq!(e.name(), "docker_host");
    assert!(
        e.to_string().contains("a blank or control character"),
        "{e}"
    );
    // $DOCKER_HOST with a blank is not a unix socket path: the default
    let env = ra_api::Env::from_pairs([
        ("OCF_RESKEY_ip", "192.0.2.10/24"),
        ("DOCKER_HOST", "unix:///run/other.sock "),
    ]);
    let c = Config::from_env(&env).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.docker_host.as_str(), DEFAULT_DOCKER_HOST);
}

#[test]
fn a_malformed_monitor_cmd_is_never_quoted() {
    let cmd = "curl -u admin:S3cretPass 'http://127.0.0.1/";
    let e = refused(&[("ip", "192.0.2.10/24"), ("monitor_cmd", cmd)]);
    assert_eq!(e.name(), "monitor_cmd");
    let text = e.to_string();
    assert_eq!(text, "monitor_cmd (value not shown): unclosed single quote");
    assert!(!format!("{e:?}").contains("S3cret"));
}

#[test]
fn ip_is_required() {
    assert_eq!(refused(&[]), ParamError::Missing { name: "ip" });
    assert_eq!(refused(&[("ip", "")]), ParamError::Missing { name: "ip" });
}

#[test]
fn container_only_reads_the_name_alone() {
    let e = env(&[("ip", "garbage"), ("container", "pxe")]);
    assert!(Config::from_env(&e).is_err());
    assert_eq!(container_only(&e), Ok(ContainerName::of("pxe")));
}

#[test]
fn docs_parameter_table_matches_the_declarations() {
    let page = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/parameters.md"));
    for spec in PARAMS {
        let row = page
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", spec.name)))
            .unwrap_or_else(|| panic!("docs/parameters.md has no row for {}", spec.name));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert_eq!(cells[2], spec.content.as_str(), "type of {}", spec.name);
        assert_eq!(
            cells[4].starts_with("*Reloadable.*"),
            spec.reloadable,
            "docs/parameters.md's reloadable mark of {}",
            spec.name
        );
        match spec.default {
            Some(d) => assert_eq!(cells[3], format!("`{d}`"), "default of {}", spec.name),
            None => assert!(
                cells[3].starts_with('('),
                "default of {}: {}",
                spec.name,
                cells[3]
            ),
        }
    }
}

/// The README's summary: one row per parameter, in declaration order, with
/// the same default as the full table, and the sentence that names the ones
/// that are not reloadable.
#[test]
fn readme_parameter_summary_matches_the_declarations() {
    let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
    let page = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/parameters.md"));
    let rows = |text: &'static str| -> Vec<Vec<&'static str>> {
        text.lines()
            .filter(|l| l.starts_with("| `"))
            .map(|l| l.split('|').map(str::trim).collect())
            .collect()
    };
    let summary = rows(readme);
    let names: Vec<String> = PARAMS.iter().map(|s| format!("`{}`", s.name)).collect();
    let listed: Vec<String> = summary.iter().map(|c| c[1].to_string()).collect();
    assert_eq!(listed, names, "the README's parameter summary");
    let full = rows(page);
    for cells in &summary {
        let row = full
            .iter()
            .find(|f| f[1] == cells[1])
            .unwrap_or_else(|| panic!("docs/parameters.md has no row for {}", cells[1]));
        assert_eq!(cells[2], row[3], "the README's default of {}", cells[1]);
    }
    let sentence = readme
        .lines()
        .find(|l| l.starts_with("All but ") && l.contains(" are reloadable"))
        .expect("the README names the parameters that are not reloadable");
    let fixed: Vec<&str> = sentence.split('`').skip(1).step_by(2).collect();
    let not_reloadable: Vec<&str> = PARAMS
        .iter()
        .filter(|s| !s.reloadable)
        .map(|s| s.name)
        .collect();
    assert_eq!(
        fixed, not_reloadable,
        "the README's parameters that are not reloadable"
    );
}

#[test]
fn link_local_needs_nic() {
    let e = refused(&[("ip", "fe80::2")]);
    assert_eq!(e.name(), "ip");
    assert!(e.to_string().contains("set nic"), "{e}");
    assert!(e.to_string().len() <= 128);
    assert_eq!(
        cfg(&[("ip", "fe80::2/64"), ("nic", "eth0")]).nic.as_deref(),
        Some("eth0")
    );
}

#[test]
fn exactly_the_values_read_on_every_call_are_reloadable() {
    let reloadable: Vec<&str> = PARAMS
        .iter()
        .filter(|p| p.reloadable)
        .map(|p| p.name)
        .collect();
    assert_eq!(
        reloadable,
        [
            "conflict_check",
            "conflict_window",
            "arp_count",
            "arp_interval",
            "arp_count_refresh",
            "stop_timeout",
            "check_health",
            "wait_healthy",
            "monitor_cmd",
            "fix_restart_policy"
        ]
    );
}
