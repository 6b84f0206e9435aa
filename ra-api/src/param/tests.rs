//! Parsing through the specs: defaults, strictness, shortened and withheld values.

use super::*;
use crate::env::Env;

const S: ParamSpec = ParamSpec::string("s").default("dflt");
const R: ParamSpec = ParamSpec::string("r").required();
const I: ParamSpec = ParamSpec::integer("i").default("5");
const N: ParamSpec = ParamSpec::integer("n");
const B: ParamSpec = ParamSpec::boolean("b").default("true");
const F: ParamSpec = ParamSpec::boolean("f");

fn env(pairs: &[(&str, &str)]) -> Env {
    Env::from_pairs(
        pairs
            .iter()
            .map(|(k, v)| (format!("OCF_RESKEY_{k}"), v.to_string())),
    )
}

#[test]
fn strings_default_and_required() {
    let e = env(&[("r", "x")]);
    let p = Params::new(&e);
    assert_eq!(p.string(&S), Ok(Some("dflt".into())));
    assert_eq!(p.string(&R), Ok(Some("x".into())));
    let e = env(&[("s", ""), ("r", "")]);
    let p = Params::new(&e);
    assert_eq!(
        p.string(&S),
        Ok(Some("dflt".into())),
        "empty counts as unset"
    );
    assert_eq!(p.string(&R), Err(ParamError::Missing { name: "r" }));
}

#[test]
fn integers_are_strict_and_bounded() {
    let get = |v: &str| Params::new(&env(&[("i", v)])).integer(&I, 1..=100);
    assert_eq!(get("7"), Ok(Some(7)));
    assert_eq!(get(" 7 "), Ok(Some(7)));
    assert_eq!(get("+7"), Ok(Some(7)));
    assert_eq!(get(""), Ok(Some(5)));
    for bad in [
        "0",
        "-1",
        "101",
        "7x",
        "0x10",
        "1e2",
        "--1",
        "+",
        "9223372036854775808",
        "١",
    ] {
        assert!(
            matches!(get(bad), Err(ParamError::Invalid { .. })),
            "{bad:?}"
        );
    }
    let msg = match get("101") {
        Err(e) => e.to_string(),
        Ok(v) => panic!("{v:?}"),
    };
    assert_eq!(msg, "i=\"101\": must be 1 to 100");
    assert_eq!(Params::new(&env(&[])).integer(&N, 0..=1), Ok(None));
}

#[test]
fn booleans_take_the_field_words_only() {
    let get = |spec: &ParamSpec, v: &str| Params::new(&env(&[(spec.name, v)])).boolean(spec);
    for t in ["yes", "TRUE", "1", "On", " yes "] {
        assert_eq!(get(&F, t), Ok(true), "{t}");
    }
    for f in ["no", "False", "0", "OFF"] {
        assert_eq!(get(&B, f), Ok(false), "{f}");
    }
    assert_eq!(get(&B, ""), Ok(true));
    assert_eq!(get(&F, ""), Ok(false));
    for bad in ["y", "2", "maybe", "enabled"] {
        assert!(get(&F, bad).is_err(), "{bad}");
    }
}

#[test]
fn long_values_are_shortened_in_errors() {
    let long = "x".repeat(300);
    let e = Params::new(&env(&[("i", &long)])).integer(&I, 1..=2);
    let text = match e {
        Err(e) => e.to_string(),
        Ok(v) => panic!("{v:?}"),
    };
    assert!(text.chars().count() < 80, "{text}");
    assert!(text.contains('…'));
}

#[test]
fn escaped_values_are_shortened_by_their_shown_width() {
    // 40 unassigned code points would show as 40 x `\u{xxxxx}`
    let odd = "\u{3347a}".repeat(40);
    let e = Params::new(&env(&[("i", &odd)])).integer(&I, 1..=2);
    let text = match e {
        Err(e) => e.to_string(),
        Ok(v) => panic!("{v:?}"),
    };
    assert!(text.chars().count() <= 60, "{text}");
    assert!(text.ends_with("…\": not an integer"), "{text}");
    let ctl = "\u{1}".repeat(8);
    let e = ParamError::invalid(&I, &ctl, "x");
    assert_eq!(
        e,
        ParamError::Invalid {
            name: "i",
            value: ctl,
            problem: "x".into()
        }
    );
}

#[test]
fn sensitive_values_are_never_quoted() {
    const CMD: ParamSpec = ParamSpec::string("cmd").sensitive();
    let e = env(&[("cmd", "curl -u admin:s3cret 'http://x")]);
    let err = Params::new(&e).parse(&CMD, |_| Err::<(), _>("unclosed quote".into()));
    let err = match err {
        Err(e) => e,
        Ok(v) => panic!("{v:?}"),
    };
    assert_eq!(err.name(), "cmd");
    assert_eq!(err.to_string(), "cmd (value not shown): unclosed quote");
    assert!(!format!("{err:?}").contains("s3cret"));
    // the rest still quote a short prefix
    assert_eq!(
        ParamError::invalid(&S, "abc", "x").to_string(),
        "s=\"abc\": x"
    );
}

#[test]
fn parse_applies_the_agents_own_rule() {
    let e = env(&[("s", "abc")]);
    let p = Params::new(&e);
    assert_eq!(p.parse(&S, |v| Ok(v.len())), Ok(Some(3)));
    let err = p.parse(&S, |_| Err::<(), _>("nope".into()));
    assert_eq!(
        err,
        Err(ParamError::Invalid {
            name: "s",
            value: "abc".into(),
            problem: "nope".into()
        })
    );
    assert_eq!(err.map_err(|e| e.name()), Err("s"));
}
