//! The agent's manual page, written from the same [`AgentMeta`] as the
//! meta-data, in the shape of resource-agents' `ocf_heartbeat_IPaddr2(7)`:
//! NAME, SYNOPSIS, DESCRIPTION, SUPPORTED PARAMETERS, SUPPORTED ACTIONS,
//! EXAMPLE USAGE (pcs and crm) and SEE ALSO.
//!
//! The output is plain `man(7)` roff in ASCII: every character that roff
//! would read as markup or typeset as something else is escaped (a leading
//! `.`, backslashes, hyphens, quotes, non-ASCII), so `groff -man -ww` prints
//! no warning and the rendered text is what the meta-data says.

use std::fmt::Write as _;

use crate::metadata::{ActionSpec, AgentMeta};
use crate::param::ParamSpec;

/// The manual page of one agent (section 7, `ocf_<provider>_<name>`).
///
/// ```
/// use ra_api::{ActionSpec, AgentMeta, ManPage, ParamSpec};
/// const META: AgentMeta = AgentMeta {
///     name: "demo", version: "1.0", shortdesc: "Demo", longdesc: "A demo agent.",
///     params: &[ParamSpec::string("state").required().shortdesc("State file")],
///     actions: &[ActionSpec::new("start", 20), ActionSpec::new("meta-data", 5)],
/// };
/// let man = ManPage::new(&META, "acme");
/// assert_eq!(man.file_name(), "ocf_acme_demo.7");
/// assert!(man.to_roff().contains(".SH \"SUPPORTED PARAMETERS\""));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ManPage<'a> {
    meta: &'a AgentMeta,
    provider: &'a str,
    source: Option<&'a str>,
    see_also: &'a [&'a str],
}

impl<'a> ManPage<'a> {
    /// The page of `meta`, an agent of `provider` (`ocf:<provider>:<name>`).
    pub fn new(meta: &'a AgentMeta, provider: &'a str) -> Self {
        ManPage {
            meta,
            provider,
            source: None,
            see_also: &[],
        }
    }

    /// The footer's source (`.TH`'s fourth field), e.g. the package and its
    /// version; default `<name> <version>`.
    pub fn source(mut self, source: &'a str) -> Self {
        self.source = Some(source);
        self
    }

