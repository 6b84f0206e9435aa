//! Parameter declarations: one [`ParamSpec`] per parameter drives parsing,
//! validation and the meta-data.

use std::ops::RangeInclusive;

use crate::env::Env;

/// The content type the meta-data declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentType {
    /// `string`
    String,
    /// `integer`
    Integer,
    /// `boolean`
    Boolean,
}

impl ContentType {
    /// The OCF name.
    pub const fn as_str(self) -> &'static str {
        match self {
            ContentType::String => "string",
            ContentType::Integer => "integer",
            ContentType::Boolean => "boolean",
        }
    }
}

/// One parameter: name, type, default and documentation.
///
/// ```
/// use ra_api::ParamSpec;
/// const IP: ParamSpec = ParamSpec::string("ip")
///     .required()
///     .unique()
///     .shortdesc("Virtual address")
///     .longdesc("The address to bind, in CIDR notation.");
/// assert!(IP.required && IP.default.is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamSpec {
    /// The name (`OCF_RESKEY_<name>`).
    pub name: &'static str,
    /// One line for lists.
    pub shortdesc: &'static str,
    /// The manual text.
    pub longdesc: &'static str,
    /// The content type.
    pub content: ContentType,
    /// The default, when there is one.
    pub default: Option<&'static str>,
    /// Must be set.
    pub required: bool,
    /// Must differ between resources of this agent.
    pub unique: bool,
    /// Can change on a running resource through `reload-agent` (OCF 1.1
    /// `reloadable="1"`), without a restart.
    pub reloadable: bool,
    /// The value may carry credentials (a command line with a token or a
    /// password): errors name the parameter and the problem but never
    /// quote the value, because Pacemaker shows exit reasons to everyone
    /// who can read the cluster status.
    pub sensitive: bool,
}

impl ParamSpec {
    const fn new(name: &'static str, content: ContentType) -> Self {
        ParamSpec {
            name,
            shortdesc: "",
            longdesc: "",
            content,
            default: None,
            required: false,
            unique: false,
            reloadable: false,
            sensitive: false,
        }
    }
    /// A string parameter.
    pub const fn string(name: &'static str) -> Self {
        Self::new(name, ContentType::String)
    }
    /// An integer parameter.
    pub const fn integer(name: &'static str) -> Self {
        Self::new(name, ContentType::Integer)
    }
    /// A boolean parameter.
    pub const fn boolean(name: &'static str) -> Self {
        Self::new(name, ContentType::Boolean)
    }
    /// Marks it required.
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    /// Marks it unique.
    pub const fn unique(mut self) -> Self {
        self.unique = true;
        self
    }
    /// Marks it reloadable: a new value takes effect through
    /// `reload-agent`, without restarting the resource. Only for values the
    /// agent reads on every call or can apply in place.
    pub const fn reloadable(mut self) -> Self {
        self.reloadable = true;
        self
    }
    /// Marks it sensitive: an error about its value never quotes the value
    /// ([`ParamError::Withheld`]). The agent's own parser must not quote
    /// it in its problem text either.
    pub const fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    /// The environment variable it is passed in (`OCF_RESKEY_<name>`).
    pub fn env_var(&self) -> String {
        format!("OCF_RESKEY_{}", self.name)
    }
    /// Sets the default.
    pub const fn default(mut self, v: &'static str) -> Self {
        self.default = Some(v);
        self
    }
    /// Sets the one-line description.
    pub const fn shortdesc(mut self, s: &'static str) -> Self {
        self.shortdesc = s;
        self
    }
    /// Sets the manual text.
    pub const fn longdesc(mut self, s: &'static str) -> Self {
        self.longdesc = s;
        self
    }
}

