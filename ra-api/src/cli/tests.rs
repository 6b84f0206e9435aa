use super::*;
use crate::metadata::ActionSpec;

const META: AgentMeta = AgentMeta {
    name: "demo",
    version: "1.2.3",
    shortdesc: "Demo agent",
    longdesc: "Does nothing.",
    params: &[
        ParamSpec::string("ip").required().shortdesc("Address"),
        ParamSpec::integer("arp_count")
            .default("5")
            .reloadable()
            .shortdesc("Rounds"),
    ],
    actions: &[
        ActionSpec::new("start", 20),
        ActionSpec::new("monitor", 20),
        ActionSpec::new("reload-agent", 20),
        ActionSpec::new("meta-data", 5),
    ],
};

fn args(words: &[&str]) -> Vec<String> {
    std::iter::once("demo")
        .chain(words.iter().copied())
        .map(String::from)
        .collect()
}

fn env() -> Env {
    Env::from_pairs([
        ("OCF_RESKEY_ip", "192.0.2.1"),
        ("OCF_RESKEY_arp_count", "3"),
    ])
}

#[test]
fn without_flags_the_environment_is_untouched() {
    for words in [&["monitor"][..], &["monitor", "extra", "words"], &[]] {
        let want_action = Action::parse(words.first().copied());
        assert_eq!(
            parse(&META, &env(), &args(words)),
            Parsed::Call {
                action: want_action,
                env: env()
            },
            "{words:?}"
        );
    }
}

#[test]
fn a_flag_overrides_its_variable_in_either_spelling_and_place() {
    for words in [
        &["monitor", "--arp-count", "9"][..],
        &["--arp-count=9", "monitor"],
        &["monitor", "--arp_count", "9"],
    ] {
        let Parsed::Call { action, env: e } = parse(&META, &env(), &args(words)) else {
            panic!("{words:?}")
        };
        assert_eq!(action, Action::Monitor);
        assert_eq!(e.param("arp_count"), Some("9"), "{words:?}");
        assert_eq!(e.param("ip"), Some("192.0.2.1"));
    }
    // values that look like flags are values (then judged like the variable)
    let Parsed::Call { env: e, .. } =
        parse(&META, &Env::default(), &args(&["start", "--ip", "-1"]))
    else {
        panic!()
    };
    assert_eq!(e.param("ip"), Some("-1"));
}

#[test]
fn help_lists_actions_and_every_parameter_with_default_and_variable() {
    let Parsed::Text(help) = parse(&META, &env(), &args(&["--help"])) else {
        panic!()
    };
    for want in [
        "--ip <STRING>",
        "Address (required) [env: OCF_RESKEY_ip]",
        "--arp-count <INTEGER>",
        "Rounds (reloadable) [default: 5] [env: OCF_RESKEY_arp_count]",
        "  reload-agent  ",
        "  meta-data     ",
        "  usage         ",
    ] {
        assert!(help.contains(want), "{want:?} not in\n{help}");
    }
    assert_eq!(parse(&META, &env(), &args(&["-h"])), Parsed::Text(help));
    assert_eq!(
        parse(&META, &env(), &args(&["--version"])),
        Parsed::Text("demo 1.2.3\n".into())
    );
}

#[test]
fn malformed_command_lines_give_one_short_reason() {
    let long = format!("--{}", "x".repeat(300));
    for (words, want) in [
        (
            &["monitor", "--bogus"][..],
            "unexpected argument '--bogus' found",
        ),
        (
            &["monitor", "--ip"],
            "a value is required for '--ip <STRING>'",
        ),
        (
            &["monitor", "--ip", "a", "--ip", "b"],
            "the argument '--ip <STRING>' cannot be used multiple times",
        ),
        (&["monitor", &long], "unexpected argument '--xxx"),
    ] {
        let Parsed::Malformed(reason) = parse(&META, &env(), &args(words)) else {
            panic!("{words:?}")
        };
        assert!(reason.starts_with(want), "{words:?}: {reason}");
        assert!(reason.ends_with("; see demo --help"), "{reason}");
        assert!(reason.chars().count() <= EXIT_REASON_MAX, "{reason}");
        assert!(!reason.contains('\n'));
    }
}

#[test]
fn flags_are_named_after_the_parameters() {
    let names: Vec<String> = META.params.iter().map(flag).collect();
    assert_eq!(names, ["--ip", "--arp-count"]);
}

#[test]
fn the_command_is_sound() {
    command(&META).debug_assert();
}
