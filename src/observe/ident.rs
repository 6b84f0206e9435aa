//! Which container is ours. The container this node started or found under
//! the configured name is remembered by full id together with that name
//! ([`crate::state`]), and checked again on every action:
//! - the engine answers for the name with the remembered id: ours, as
//!   before;
//! - the name resolves to another id or to nothing: the remembered id is
//!   looked up (engine, then kernel) before it is forgotten; while it runs
//!   it is a [`Stray`] (renamed, or its name reused) and every action says
//!   so;
//! - the engine cannot be asked: every container alive on the node is
//!   found in the kernel, and each is named from the engine's own files
//!   where they say ([`crate::engine::disk`]); the record alone never makes
//!   a container stopped, and no record never makes nothing run.

use tracing::warn;

use crate::classify::{EngineView, HostView, Stray};
use crate::engine::{disk, Engine};
use crate::host::{Alive, Kernel};
use crate::state::{Known, Ours, State};

/// The container, its processes when the engine cannot tell, and a stray.
pub struct Identity {
    /// The kernel's view (only asked when the engine cannot be).
    pub host: HostView,
    /// The remembered container, when it runs without the configured name.
    pub stray: Option<Stray>,
}

/// Settles which container is ours from the engine's answer for the name
/// and the record; keeps the record true.
pub async fn identify(
    engine: &impl Engine,
    host: &Kernel,
    state: &State,
    container: &str,
    view: &EngineView,
) -> Identity {
    let known = state.load();
    match view {
        EngineView::Container(st) => {
            let stray = match known.id() {
                Some(id) if id != st.id => remembered(engine, host, state, id).await,
                _ => None,
            };
            if stray.is_none() {
                state.remember(&Ours {
                    id: st.id.clone(),
                    name: st.name.clone(),
                });
            }
            Identity {
                host: HostView::NotAsked,
                stray,
            }
        }
        EngineView::NoContainer => {
            let stray = match known.id() {
                Some(id) => remembered(engine, host, state, id).await,
                None => None,
            };
            Identity {
                host: HostView::NotAsked,
                stray,
            }
        }
        EngineView::Down(_) | EngineView::Unresponsive(_) | EngineView::NotSocket(_) => {
            by_kernel(host, &known, container)
        }
        EngineView::Broken(_) | EngineView::Forbidden(_) => Identity {
            host: HostView::NotAsked,
            stray: None,
        },
    }
}

/// The remembered container, now that the name is not its: a stray while
/// it runs (engine's word, else the kernel's), else forgotten.
async fn remembered(engine: &impl Engine, host: &Kernel, state: &State, id: &str) -> Option<Stray> {
    match engine.inspect(id).await {
        Ok(Some(st)) if !st.is_down() => {
            warn!(
                "container {} ({}) that this node started or found as the resource's no longer \
                 has the configured name, and runs",
                st.name,
                id.get(..12).unwrap_or(id)
            );
            return Some(Stray {
                id: id.to_string(),
                name: Some(st.name),
            });
        }
        Ok(Some(_)) => {}
        // the engine does not know it (or cannot say): the kernel decides
        Ok(None) | Err(_) => match host.members(id) {
            Ok(m) if m.pids.is_empty() => {}
            Ok(_) | Err(_) => {
                return Some(Stray {
                    id: id.to_string(),
                    name: None,
                })
            }
        },
    }
    state.forget();
    None
}

/// Ours among the containers alive in the kernel, with the engine away.
fn by_kernel(host: &Kernel, known: &Known, container: &str) -> Identity {
    let alive = match host.alive_containers() {
        Ok(a) => a,
        Err(e) => {
            return Identity {
                host: HostView::Unreadable(e.to_string()),
                stray: None,
            }
        }
    };
    let named: Vec<(&Alive, Option<String>)> = alive
        .iter()
        .map(|a| {
            let name = host
                .engine_dir(a.pid)
                .and_then(|dir| disk::docker_name(&dir, &a.id));
            (a, name)
        })
        .collect();
    decide(&named, known.id(), container, known)
}

/// The decision of [`by_kernel`], given every alive container with the
/// name its engine's files give it (pure; tested as a table).
pub fn decide(
    alive: &[(&Alive, Option<String>)],
    remembered: Option<&str>,
    container: &str,
    known: &Known,
) -> Identity {
    let mine = alive
        .iter()
        .find(|(a, _)| Some(a.id.as_str()) == remembered);
    let by_name = alive
        .iter()
        .find(|(a, n)| n.as_deref() == Some(container) && Some(a.id.as_str()) != remembered);
    // the remembered one under another name now: a second copy
    let stray = mine.and_then(|(a, n)| match n {
        Some(n) if n != container => Some(Stray {
            id: a.id.clone(),
            name: Some(n.clone()),
        }),
        _ => None,
    });
    let ours = by_name.map(|(a, _)| (*a, true)).or_else(|| match mine {
        Some((a, None)) => Some((*a, false)),
        Some((a, Some(n))) if n == container => Some((*a, true)),
        _ => None,
    });
    let host = match ours {
        Some((a, verified)) => HostView::Alive {
            id: a.id.clone(),
            count: a.count,
            verified,
        },
        None => {
            let unnamed = alive
                .iter()
                .filter(|(a, n)| n.is_none() && Some(a.id.as_str()) != remembered)
                .count();
            if unnamed == 0 {
                HostView::Gone
            } else {
                let record = match known {
                    Known::Ours(_) => "its remembered id runs no process",
                    Known::Nothing => "no id of it is remembered on this node",
                    Known::Garbled(_) => "the record of its id is unreadable",
                };
                HostView::Unknown(format!(
                    "{record} and {unnamed} container(s) whose name cannot be read run: \
                     {container} may be among them"
                ))
            }
        }
    };
    Identity { host, stray }
}

#[cfg(test)]
mod tests;