    /// Further references (paths, addresses, pages) for SEE ALSO, one per
    /// paragraph, after the Pacemaker tools.
    pub fn see_also(mut self, extra: &'a [&'a str]) -> Self {
        self.see_also = extra;
        self
    }

    /// `ocf_<provider>_<name>`, as resource-agents names its pages.
    pub fn title(&self) -> String {
        format!("ocf_{}_{}", self.provider, self.meta.name)
    }

    /// `ocf_<provider>_<name>.7`.
    pub fn file_name(&self) -> String {
        format!("{}.7", self.title())
    }

    /// The page's roff source.
    pub fn to_roff(&self) -> String {
        let m = self.meta;
        let mut o = String::new();
        let source = match self.source {
            Some(s) => s.to_string(),
            None => format!("{} {}", m.name, m.version),
        };
        o.push_str(".\\\" Generated from the agent's meta-data declarations; do not edit.\n");
        let _ = writeln!(
            o,
            ".TH {} \"7\" \"\" {} \"OCF resource agents\"",
            quoted(&self.title().to_uppercase()),
            quoted(&source)
        );
        o.push_str(".nh\n.ad l\n");

        o.push_str(".SH \"NAME\"\n");
        line(
            &mut o,
            &format!("{} \\- {}", escape(&self.title()), escape(m.shortdesc)),
        );

        o.push_str(".SH \"SYNOPSIS\"\n");
        let names: Vec<String> = m.actions.iter().map(|a| escape(a.name)).collect();
        line(
            &mut o,
            &format!("\\fB{}\\fR [{}]", escape(m.name), names.join(" | ")),
        );
        o.push_str(".PP\n");
        line(
            &mut o,
            &format!(
                "Pacemaker runs \\fB{}\\fR with the action as the first argument and each \
parameter \\fIname\\fR as \\fBOCF_RESKEY_\\fR\\fIname\\fR in the environment; \
the resource class is \\fBocf:{}:{}\\fR.",
                escape(&self.path()),
                escape(self.provider),
                escape(m.name)
            ),
        );

        o.push_str(".PP\n");
        line(
            &mut o,
            &format!(
                "By hand, each parameter may be given as a flag instead, its name with \\- for _ \
(\\fB{} monitor \\-\\-{} \\fR\\fIvalue\\fR); a flag overrides its variable. \
\\fB\\-\\-help\\fR lists them, \\fB\\-\\-version\\fR prints the version.",
                escape(m.name),
                m.params
                    .first()
                    .map_or(String::from("name"), |p| escape(&p.name.replace('_', "-")))
            ),
        );

        o.push_str(".SH \"DESCRIPTION\"\n");
        paragraphs(&mut o, m.longdesc, ".PP");

        o.push_str(".SH \"SUPPORTED PARAMETERS\"\n");
        for p in m.params {
            param(&mut o, p);
        }

        o.push_str(".SH \"SUPPORTED ACTIONS\"\n.PP\n");
        o.push_str("This resource agent supports the following actions (operations):\n");
        for a in m.actions {
            action(&mut o, a);
        }

        o.push_str(".SH \"EXAMPLE USAGE\"\n.PP\n");
        line(
            &mut o,
            &format!(
                "A {} resource with \\fBpcs\\fR(8) (required parameters in \\fIitalics\\fR):",
                escape(m.name)
            ),
        );
        example(&mut o, &self.pcs_example());
        o.push_str(".PP\nThe same with the \\fBcrm\\fR(8) shell:\n");
        example(&mut o, &self.crm_example());

        o.push_str(".SH \"SEE ALSO\"\n.PP\n");
        o.push_str(
            "\\fBcrm_resource\\fR(8), \\fBpcs\\fR(8), \\fBcrm\\fR(8), \\fBocf\\-tester\\fR(8)\n",
        );
        for s in self.see_also {
            paragraphs(&mut o, s, ".PP");
        }
        o
    }

    fn path(&self) -> String {
        format!(
            "/usr/lib/ocf/resource.d/{}/{}",
            self.provider, self.meta.name
        )
    }

    /// Required parameters as `name=\fItype\fR` (already escaped).
    fn required(&self) -> Vec<String> {
        self.meta
            .params
            .iter()
            .filter(|p| p.required)
            .map(|p| format!("{}=\\fI{}\\fR", escape(p.name), escape(p.content.as_str())))
            .collect()
    }

    /// `op monitor interval=.. timeout=..` from the monitor action, if any.
    fn monitor_op(&self, depth_key: &str) -> Option<String> {
        let a = self.meta.actions.iter().find(|a| a.name == "monitor")?;
        let mut op = String::from("op monitor");
        if let Some(i) = a.interval_s {
            let _ = write!(op, " interval={i}s");
        }
        let _ = write!(op, " timeout={}s", a.timeout_s);
        if let Some(d) = a.depth.filter(|d| *d != 0) {
            let _ = write!(op, " {depth_key}={d}");
        }
        Some(op)
    }

    fn id(&self) -> String {
        format!("p_{}", escape(self.meta.name))
    }

    fn class(&self) -> String {
        format!("ocf:{}:{}", escape(self.provider), escape(self.meta.name))
    }

    fn pcs_example(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "pcs resource create {} {}",
            self.id(),
            self.class()
        )];
        lines.extend(self.required().into_iter().map(|r| format!("  {r}")));
        lines.extend(self.monitor_op("OCF_CHECK_LEVEL").map(|o| format!("  {o}")));
        lines
    }

    fn crm_example(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "crm configure primitive {} {}",
            self.id(),
            self.class()
        )];
        let required = self.required();
        if !required.is_empty() {
            lines.push("  params".into());
            lines.extend(required.into_iter().map(|r| format!("    {r}")));
        }
        lines.extend(self.monitor_op("depth").map(|o| format!("  {o}")));
        lines
    }
}

fn param(o: &mut String, p: &ParamSpec) {
    o.push_str(".PP\n");
    if p.shortdesc.is_empty() {
        line(o, &format!("\\fB{}\\fR", escape(p.name)));
    } else {
        line(
            o,
            &format!("\\fB{}\\fR \\(em {}", escape(p.name), escape(p.shortdesc)),
        );
    }
    o.push_str(".RS 4\n");
    if !p.longdesc.trim().is_empty() {
        paragraphs(o, p.longdesc, ".sp");
        o.push_str(".sp\n");
    }
    let mut facts = Vec::new();
    if p.unique {
        facts.push("unique".to_string());
    }
    facts.push(if p.required { "required" } else { "optional" }.to_string());
    facts.push(p.content.as_str().to_string());
    facts.push(match p.default {
        None => "no default".to_string(),
        Some(d) if p.content == crate::param::ContentType::String => format!("default \"{d}\""),
        Some(d) => format!("default {d}"),
    });
    line(o, &format!("({})", escape(&facts.join(", "))));
    if p.reloadable {
        o.push_str(".sp\n");
        line(
            o,
            "Reloadable: a new value takes effect through reload\\-agent, without a restart.",
        );
    }
    if p.sensitive {
        o.push_str(".sp\n");
        line(
            o,
            "Sensitive: errors name this parameter but never quote its value.",
        );
    }
    o.push_str(".RE\n");
}

