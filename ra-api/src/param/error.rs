//! What is wrong with a parameter, as the exit reason says it.

use super::ParamSpec;

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
