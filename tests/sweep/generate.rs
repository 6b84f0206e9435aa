//! The generated cases: a seeded generator, the actions and the adversarial
//! values drawn from, one value per parameter, and a case (action,
//! variables, flags or environment).

use super::engines::Engines;
use croit_container::params::{Config, PARAMS};
use ra_api::Env;

/// splitmix64: small, seeded, good enough to pick test values.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub(super) fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    /// Random text: printable ASCII, unicode, blanks, control characters
    /// (no NUL: an environment cannot carry one).
    pub(super) fn text(&mut self, max: usize) -> String {
        let n = self.below(max + 1);
        (0..n)
            .map(|_| match self.below(6) {
                0 => char::from_u32(1 + (self.next() % 31) as u32).unwrap_or('x'),
                1 => char::from_u32((self.next() % 0x11_0000) as u32).unwrap_or('\u{fffd}'),
                2 => ' ',
                _ => char::from(b' ' + (self.next() % 95) as u8),
            })
            .filter(|c| *c != '\0')
            .collect()
    }
}

pub(super) const ACTIONS: &[&str] = &[
    "start",
    "stop",
    "monitor",
    "validate-all",
    "meta-data",
    "usage",
    "help",
    "promote",
    "demote",
    "notify",
    "reload",
    "migrate_to",
    "migrate_from",
    "status",
    "START",
    "",
    " start",
    "monitor\n",
    "-h",
    "--help",
    "reload-agent",
    "--version",
    "--bogus",
];

/// Values any parameter may get.
pub(super) const ADVERSARIAL: &[&str] = &[
    "",
    " ",
    "0",
    "-1",
    "+5",
    "1e3",
    "0x10",
    "18446744073709551616",
    "-9223372036854775809",
    "١٢",
    "yes",
    "OFF",
    "maybe",
    "192.0.2.10/33",
    "fe80::1%eth0/64",
    "::ffff:192.0.2.1/120",
    "224.0.0.1/4",
    "eth0:1",
    "a-very-long-interface-name",
    "..",
    "-bad",
    "ümlaut",
    "'unclosed",
    "sh -c 'touch /tmp/croit-sweep-owned'",
    "; touch /tmp/croit-sweep-owned",
    "$(touch /tmp/croit-sweep-owned)",
    "tcp://127.0.0.1:2375",
    "\u{202e}\u{200b}",
    "🦀",
];

/// A value for parameter `name`; `wild` cases draw from the adversarial
/// values and random text too, the others mostly parse.
pub(super) fn value_for(rng: &mut Rng, name: &str, wild: bool) -> Option<String> {
    if name == "ip" && !wild {
        return Some(
            rng.pick(&["192.0.2.10/24", "2001:db8::10/64", "127.0.0.7/8"])
                .to_string(),
        );
    }
    // the namespace has only `lo`: name it often, so that start gets past the NIC
    if name == "nic" && !wild && rng.chance(60) {
        return Some("lo".into());
    }
    if rng.chance(if wild { 35 } else { 60 }) {
        return None;
    }
    let plausible: &[&str] = match name {
        "ip" => &[
            "192.0.2.10/24",
            "192.0.2.10",
            "2001:db8::10/64",
            "2001:db8::10",
            "127.0.0.7/8",
            "198.51.100.1/32",
        ],
        "nic" => &["lo", "eth0", "nosuch0", "bond0.100", "veth-x"],
        "container" => &["croit", "pxe", "/pxe-1", "croit-sweep-absent"],
        "arp_count" | "arp_count_refresh" => &["1", "5", "0", "1000", "1001", "100", "101"],
        "arp_interval" => &["0", "200", "60000", "60001"],
        "stop_timeout" => &["1", "30", "86400", "86401", "0"],
        "check_health" | "wait_healthy" | "fix_restart_policy" => {
            &["yes", "no", "true", "false", "1", "0", "on", "off", "ON "]
        }
        "monitor_cmd" => &[
            "true",
            "sh -c 'exit 3'",
            "test -f \"/tmp/a b\"",
            "; touch /tmp/croit-sweep-owned",
        ],
        _ => &["x"],
    };
    Some(match rng.below(10) {
        _ if !wild => rng.pick(plausible).to_string(),
        0..=4 => rng.pick(plausible).to_string(),
        5..=7 => rng.pick(ADVERSARIAL).to_string(),
        _ => rng.text(60),
    })
}

