//! Reading parameters from the environment through their specs.

use std::ops::RangeInclusive;

use super::{ParamError, ParamSpec};
use crate::env::Env;

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
