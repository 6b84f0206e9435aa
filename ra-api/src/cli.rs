//! The command line: clap's builder fed from the agent's own declarations.
//!
//! Pacemaker runs an agent as `AGENT ACTION` with the parameters in
//! `OCF_RESKEY_*`. A person may also give them as flags: every
//! [`ParamSpec`] becomes one `--flag VALUE` (the name with `_` turned into
//! `-`, e.g. `--arp-count`; the name as declared, `--arp_count`, is
//! accepted too). A flag overrides its `OCF_RESKEY_<name>` variable, so
//! `AGENT monitor --ip 192.0.2.10/24` needs nothing exported, and a call
//! without flags (every call Pacemaker and ocf-tester make) reads exactly
//! what it read before. There is no second list of flags: the parser, the
//! `--help` text and the meta-data come from the same [`AgentMeta`].
//!
//! Answers use OCF codes, not clap's: `--help` and `--version` 0 (text on
//! stdout), a malformed command line (unknown flag, flag without value, a
//! flag twice) 2 (`OCF_ERR_ARGS`) with one exit reason, an unknown action 3
//! (decided by the execution block). Words after the action are ignored,
//! as before. A parameter named `help` or `version` would clash with those
//! flags: [`command`]'s `debug_assert` (run it in a test) catches that.

use clap::error::ErrorKind;
use clap::{Arg, ArgAction, Command};

use crate::action::Action;
use crate::env::Env;
use crate::metadata::AgentMeta;
use crate::param::ParamSpec;
use crate::reason::EXIT_REASON_MAX;

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// Run `action` with `env` (the flags merged in).
    Call {
        /// The action (`Missing` when none was given).
        action: Action,
        /// The environment with every flag's variable set.
        env: Env,
    },
    /// `--help` or `--version`: print this text, exit 0.
    Text(String),
    /// A malformed command line: exit 2 with this reason.
    Malformed(String),
}

/// The flag of a parameter: `--` and its name with `_` turned into `-`.
pub fn flag(spec: &ParamSpec) -> String {
    format!("--{}", long_name(spec))
}

fn long_name(spec: &ParamSpec) -> String {
    spec.name.replace('_', "-")
}

/// One line on an action in `--help`.
fn describe(action: &str) -> &'static str {
    match action {
        "start" => "start the resource; returns once it runs",
        "stop" => "stop the resource; returns once nothing of it runs",
        "monitor" => "0 running, 7 stopped, anything else failed",
        "validate-all" => "check the parameters (OCF_CHECK_LEVEL=10: also this node)",
        "reload-agent" => "take new values of reloadable parameters, no restart",
        "meta-data" => "print the meta-data XML (needs nothing)",
        "notify" => "clone notifications",
        "promote" | "demote" => "change the promotable role",
        "migrate_to" | "migrate_from" => "live migration",
        "reload" => "reload (OCF 1.0)",
        _ => "",
    }
}

/// The clap command of `meta`: one flag per parameter, the action as the
/// first positional word.
pub fn command(meta: &AgentMeta) -> Command {
    let mut actions = String::from("Actions:\n");
    let names = meta.actions.iter().map(|a| a.name).chain(["usage"]);
    for name in names {
        let text = if name == "usage" {
            "print the usage line (needs nothing)"
        } else {
            describe(name)
        };
        actions.push_str(&format!("  {name:<14}{text}\n"));
    }
    actions.push_str(
        "\nEvery parameter can also be passed as OCF_RESKEY_<name> (how Pacemaker passes \
it); a flag overrides its variable. The operation timeout is OCF_RESKEY_CRM_meta_timeout \
(milliseconds), a recurring monitor's interval OCF_RESKEY_CRM_meta_interval.",
    );
    let mut cmd = Command::new(meta.name)
        .version(meta.version)
        .about(meta.shortdesc)
        .after_help(actions)
        .disable_help_subcommand(true)
        .arg(
            Arg::new("action")
                .value_name("ACTION")
                .help("the OCF action (see Actions below)"),
        )
        .arg(
            Arg::new("ignored")
                .num_args(0..)
                .hide(true)
                .action(ArgAction::Append),
        );
    for p in meta.params {
        let mut help = p.shortdesc.to_string();
        if p.required {
            help.push_str(" (required)");
        }
        if p.reloadable {
            help.push_str(" (reloadable)");
        }
        if let Some(d) = p.default {
            help.push_str(&format!(" [default: {d}]"));
        }
        help.push_str(&format!(" [env: {}]", p.env_var()));
        // the variable as the id: no clash with clap's own `help`/`version`
        let mut arg = Arg::new(p.env_var())
            .long(long_name(p))
            .value_name(p.content.as_str().to_ascii_uppercase())
            .help(help)
            .help_heading("Parameters")
            .num_args(1)
            .allow_hyphen_values(true)
            .action(ArgAction::Set);
        if p.name.contains('_') {
            arg = arg.alias(p.name);
        }
        cmd = cmd.arg(arg);
    }
    cmd
}

/// Reads `args` (`argv[0]` first) against `meta`; flags override the
/// variables of `env`.
pub fn parse(meta: &AgentMeta, env: &Env, args: &[String]) -> Parsed {
    let matches = match command(meta).try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    Parsed::Text(e.render().to_string())
                }
                _ => Parsed::Malformed(malformed_reason(meta, &e.render().to_string())),
            }
        }
    };
    let action = Action::parse(matches.get_one::<String>("action").map(String::as_str));
    let mut env = env.clone();
    for p in meta.params {
        if let Some(v) = matches.get_one::<String>(&p.env_var()) {
            env = env.with_var(p.env_var(), v.clone());
        }
    }
    Parsed::Call { action, env }
}

/// clap's first line (`error: unexpected argument '--x' found`), without
/// its prefix, shortened, and what to do.
fn malformed_reason(meta: &AgentMeta, rendered: &str) -> String {
    let line = rendered.lines().next().unwrap_or_default();
    let line = line.strip_prefix("error: ").unwrap_or(line).trim();
    let hint = format!("; see {} --help", meta.name);
    let room = EXIT_REASON_MAX.saturating_sub(hint.chars().count() + 1);
    let mut what: String = line
        .chars()
        .filter(|c| !c.is_control())
        .take(room)
        .collect();
    if line.chars().count() > room {
        what.pop();
        what.push('…');
    }
    if what.is_empty() {
        what = "malformed command line".into();
    }
    format!("{what}{hint}")
}

#[cfg(test)]
mod tests;
