//! Start's question of the same observation, answered by the same table:
//! is the resource ready (monitor would say 0, and healthy with
//! `wait_healthy`), is it worth waiting for, or is it in a state that
//! waiting will not fix?

use crate::engine::{ContainerStatus, Health};

use super::{classify, unhealthy, EngineView, Observation, Rules, Verdict};

/// What start does with one look at the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// Monitor would say 0 (and the container is healthy, or has no health
    /// check, when start waits for health).
    Ready,
    /// Not yet; the text says why, for the reason when start runs out of
    /// time.
    Wait(String),
    /// A state waiting will not fix; the text is start's reason.
    Hopeless(String),
}

/// [`classify`]'s verdict, read for start. `wait_healthy` makes a running
/// container ready only once its health check says healthy (or it has
/// none). Unhealthy is hopeless when `check_health` fails the verdict too;
/// without `check_health` start waits (the check may pass again), and says
/// unhealthy, not "not running", when it runs out of time.
pub fn readiness(obs: &Observation, rules: &Rules<'_>, wait_healthy: bool) -> Readiness {
    let verdict = classify(obs, rules);
    let state = match &obs.engine {
        EngineView::Container(st) => Some(st),
        _ => None,
    };
    let healthy_enough = !wait_healthy
        || state.is_some_and(|st| matches!(st.health, Health::Healthy | Health::None));
    if verdict.is_running() && healthy_enough {
        return Readiness::Ready;
    }
    if let Some(reason) = hopeless(&obs.engine, &verdict, rules) {
        return Readiness::Hopeless(reason);
    }
    let container = rules.container;
    Readiness::Wait(match verdict.reason {
        Some(reason) => reason,
        None if verdict.is_running() => match state {
            Some(st) if st.health == Health::Unhealthy => unhealthy(container, st),
            _ => format!("container {container} not healthy yet"),
        },
        None => format!("container {container} not running"),
    })
}

/// States that waiting will not fix.
fn hopeless(engine: &EngineView, verdict: &Verdict, rules: &Rules<'_>) -> Option<String> {
    let container = rules.container;
    match engine {
        EngineView::Container(st) => match st.status {
            ContainerStatus::Exited | ContainerStatus::Dead => Some(format!(
                "container {container} exited during start (code {})",
                st.exit_code.map_or("?".to_string(), |c| c.to_string())
            )),
            // the verdict says unhealthy only with check_health
            _ if st.health == Health::Unhealthy && rules.check_health => verdict.reason.clone(),
            _ => None,
        },
        EngineView::NoContainer => Some(format!("container {container} disappeared during start")),
        EngineView::Down(_) | EngineView::NotSocket(_) => {
            Some("the engine went away during start".into())
        }
        EngineView::Forbidden(e) => Some(e.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{AddrView, CmdView, HostView, LinkView};
    use crate::engine::scripted::{absent, ctr, no_answer, not_socket};
    use crate::engine::ContainerName;
    use crate::vip::Vips;

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    fn with(status: ContainerStatus, health: Health) -> EngineView {
        let mut c = ctr(A, "croit", status);
        c.health = health;
        c.health_output = Some("curl: connection refused\n".into());
        c.exit_code = Some(3);
        EngineView::Container(c)
    }

    /// start's answer for `engine`, 192.0.2.10 bound and the link up.
    fn ready(engine: EngineView, check_health: bool, wait_healthy: bool) -> Readiness {
        let obs = Observation {
            engine,
            addr: AddrView::Present,
            host: HostView::NotAsked,
            link: LinkView::Up,
            cmd: CmdView::NotRun,
            stray: None,
        };
        let label = Vips(vec!["192.0.2.10/24"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"))]);
        let container = ContainerName::of("croit");
        let rules = Rules {
            check_health,
            container: &container,
            label: &label,
            degraded: true,
        };
        readiness(&obs, &rules, wait_healthy)
    }

    fn hopeless(reason: &str) -> Readiness {
        Readiness::Hopeless(reason.into())
    }

    fn wait(reason: &str) -> Readiness {
        Readiness::Wait(reason.into())
    }

    #[test]
    fn start_waits_only_for_what_can_still_come() {
        use ContainerStatus::{Created, Dead, Exited, Restarting, Running};
        use Health::{Healthy, None as NoCheck, Starting, Unhealthy};
        // (engine, check_health, wait_healthy, answer)
        let table = [
            (with(Running, NoCheck), true, false, Readiness::Ready),
            (with(Running, NoCheck), true, true, Readiness::Ready),
            (with(Running, Starting), true, false, Readiness::Ready),
            (with(Running, Healthy), true, true, Readiness::Ready),
            (
                with(Running, Starting),
                true,
                true,
                wait("container croit not healthy yet"),
            ),
            (
                with(Running, Unhealthy),
                true,
                false,
                hopeless("container croit is unhealthy: curl: connection refused"),
            ),
            (
                with(Running, Unhealthy),
                true,
                true,
                hopeless("container croit is unhealthy: curl: connection refused"),
            ),
            // check_health=false: monitor passes it, so start without
            // wait_healthy is done; with it, start waits (the check may
            // pass again) and names the state, not "not running"
            (with(Running, Unhealthy), false, false, Readiness::Ready),
            (
                with(Running, Unhealthy),
                false,
                true,
                wait("container croit is unhealthy: curl: connection refused"),
            ),
            (
                with(Exited, NoCheck),
                true,
                false,
                hopeless("container croit exited during start (code 3)"),
            ),
            (
                with(Dead, NoCheck),
                true,
                false,
                hopeless("container croit exited during start (code 3)"),
            ),
            (
                with(Created, NoCheck),
                true,
                false,
                // the address is bound before the container starts
                wait("192.0.2.10/24 is bound but container croit is not running (partial; stop cleans up)"),
            ),
            (
                with(Restarting, NoCheck),
                true,
                false,
                wait("container croit is restarting (crash loop)"),
            ),
            (
                EngineView::NoContainer,
                true,
                false,
                hopeless("container croit disappeared during start"),
            ),
            (
                EngineView::Down(absent()),
                true,
                false,
                hopeless("the engine went away during start"),
            ),
            (
                EngineView::NotSocket(not_socket()),
                true,
                false,
                hopeless("the engine went away during start"),
            ),
        ];
        for (engine, check_health, wait_healthy, want) in table {
            let what =
                format!("{engine:?} check_health={check_health} wait_healthy={wait_healthy}");
            assert_eq!(ready(engine, check_health, wait_healthy), want, "{what}");
        }
        // the engine slow for a moment: start waits on
        assert!(matches!(
            ready(EngineView::Unresponsive(no_answer("inspect")), true, false),
            Readiness::Wait(_)
        ));
    }
}
