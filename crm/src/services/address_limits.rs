//! The per-address limit of sign-ins: at most [`ADDRESS_MAX_FAILURES`] sign-ins that did not
//! succeed from one client address within [`LOCKOUT_MINUTES`](super::LOCKOUT_MINUTES). The per-login lock bounds what
//! happens to one login; this bounds what one address can make the server do (argon2 checks,
//! counter rows) however many logins it tries.
//!
//! Kept in memory, per process: it guards this process's own work, costs no database write,
//! and holds at most [`MAX_TRACKED`] addresses (when full, ended windows go first, then the
//! oldest). An address is the TCP peer's, as the panel sees it: behind a reverse proxy that is
//! the proxy, so all sign-ins through it share one budget. Forwarded headers are not trusted,
//! since any client can write them. IPv6 peers are counted by their /64, which one subscriber
//! usually holds whole.

use super::lockout::window;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Mutex, PoisonError};

/// Sign-ins from one address within [`LOCKOUT_MINUTES`](super::LOCKOUT_MINUTES) that may fail before the address waits.
pub const ADDRESS_MAX_FAILURES: u32 = 30;
/// Addresses remembered at once (a few hundred kilobytes).
const MAX_TRACKED: usize = 10_000;

#[derive(Debug, Default)]
pub(super) struct AddressLimits {
    windows: Mutex<HashMap<IpAddr, Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: DateTime<Utc>,
    attempts: u32,
}

impl AddressLimits {
    /// Counts a sign-in attempt from `addr` at `now`, before anything else is done for it;
    /// `Err(until)` when the address has used its budget.
    pub(super) fn take(&self, addr: IpAddr, now: DateTime<Utc>) -> Result<(), DateTime<Utc>> {
        let key = bucket(addr);
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if !windows.contains_key(&key) && windows.len() >= MAX_TRACKED {
            make_room(&mut windows, now);
        }
        let w = windows.entry(key).or_insert(Window { started: now, attempts: 0 });
        if w.started + window() <= now {
            *w = Window { started: now, attempts: 0 };
        }
        if w.attempts >= ADDRESS_MAX_FAILURES {
            return Err(w.started + window());
        }
        w.attempts += 1;
        Ok(())
    }

    /// Gives back the attempt of a sign-in that succeeded: only failures use the budget.
    pub(super) fn give_back(&self, addr: IpAddr) {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(w) = windows.get_mut(&bucket(addr)) {
            w.attempts = w.attempts.saturating_sub(1);
        }
    }
}

fn make_room(windows: &mut HashMap<IpAddr, Window>, now: DateTime<Utc>) {
    windows.retain(|_, w| w.started + window() > now);
    if windows.len() >= MAX_TRACKED
        && let Some(oldest) = windows.iter().min_by_key(|(_, w)| w.started).map(|(addr, _)| *addr)
    {
        windows.remove(&oldest);
    }
}

/// The address whose budget an attempt uses: IPv4 as is (also when mapped into IPv6), IPv6 by
/// its /64 network.
fn bucket(addr: IpAddr) -> IpAddr {
    match addr.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !(u128::from(u64::MAX)))),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::LOCKOUT_MINUTES;
    use chrono::{Duration, TimeZone};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_address_waits_after_its_budget_until_the_window_ends() {
        let limits = AddressLimits::default();
        for _ in 0..ADDRESS_MAX_FAILURES {
            limits.take(ip("203.0.113.7"), t0()).unwrap();
        }
        let until = t0() + Duration::minutes(LOCKOUT_MINUTES);
        assert_eq!(limits.take(ip("203.0.113.7"), t0() + Duration::minutes(5)), Err(until));
        assert_eq!(limits.take(ip("203.0.113.8"), t0()), Ok(()), "another address has its own budget");
        assert_eq!(limits.take(ip("203.0.113.7"), until), Ok(()), "a new window");
    }

    #[test]
    fn a_success_gives_its_attempt_back() {
        let limits = AddressLimits::default();
        for _ in 0..ADDRESS_MAX_FAILURES * 3 {
            limits.take(ip("203.0.113.7"), t0()).unwrap();
            limits.give_back(ip("203.0.113.7"));
        }
        assert_eq!(limits.take(ip("203.0.113.7"), t0()), Ok(()));
    }

    #[test]
    fn ipv6_is_counted_by_its_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(bucket(ip("2001:db8:1:2:aaaa::1")), bucket(ip("2001:db8:1:2:ffff::9")));
        assert_ne!(bucket(ip("2001:db8:1:2::1")), bucket(ip("2001:db8:1:3::1")));
        assert_eq!(bucket(ip("::ffff:203.0.113.7")), ip("203.0.113.7"));
    }

    #[test]
    fn memory_stays_bounded_and_a_spent_address_is_not_forgotten_first() {
        let limits = AddressLimits::default();
        for _ in 0..ADDRESS_MAX_FAILURES {
            limits.take(ip("198.51.100.1"), t0() + Duration::seconds(1)).unwrap();
        }
        // An old window, the first to go when room is needed.
        limits.take(ip("198.51.100.2"), t0()).unwrap();
        // Enough new addresses to fill the memory and need room for one more.
        for i in 0..MAX_TRACKED as u32 - 1 {
            limits
                .take(IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000_u32 + i)), t0() + Duration::seconds(2))
                .unwrap();
        }
        let windows = limits.windows.lock().unwrap();
        assert_eq!(windows.len(), MAX_TRACKED);
        assert!(!windows.contains_key(&ip("198.51.100.2")));
        drop(windows);
        assert!(limits.take(ip("198.51.100.1"), t0() + Duration::seconds(3)).is_err(), "still spent");
    }
}
