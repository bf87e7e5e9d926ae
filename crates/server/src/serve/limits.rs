//! Who a client is, and how much of the receiver it may use: the client's address (through
//! trusted proxies only), the per-client report rate, uploads and connections in progress per
//! client, and the memory all uploads may hold at once.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::settings::Settings;

/// The key a client is counted under: an IPv4 address, or the /64 of an IPv6 address (one
/// subscriber's usual allocation, so rotating through it gains nothing).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::from([s[0], s[1], s[2], s[3], 0, 0, 0, 0])
            }
        },
    }
}

/// One `for=` of a `Forwarded` header (RFC 7239): `192.0.2.1`, `"[2001:db8::1]:443"`,
/// `192.0.2.1:80`. Obfuscated and `unknown` nodes give `None`.
fn forwarded_for(value: &str) -> Option<IpAddr> {
    let v = value.trim().trim_matches('"');
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    v.parse()
        .ok()
        .or_else(|| v.rsplit_once(':').and_then(|(h, _)| h.parse().ok()))
}

/// The hops a request passed, nearest last, from `Forwarded` when present, else
/// `X-Forwarded-For`. An unparseable hop is `None`.
fn hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let fwd: Vec<&str> = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if !fwd.is_empty() {
        return fwd
            .iter()
            .flat_map(|v| v.split(','))
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, v)| forwarded_for(v))
            })
            .collect();
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(forwarded_for)
        .collect()
}

pub struct Limits {
    trusted: Vec<IpNet>,
    rate: Option<DefaultKeyedRateLimiter<IpAddr>>,
    max_uploads: usize,
    uploads: Arc<Mutex<HashMap<IpAddr, usize>>>,
    max_conns_per_ip: usize,
    conns: Arc<Mutex<HashMap<IpAddr, usize>>>,
    /// Bytes of uploads in memory, counted in KiB, of a budget of `memory_kib`.
    memory: Arc<Semaphore>,
    memory_kib: usize,
    /// Failed conversation authorizations per address: (count, start of the window).
    guesses: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

/// Wrong follow-up tokens an address may send per [`GUESS_WINDOW`] before the conversation
/// routes answer it 429. A key is checked locally first (its checksum catches typos), so a
/// researcher rarely sends a wrong one at all.
pub const MAX_GUESSES: u32 = 10;
pub const GUESS_WINDOW: Duration = Duration::from_secs(600);

/// A counted place in a per-address map, given back when dropped.
pub struct Slot {
    map: Arc<Mutex<HashMap<IpAddr, usize>>>,
    key: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut m = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = m.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.key);
            }
        }
    }
}

fn take_slot(map: &Arc<Mutex<HashMap<IpAddr, usize>>>, key: IpAddr, max: usize) -> Option<Slot> {
    let mut m = map.lock().unwrap_or_else(PoisonError::into_inner);
    let n = m.entry(key).or_insert(0);
    if *n >= max {
        return None;
    }
    *n += 1;
    Some(Slot {
        map: map.clone(),
        key,
    })
}

impl Limits {
    pub fn new(s: &Settings) -> Limits {
        Limits {
            trusted: s.trusted_proxies.clone(),
            rate: NonZeroU32::new(s.rate_limit).map(|n| RateLimiter::keyed(Quota::per_minute(n))),
            max_uploads: s.max_uploads_per_client,
            uploads: Arc::default(),
            max_conns_per_ip: s.max_connections_per_ip,
            conns: Arc::default(),
            memory: Arc::new(Semaphore::new(s.upload_memory / 1024)),
            memory_kib: s.upload_memory / 1024,
            guesses: Mutex::default(),
        }
    }

    pub fn is_trusted(&self, ip: IpAddr) -> bool {
        self.trusted.iter().any(|n| n.contains(&ip))
    }

    /// The client's address: the peer, unless the peer is a trusted proxy; then the nearest
    /// hop of its forwarding header that is not itself a trusted proxy. Headers from any other
    /// peer are ignored, so a client cannot choose the address it is counted under.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.is_trusted(peer) {
            return peer;
        }
        let mut client = peer;
        for hop in hops(headers).into_iter().rev() {
            match hop {
                Some(ip) if self.is_trusted(ip) => client = ip,
                Some(ip) => return ip,
                None => return client,
            }
        }
        client
    }

    /// `Err(seconds to wait)` when the client has sent its reports for this minute.
    pub fn check_rate(&self, client: IpAddr) -> Result<(), u64> {
        let Some(rate) = &self.rate else {
            return Ok(());
        };
        rate.check_key(&client_key(client)).map_err(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                + 1
        })
    }

    /// Forgets clients idle for longer than the rate window, so the limiter's memory follows
    /// the clients of the last minute.
    /// `Err(seconds to wait)` when `client` has sent [`MAX_GUESSES`] wrong tokens in this
    /// window: checked before a token is looked at, so a guess past the limit learns nothing.
    pub fn check_guesses(&self, client: IpAddr) -> Result<(), u64> {
        let m = self.guesses.lock().unwrap_or_else(PoisonError::into_inner);
        match m.get(&client_key(client)) {
            Some((n, start)) if *n >= MAX_GUESSES && start.elapsed() < GUESS_WINDOW => {
                Err((GUESS_WINDOW - start.elapsed()).as_secs() + 1)
            }
            _ => Ok(()),
        }
    }

    /// Counts a wrong token from `client`.
    pub fn wrong_guess(&self, client: IpAddr) {
        let mut m = self.guesses.lock().unwrap_or_else(PoisonError::into_inner);
        let e = m.entry(client_key(client)).or_insert((0, Instant::now()));
        if e.1.elapsed() >= GUESS_WINDOW {
            *e = (0, Instant::now());
        }
        e.0 += 1;
    }

    pub fn forget_idle(&self) {
        self.guesses
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, (_, start)| start.elapsed() < GUESS_WINDOW);
        if let Some(rate) = &self.rate {
            rate.retain_recent();
            rate.shrink_to_fit();
        }
    }

    /// A place for one more upload from `client`, or `None` when it has its maximum running.
    pub fn upload(&self, client: IpAddr) -> Option<Slot> {
        take_slot(&self.uploads, client_key(client), self.max_uploads)
    }

    /// A place for one more connection from `peer` (trusted proxies are not counted).
    pub fn connection(&self, peer: IpAddr) -> Option<Option<Slot>> {
        if self.is_trusted(peer) {
            return Some(None);
        }
        take_slot(&self.conns, client_key(peer), self.max_conns_per_ip).map(Some)
    }

    /// Waits until `bytes` more of upload may be held in memory; the permit gives them back.
    /// `None` only if the budget was closed, which never happens while the server runs.
    pub async fn memory(&self, bytes: usize) -> Option<OwnedSemaphorePermit> {
        let kib = bytes.div_ceil(1024).clamp(1, self.memory_kib);
        let kib = u32::try_from(kib).unwrap_or(u32::MAX);
        self.memory.clone().acquire_many_owned(kib).await.ok()
    }
}
