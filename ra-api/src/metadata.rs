//! The meta-data XML, written with quick-xml in the shape that ocf-tester's
//! DTD check and pcs's RelaxNG schema both accept.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use crate::action::Action;
use crate::env::Env;
use crate::param::ParamSpec;

/// Which form of the meta-data a caller gets.
///
/// OCF 1.1 added the `reload-agent` action and the `reloadable` attribute;
/// resource-agents' `ra-api-1.dtd`, which ocf-tester validates against,
/// knows neither and fails the agent for them. The caller says which
/// version it speaks in `OCF_RA_VERSION_MAJOR`/`_MINOR`: Pacemaker 2.1's
/// executor sets 1 and 1 for every call (checked: `crm_resource
/// --show-metadata` and `--force-check`, `pcs resource describe` and `crm ra
/// info` all run the agent with them), ocf-tester sets neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaForm {
    /// Valid against `ra-api-1.dtd`: no `reload-agent`, no `reloadable`.
    Ocf10,
    /// With the OCF 1.1 elements.
    Ocf11,
}

impl MetaForm {
    /// [`MetaForm::Ocf11`] for a caller that says it speaks OCF 1.1 or later,
    /// [`MetaForm::Ocf10`] for every other (no or an older version).
    pub fn for_env(env: &Env) -> MetaForm {
        match env.ocf_version() {
            Some((major, minor)) if (major, minor) >= (1, 1) => MetaForm::Ocf11,
            _ => MetaForm::Ocf10,
        }
    }
}

/// One `<action>` line of the meta-data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionSpec {
    /// The action name (from the DTD's list).
    pub name: &'static str,
    /// Recommended timeout, seconds.
    pub timeout_s: u32,
    /// Recommended interval, seconds (monitor).
    pub interval_s: Option<u32>,
    /// Check depth (monitor).
    pub depth: Option<u32>,
}

impl ActionSpec {
    /// An action with its recommended timeout.
    pub const fn new(name: &'static str, timeout_s: u32) -> Self {
        ActionSpec {
            name,
            timeout_s,
            interval_s: None,
            depth: None,
        }
    }
    /// With a recommended interval.
    pub const fn interval(mut self, s: u32) -> Self {
        self.interval_s = Some(s);
        self
    }
    /// With a depth.
    pub const fn depth(mut self, d: u32) -> Self {
        self.depth = Some(d);
        self
    }
}

/// Everything the meta-data says about an agent.
#[derive(Debug, Clone, Copy)]
pub struct AgentMeta {
    /// The agent's type name (`container`).
    pub name: &'static str,
    /// The agent's own version.
    pub version: &'static str,
    /// One line.
    pub shortdesc: &'static str,
    /// The manual's introduction.
    pub longdesc: &'static str,
    /// The parameters.
    pub params: &'static [ParamSpec],
    /// The supported actions with recommended timeouts.
    pub actions: &'static [ActionSpec],
}

impl AgentMeta {
    /// Whether the agent supports `action`: listed in [`AgentMeta::actions`],
    /// or `meta-data`/`usage`, which every agent has.
    pub fn supports(&self, action: &Action) -> bool {
        match action {
            Action::MetaData | Action::Usage => true,
            Action::Missing => false,
            a => self.actions.iter().any(|s| s.name == a.as_str()),
        }
    }

    /// The meta-data document in its OCF 1.0 DTD-valid form
    /// ([`MetaForm::Ocf10`]).
    pub fn to_xml(&self) -> String {
        self.to_xml_in(MetaForm::Ocf10)
    }

    /// The meta-data document in `form`.
    pub fn to_xml_in(&self, form: MetaForm) -> String {
        let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
        // Writing into a Vec cannot fail; errors are ignored to stay panic-free.
        let _ = self.write(&mut w, form);
        let body = String::from_utf8_lossy(&w.into_inner()).into_owned();
        format!("{body}\n")
    }

    fn write(&self, w: &mut Writer<Vec<u8>>, form: MetaForm) -> std::io::Result<()> {
        let ocf11 = form == MetaForm::Ocf11;
        w.write_event(Event::Decl(BytesDecl::new("1.0", None, None)))?;
        w.write_event(Event::DocType(BytesText::from_escaped(
            "resource-agent SYSTEM \"ra-api-1.dtd\"",
        )))?;
        let mut root = BytesStart::new("resource-agent");
        root.push_attribute(("name", self.name));
        root.push_attribute(("version", self.version));
        w.write_event(Event::Start(root))?;
        text_element(w, "version", None, "1.1")?;
        text_element(w, "longdesc", Some("en"), self.longdesc)?;
        text_element(w, "shortdesc", Some("en"), self.shortdesc)?;
        w.write_event(Event::Start(BytesStart::new("parameters")))?;
        for p in self.params {
            let mut e = BytesStart::new("parameter");
            e.push_attribute(("name", p.name));
            e.push_attribute(("unique", if p.unique { "1" } else { "0" }));
            e.push_attribute(("required", if p.required { "1" } else { "0" }));
            if ocf11 && p.reloadable {
                e.push_attribute(("reloadable", "1"));
            }
            w.write_event(Event::Start(e))?;
            text_element(w, "longdesc", Some("en"), p.longdesc)?;
            text_element(w, "shortdesc", Some("en"), p.shortdesc)?;
            let mut c = BytesStart::new("content");
            c.push_attribute(("type", p.content.as_str()));
            if let Some(d) = p.default {
                c.push_attribute(("default", d));
            }
            w.write_event(Event::Empty(c))?;
            w.write_event(Event::End(BytesEnd::new("parameter")))?;
        }
        w.write_event(Event::End(BytesEnd::new("parameters")))?;
        w.write_event(Event::Start(BytesStart::new("actions")))?;
        for a in self.actions {
            if !ocf11 && Action::parse(Some(a.name)).since_ocf_1_1() {
                continue;
            }
            let mut e = BytesStart::new("action");
            e.push_attribute(("name", a.name));
            e.push_attribute(("timeout", format!("{}s", a.timeout_s).as_str()));
            if let Some(i) = a.interval_s {
                e.push_attribute(("interval", format!("{i}s").as_str()));
            }
            if let Some(d) = a.depth {
                e.push_attribute(("depth", d.to_string().as_str()));
            }
            w.write_event(Event::Empty(e))?;
        }
        w.write_event(Event::End(BytesEnd::new("actions")))?;
        w.write_event(Event::End(BytesEnd::new("resource-agent")))?;
        Ok(())
    }
}

fn text_element(
    w: &mut Writer<Vec<u8>>,
    name: &str,
    lang: Option<&str>,
    text: &str,
) -> std::io::Result<()> {
    let mut e = BytesStart::new(name);
    if let Some(l) = lang {
        e.push_attribute(("lang", l));
    }
    w.write_event(Event::Start(e))?;
    w.write_event(Event::Text(BytesText::new(text)))?;
    w.write_event(Event::End(BytesEnd::new(name)))?;
    Ok(())
}

#[cfg(test)]
mod tests;