pub(super) struct Case {
    pub(super) action: Option<String>,
    pub(super) vars: Vec<(String, String)>,
    /// The parameters go on the command line (`--name=value` after the
    /// action) instead of the environment: the answers must not change.
    pub(super) flags: bool,
}

impl Case {
    pub(super) fn generate(rng: &mut Rng, engines: &Engines) -> Case {
        let action = match rng.below(40) {
            0 => None,
            1 | 2 => Some(rng.text(12)),
            3..=24 => Some(rng.pick(&ACTIONS[..4]).to_string()),
            _ => Some(rng.pick(ACTIONS).to_string()),
        };
        // half the cases are well-formed definitions (drawn until one parses),
        // half anything at all
        let wild = rng.chance(50);
        let mut vars: Vec<(String, String)> = Vec::new();
        for _ in 0..20 {
            vars.clear();
            for spec in PARAMS {
                if spec.name == "docker_host" {
                    continue;
                }
                if let Some(v) = value_for(rng, spec.name, wild) {
                    vars.push((format!("OCF_RESKEY_{}", spec.name), v));
                }
            }
            let probe = [("OCF_RESKEY_docker_host".to_string(), "/x".to_string())];
            let with_host = vars.iter().cloned().chain(probe);
            if wild || Config::from_env(&Env::from_pairs(with_host)).is_ok() {
                break;
            }
        }
        let timeout = match rng.below(10) {
            0 => None,
            1 => Some(
                rng.pick(&["", "0", "-5", "abc", "2s", "99999999999999999999"])
                    .to_string(),
            ),
            _ => Some((100 + rng.below(2900)).to_string()),
        };
        if let Some(t) = &timeout {
            vars.push(("OCF_RESKEY_CRM_meta_timeout".into(), t.clone()));
        }
        match rng.below(4) {
            0 => {}
            1 => vars.push(("OCF_RESKEY_CRM_meta_interval".into(), "0".into())),
            2 => vars.push(("OCF_RESKEY_CRM_meta_interval".into(), "10000".into())),
            _ => vars.push(("OCF_RESKEY_CRM_meta_interval".into(), rng.text(6))),
        }
        if rng.chance(20) {
            vars.push((
                "OCF_CHECK_LEVEL".into(),
                rng.pick(&["0", "10", "20", "x"]).into(),
            ));
        }
        if rng.chance(30) {
            vars.push(("OCF_RESOURCE_INSTANCE".into(), rng.text(20)));
        }
        if rng.chance(10) {
            vars.push((
                format!("OCF_RESKEY_{}", "x".repeat(1 + rng.below(300))),
                rng.text(20),
            ));
        }
        let effective = Env::from_pairs(vars.clone()).timeout();
        // never the real engine: docker_host always set (an empty value would
        // mean the default socket), $DOCKER_HOST never
        vars.push((
            "OCF_RESKEY_docker_host".into(),
            engines.pick(rng, effective),
        ));
        let flags = rng.chance(25);
        Case {
            action,
            vars,
            flags,
        }
    }

    pub(super) fn describe(&self) -> String {
        format!(
            "action {:?} {} {:?}",
            self.action,
            if self.flags { "flags" } else { "env" },
            self.vars
        )
    }

    /// `--name=value` for a parameter's variable, when passed as flags.
    pub(super) fn flag(&self, key: &str, value: &str) -> Option<String> {
        let name = key.strip_prefix("OCF_RESKEY_")?;
        (self.flags && PARAMS.iter().any(|p| p.name == name))
            .then(|| format!("--{}={value}", name.replace('_', "-")))
    }
}
