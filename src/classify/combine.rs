//! Several addresses seen one by one, reduced to the one address view and
//! link view the table takes, with the label its reasons name.

use super::{AddrView, LinkView, Vips};
use crate::vip::Vip;

/// One address as observed: the address (as configured), where it was
/// found, and the state of its interface.
pub type Seen = (Vip, AddrView, LinkView);

/// Reduces the addresses' views to one, with the addresses the reason must
/// name. One address passes through unchanged (its label as it is).
/// Several: a view that cannot be read or a foreign binding of any address
/// decides (its text names it); some bound and some not is
/// [`AddrView::Partial`]; a failed DAD names the addresses it failed for;
/// otherwise all agree (absent, or bound: tentative while any is).
/// The link: missing for any, else down for any, else up.
pub fn combine(each: &[Seen]) -> (AddrView, LinkView, Vips) {
    if let [(vip, addr, link)] = each {
        return (addr.clone(), link.clone(), Vips(vec![*vip]));
    }
    let names = |f: &dyn Fn(&AddrView) -> bool| {
        Vips(
            each.iter()
                .filter(|(_, a, _)| f(a))
                .map(|(v, _, _)| *v)
                .collect(),
        )
    };
    let all = names(&|_| true);
    let link = each
        .iter()
        .map(|(_, _, l)| l)
        .find(|l| matches!(l, LinkView::Missing(_)))
        .or_else(|| {
            each.iter()
                .map(|(_, _, l)| l)
                .find(|l| matches!(l, LinkView::Down(_)))
        })
        .cloned()
        .unwrap_or(LinkView::Up);
    let decisive = each
        .iter()
        .map(|(_, a, _)| a)
        .find(|a| matches!(a, AddrView::Unknown(_)))
        .or_else(|| {
            each.iter()
                .map(|(_, a, _)| a)
                .find(|a| matches!(a, AddrView::Foreign(_)))
        });
    if let Some(a) = decisive {
        return (a.clone(), link, all);
    }
    let failed = names(&|a| *a == AddrView::DadFailed);
    if !failed.is_empty() {
        return (AddrView::DadFailed, link, failed);
    }
    let bound = names(&AddrView::is_bound);
    let missing = names(&|a| !a.is_bound());
    let addr = if bound.is_empty() {
        AddrView::Absent
    } else if !missing.is_empty() {
        AddrView::Partial { bound, missing }
    } else if each.iter().any(|(_, a, _)| *a == AddrView::Tentative) {
        AddrView::Tentative
    } else {
        AddrView::Present
    };
    (addr, link, all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{DownWhy, Foreign, LinkDown, LinkMissing, LinkRef};

    const V4: &str = "192.0.2.10/24";
    const V6: &str = "2001:db8::10/64";

    fn vip(s: &str) -> Vip {
        s.parse().unwrap()
    }

    fn vips(all: &[&str]) -> Vips {
        Vips(all.iter().map(|s| vip(s)).collect())
    }

    fn seen(l: &str, a: AddrView) -> Seen {
        (vip(l), a, LinkView::Up)
    }

    fn down(nic: &str) -> LinkView {
        LinkView::Down(LinkDown {
            nic: nic.into(),
            why: DownWhy::NoCarrier,
        })
    }

    #[test]
    fn one_address_passes_through() {
        let one = [(vip(V4), AddrView::Absent, down("x"))];
        assert_eq!(combine(&one), (AddrView::Absent, down("x"), vips(&[V4])));
    }

    #[test]
    fn all_bound_all_absent_and_mixes() {
        let both = |a, b| combine(&[seen(V4, a), seen(V6, b)]);
        let all = vips(&[V4, V6]);
        assert_eq!(all.to_string(), format!("{V4} {V6}"));
        assert_eq!(
            both(AddrView::Present, AddrView::Present).0,
            AddrView::Present
        );
        assert_eq!(
            both(AddrView::Present, AddrView::Tentative).0,
            AddrView::Tentative
        );
        assert_eq!(
            both(AddrView::Absent, AddrView::Absent),
            (AddrView::Absent, LinkView::Up, all.clone())
        );
        assert_eq!(
            both(AddrView::Present, AddrView::Absent).0,
            AddrView::Partial {
                bound: vips(&[V4]),
                missing: vips(&[V6])
            }
        );
        assert_eq!(
            both(AddrView::Absent, AddrView::Tentative).0,
            AddrView::Partial {
                bound: vips(&[V6]),
                missing: vips(&[V4])
            }
        );
        assert_eq!(
            both(AddrView::Present, AddrView::DadFailed),
            (AddrView::DadFailed, LinkView::Up, vips(&[V6]))
        );
        let f = AddrView::Foreign(Foreign::Elsewhere {
            ip: vip(V4).addr,
            other: LinkRef::Named("eth1".into()),
        });
        assert_eq!(both(f.clone(), AddrView::Present).0, f);
        let u = AddrView::Unknown(crate::net::NetError::Timeout {
            op: "list addresses",
        });
        assert_eq!(both(f, u.clone()).0, u);
    }

    #[test]
    fn the_link_missing_wins_over_down() {
        let missing = LinkView::Missing(LinkMissing::Nic("b".into()));
        let each = [
            (vip(V4), AddrView::Present, down("a")),
            (vip(V6), AddrView::Absent, missing.clone()),
        ];
        assert_eq!(combine(&each).1, missing);
    }
}
