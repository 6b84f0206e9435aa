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

use std::path::{Path, PathBuf};

use tracing::warn;

use crate::classify::{EngineView, HostView, RecordSays, Stray, Undecided};
use crate::engine::{disk, ContainerName, Engine};
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
    container: &ContainerName,
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
            if let Some(root) = &st.engine_root {
                state.remember_engine_root(root);
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
            // only what the engine itself said: a guessed data root that
            // is wrong would hide the container (7 while it runs)
            let root = state.engine_root();
            let (found, learned) = by_kernel(host, &known, container, root.as_deref()).await;
            // the engine's root, learned from the container found verified
            // on disk: later looks keep to this engine's containers
            if let (None, Some(r)) = (root, learned) {
                state.remember_engine_root(&r);
            }
            found
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
    match engine.inspect_id(id).await {
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
/// With the engine's root known, only its containers count (a name is
/// unique per engine, not per node); without it, every container does.
/// Also returns the engine root of the container found verified (where
/// its engine keeps its files).
async fn by_kernel(
    host: &Kernel,
    known: &Known,
    container: &ContainerName,
    root: Option<&Path>,
) -> (Identity, Option<PathBuf>) {
    let mut looks = 0;
    loop {
        let (found, learned, unnamed) = look(host, known, container, root);
        looks += 1;
        // a container being set up by its runtime has no mounts yet for a
        // moment: look again before calling anything unknown
        if unnamed == 0 || looks > UNNAMED_LOOKS {
            return (found, learned);
        }
        tokio::time::sleep(UNNAMED_PAUSE).await;
    }
}

/// How often [`by_kernel`] looks again while a container cannot be named.
const UNNAMED_LOOKS: u32 = 2;

/// The pause before it looks again.
const UNNAMED_PAUSE: std::time::Duration = std::time::Duration::from_millis(100);

/// One look of [`by_kernel`]; also how many alive containers could not be
/// named.
fn look(
    host: &Kernel,
    known: &Known,
    container: &ContainerName,
    root: Option<&Path>,
) -> (Identity, Option<PathBuf>, usize) {
    let alive = match host.alive_containers() {
        Ok(a) => a,
        Err(e) => {
            let unreadable = Identity {
                host: HostView::Unreadable(e),
                stray: None,
            };
            return (unreadable, None, 0);
        }
    };
    let mut roots: Vec<(String, PathBuf)> = Vec::new();
    let named: Vec<(&Alive, Option<String>)> = alive
        .iter()
        .filter_map(|a| {
            let dir = host.engine_dir(a.pid);
            let theirs = dir.as_deref().and_then(|d| disk::root_of(d, &a.id));
            // with the root known, a container is this engine's only when
            // its files are there (every Docker container has them)
            if root.is_some() && theirs.as_deref() != root {
                return None;
            }
            if let Some(t) = &theirs {
                roots.push((a.id.clone(), t.clone()));
            }
            let name = dir.and_then(|d| disk::docker_name(&d, &a.id));
            // runc's own processes setting a container up (or exec'ing into
            // one) are not its service yet, and have no name to read
            if name.is_none() && host.comm(a.pid).is_some_and(|c| c.starts_with("runc:")) {
                return None;
            }
            Some((a, name))
        })
        .collect();
    let mut found = decide(&named, known.id(), container, known, root.is_some());
    let mut learned = None;
    if let HostView::Alive {
        id,
        frozen,
        verified,
        ..
    } = &mut found.host
    {
        if let Some(a) = alive.iter().find(|a| a.id == *id) {
            *frozen = host.frozen(a.pid, id);
        }
        if *verified {
            learned = roots.iter().find(|(i, _)| i == id).map(|(_, r)| r.clone());
        }
    }
    let unnamed = named
        .iter()
        .filter(|(a, n)| n.is_none() && Some(a.id.as_str()) != known.id())
        .count();
    (found, learned, unnamed)
}

/// The decision of [`by_kernel`], given every alive container with the
/// name its engine's files give it (pure; tested as a table). With the
/// engine's root not known (`root_known` false), `alive` holds every
/// engine's containers: one named like ours may be another engine's, so it
/// is never taken for ours (stop would end someone else's container), only
/// reason enough not to say "stopped".
pub fn decide(
    alive: &[(&Alive, Option<String>)],
    remembered: Option<&str>,
    container: &ContainerName,
    known: &Known,
    root_known: bool,
) -> Identity {
    let mine = alive
        .iter()
        .find(|(a, _)| Some(a.id.as_str()) == remembered);
    let others_named = alive
        .iter()
        .filter(|(a, n)| {
            n.as_deref() == Some(container.as_str()) && Some(a.id.as_str()) != remembered
        })
        .count();
    let by_name = alive
        .iter()
        .find(|(a, n)| {
            n.as_deref() == Some(container.as_str()) && Some(a.id.as_str()) != remembered
        })
        .filter(|_| root_known && others_named == 1);
    // the remembered one under another name now: a second copy
    let stray = mine.and_then(|(a, n)| match n {
        Some(n) if container != n.as_str() => Some(Stray {
            id: a.id.clone(),
            name: Some(n.clone()),
        }),
        _ => None,
    });
    let ours = by_name.map(|(a, _)| (*a, true)).or_else(|| match mine {
        Some((a, None)) => Some((*a, false)),
        Some((a, Some(n))) if container == n.as_str() => Some((*a, true)),
        _ => None,
    });
    let host = match ours {
        Some((a, verified)) => HostView::Alive {
            id: a.id.clone(),
            count: a.count,
            verified,
            frozen: false,
        },
        None => {
            let unnamed = alive
                .iter()
                .filter(|(a, n)| n.is_none() && Some(a.id.as_str()) != remembered)
                .count();
            let record = match known {
                Known::Ours(_) => RecordSays::RunsNothing,
                Known::Nothing => RecordSays::NothingRemembered,
                Known::Garbled(_) => RecordSays::Unreadable,
            };
            let container = container.clone();
            if others_named > 0 {
                HostView::Unknown(Undecided::OtherEngine { container, record })
            } else if unnamed > 0 {
                HostView::Unknown(Undecided::Unnamed { container, record })
            } else {
                HostView::Gone
            }
        }
    };
    Identity { host, stray }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod scripted;