/// A parameter that is missing or malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    /// A required parameter is not set.
    #[error("required parameter {name} is not set")]
    Missing {
        /// The parameter.
        name: &'static str,
    },
    /// A value that cannot be used.
    #[error("{name}={value:?}: {problem}")]
    Invalid {
        /// The parameter.
        name: &'static str,
        /// The value, shortened for the exit reason.
        value: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A value that cannot be used, of a [`ParamSpec::sensitive`]
    /// parameter: the value is not shown.
    #[error("{name} (value not shown): {problem}")]
    Withheld {
        /// The parameter.
        name: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

impl ParamError {
    /// The parameter concerned.
    pub fn name(&self) -> &'static str {
        match self {
            ParamError::Missing { name }
            | ParamError::Invalid { name, .. }
            | ParamError::Withheld { name, .. } => name,
        }
    }

    /// An invalid value, shortened so that its quoted form in the exit
    /// reason (`{value:?}`, where a control or unassigned character becomes
    /// `\u{...}`) takes at most 40 characters plus `…`; not shown at all
    /// for a [`ParamSpec::sensitive`] parameter.
    pub fn invalid(spec: &ParamSpec, value: &str, problem: impl Into<String>) -> ParamError {
        const MAX: usize = 40;
        if spec.sensitive {
            return ParamError::Withheld {
                name: spec.name,
                problem: problem.into(),
            };
        }
        let mut shown = String::new();
        let mut width = 0;
        for c in value.chars() {
            // char's escape is never shorter than the one in a str's Debug
            width += c.escape_debug().count();
            if width > MAX {
                shown.push('…');
                break;
            }
            shown.push(c);
        }
        let value = shown;
        ParamError::Invalid {
            name: spec.name,
            value,
            problem: problem.into(),
        }
    }
}

/// Reads parameters from an [`Env`] through their specs.
#[derive(Debug, Clone, Copy)]
pub struct Params<'e> {
    env: &'e Env,
}

impl<'e> Params<'e> {
    /// Reader over `env`.
    pub fn new(env: &'e Env) -> Self {
        Params { env }
    }

    /// The value as given; an empty value counts as unset (as in the shell
    /// library).
    pub fn raw(&self, spec: &ParamSpec) -> Option<&'e str> {
        self.env.param(spec.name).filter(|v| !v.is_empty())
    }

    /// The value, else the default; `Missing` for an unset required one.
    fn value(&self, spec: &ParamSpec) -> Result<Option<&'e str>, ParamError> {
        match self.raw(spec).or(spec.default) {
            None if spec.required => Err(ParamError::Missing { name: spec.name }),
            v => Ok(v),
        }
    }

    /// A string parameter.
    pub fn string(&self, spec: &ParamSpec) -> Result<Option<String>, ParamError> {
        Ok(self.value(spec)?.map(str::to_string))
    }

    /// A decimal integer within `range` (surrounding blanks allowed, a sign
    /// allowed, nothing else).
    pub fn integer(
        &self,
        spec: &ParamSpec,
        range: RangeInclusive<i64>,
    ) -> Result<Option<i64>, ParamError> {
        self.parse(spec, |s| {
            let t = s.trim();
            let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err("not an integer".to_string());
            }
            match t.parse::<i64>() {
                Ok(n) if range.contains(&n) => Ok(n),
                _ => Err(format!("must be {} to {}", range.start(), range.end())),
            }
        })
    }

    /// A boolean: `yes/true/1/on` or `no/false/0/off` in any case; unset
    /// gives the default (or false); anything else is refused.
    pub fn boolean(&self, spec: &ParamSpec) -> Result<bool, ParamError> {
        Ok(self.parse(spec, parse_bool)?.unwrap_or(false))
    }

    /// A value through the agent's own parser (default applied); the parser's
    /// `Err` becomes [`ParamError::Invalid`].
    pub fn parse<T>(
        &self,
        spec: &ParamSpec,
        f: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ParamError> {
        match self.value(spec)? {
            None => Ok(None),
            Some(v) => f(v)
                .map(Some)
                .map_err(|problem| ParamError::invalid(spec, v, problem)),
        }
    }
}

/// The field's boolean words.
pub fn parse_bool(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "1" | "on" => Ok(true),
        "no" | "false" | "0" | "off" => Ok(false),
        _ => Err("not a boolean: use yes/no, true/false, 1/0 or on/off".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
