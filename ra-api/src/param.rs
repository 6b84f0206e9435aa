//! Parameter declarations: one [`ParamSpec`] per parameter drives parsing,
//! validation and the meta-data.

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

mod error;
mod read;
pub use error::ParamError;
pub use read::{parse_bool, Params};

#[cfg(test)]
mod tests;