fn action(o: &mut String, a: &ActionSpec) {
    o.push_str(".PP\n");
    line(o, &format!("\\fB{}\\fR", escape(a.name)));
    o.push_str(".RS 4\n");
    let mut text = String::from(action_text(a.name));
    let _ = write!(text, "Suggested minimum timeout: {}s.", a.timeout_s);
    if let Some(i) = a.interval_s {
        let _ = write!(text, " Suggested interval: {i}s.");
    }
    if let Some(d) = a.depth.filter(|d| *d != 0) {
        let _ = write!(text, " Check depth (OCF_CHECK_LEVEL): {d}.");
    }
    line(o, &escape(&text));
    o.push_str(".RE\n");
}

/// What each OCF action does, in resource-agents' words.
fn action_text(name: &str) -> &'static str {
    match name {
        "start" => "Starts the resource. ",
        "stop" => "Stops the resource. ",
        "monitor" => "Checks the resource's state (probes and recurring monitors). ",
        "status" => "Performs a status check. ",
        "validate-all" => "Validates the resource's configuration. ",
        "meta-data" => "Prints the resource agent's meta-data (internal use only). ",
        "promote" => "Promotes the resource. ",
        "demote" => "Demotes the resource. ",
        "notify" => "Receives notifications about other instances of a clone. ",
        "reload" => "Applies changed parameters without a restart. ",
        "reload-agent" => "Applies changed reloadable parameters to the agent. ",
        "migrate_to" => "Migrates the resource to another node. ",
        "migrate_from" => "Completes a migration from another node. ",
        _ => "",
    }
}

/// A literal block (no filling), as in resource-agents' examples.
fn example(o: &mut String, lines: &[String]) {
    o.push_str(".sp\n.RS 4\n.nf\n");
    let last = lines.len().saturating_sub(1);
    for (i, l) in lines.iter().enumerate() {
        let cont = if i < last { " \\e" } else { "" };
        line(o, &format!("{l}{cont}"));
    }
    o.push_str(".fi\n.RE\n");
}

/// Text split at blank lines into paragraphs separated by `sep` (`.PP` or
/// `.sp`); each source line escaped and trimmed.
fn paragraphs(o: &mut String, text: &str, sep: &str) {
    let mut first = true;
    for para in text.split("\n\n") {
        let lines: Vec<&str> = para
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() {
            continue;
        }
        if !first || sep == ".PP" {
            o.push_str(sep);
            o.push('\n');
        }
        first = false;
        for l in lines {
            line(o, &escape(l));
        }
    }
}

/// One source line of already escaped text; a line that roff would read as
/// a request (leading `.` or `'`) is protected with `\&`.
fn line(o: &mut String, text: &str) {
    if text.starts_with(['.', '\'']) {
        o.push_str("\\&");
    }
    o.push_str(text);
    o.push('\n');
}

/// A macro argument in double quotes.
fn quoted(text: &str) -> String {
    format!("\"{}\"", escape(text).replace('"', "\\(dq"))
}

/// Escapes text for roff: `\` prints as `\e`, `-` as `\-` (an ASCII
/// hyphen-minus that can be copied into a shell), quotes and the characters
/// groff would typeset otherwise by name, anything outside ASCII as
/// `\[uXXXX]`; control characters become spaces.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\e"),
            '-' => out.push_str("\\-"),
            '\'' => out.push_str("\\(aq"),
            '`' => out.push_str("\\(ga"),
            '~' => out.push_str("\\(ti"),
            '^' => out.push_str("\\(ha"),
            c if c.is_ascii_control() => out.push(' '),
            c if c.is_ascii() => out.push(c),
            c => {
                let _ = write!(out, "\\[u{:04X}]", u32::from(c));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
