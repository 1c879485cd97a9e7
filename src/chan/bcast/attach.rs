//! Making and dropping handles: creating a broadcast channel (its
//! publisher), subscribing to one (claiming a subscriber entry, freeing dead
//! ones), and leaving (freeing the entry, unmapping).

use super::*;

impl Bcast {
    /// Creates the broadcast channel `name` (`/name`, exclusively, with
    /// permissions `mode` less the umask) and returns its publisher handle.
    ///
    /// Errors: as `Chan::create`.
    pub fn create(name: &CStr, max_msg: usize, capacity: usize, mode: libc::mode_t, policy: Policy) -> Result<Bcast> {
        let geo = Geo::new(max_msg as u64, capacity as u64)?;
        let len = geo.total_size as usize;
        let path = sys::chan::shm_path(name)?;
        let fd = sys::chan::open_shm(&path, Some(mode)).map_err(|e| {
            super::super::explain_open(e).explain(libc::EEXIST, "a channel or shared memory object of this name exists")
        })?;
        let made = sys::fs::reserve(fd.as_raw_fd(), geo.total_size, true)
            .map_err(super::super::explain_reserve)
            .and_then(|()| sys::chan::map_shared(&fd, len).map_err(super::super::explain_map));
        let base = match made {
            Ok(base) => base,
            Err(e) => {
                drop(fd);
                let _ = sys::chan::unlink(&path);
                return Err(e);
            }
        };
        let b = Bcast::register(fd, path.clone(), base, len, geo, policy).inspect_err(|_| {
            let _ = sys::chan::unlink(&path);
        })?;
        let me = b.me()?;
        let h = b.header();
        h.version.store(BCAST_VERSION, Ordering::Relaxed);
        h.header_size.store(HEADER_SIZE as u32, Ordering::Relaxed);
        h.max_msg.store(geo.max_msg, Ordering::Relaxed);
        h.capacity.store(geo.capacity, Ordering::Relaxed);
        h.stride.store(geo.stride, Ordering::Relaxed);
        h.total_size.store(geo.total_size, Ordering::Relaxed);
        h.policy.store(policy as u32, Ordering::Relaxed);
        h.publisher.store(u64::from(me), Ordering::Relaxed);
        h.magic.store(super::super::MAGIC, Ordering::Release);
        Ok(b)
    }

    /// Attaches a new subscriber to the broadcast channel `name`: it
    /// receives every message published after this call returns.
    ///
    /// Errors: `ENOENT`; `EINVAL` if the object is not a broadcast channel;
    /// `EBUSY` if [`SUBSCRIBERS`] live subscribers are attached; `EACCES`.
    pub fn subscribe(name: &CStr) -> Result<Bcast> {
        let path = sys::chan::shm_path(name)?;
        let fd = sys::chan::open_shm(&path, None)
            .map_err(|e| super::super::explain_open(e).explain(libc::ENOENT, "no channel of this name exists"))?;
        let (base, map_len, geo, policy) = map_existing(&fd)?;
        let mut b = Bcast::register(fd, path, base, map_len, geo, policy)?;
        // Until it holds an entry, the handle is made as a publisher's that
        // is not the publisher (dropping it frees nothing).
        let id = b.me()?;
        let entry = b.join(id)?;
        b.role = Role::Subscriber { entry, id };
        Ok(b)
    }

    /// The handle on the mapping `base` (`map_len` bytes of the file `fd`,
    /// named `path`), made as a publisher's: this process registered as a
    /// member of the channel (see `member`). Unmaps the mapping on failure.
    // unsafe: reads the member counter of the mapping, unmaps it.
    #[allow(unsafe_code)]
    fn register(
        fd: sys::Fd,
        path: sys::chan::ShmPath,
        base: *mut u8,
        map_len: usize,
        geo: Geo,
        policy: Policy,
    ) -> Result<Bcast> {
        // SAFETY: the mapping starts with a header (zeroed, or checked).
        let counter = unsafe { &(*(base as *const BHeader)).next_member };
        let members = match Members::register(fd, Some(path), counter) {
            Ok(m) => m,
            Err(e) => {
                // SAFETY: our own mapping, no reference to it survives.
                let _ = unsafe { sys::chan::unmap(base, map_len) };
                return Err(e);
            }
        };
        Ok(Bcast {
            base,
            map_len,
            geo,
            policy,
            members,
            role: Role::Publisher { min_cursor: AtomicU64::new(0) },
            busy: AtomicBool::new(false),
        })
    }

    fn join(&self, id: u32) -> Result<usize> {
        let h = self.header();
        for round in 0..2 {
            for (i, e) in h.subs.iter().enumerate() {
                if e.word.load(Ordering::Relaxed) != 0 {
                    continue;
                }
                if e.word.compare_exchange(0, JOINING | u64::from(id), Ordering::SeqCst, Ordering::Relaxed).is_ok() {
                    e.received.store(0, Ordering::Relaxed);
                    e.lost.store(0, Ordering::Relaxed);
                    e.cursor.store(h.published.load(Ordering::SeqCst), Ordering::SeqCst);
                    e.word.store(u64::from(id), Ordering::SeqCst);
                    e.cursor.store(h.published.load(Ordering::SeqCst), Ordering::SeqCst);
                    return Ok(i);
                }
            }
            if round == 0 {
                self.sweep(id);
            }
        }
        Err(err!(libc::EBUSY, "the channel has {} live subscribers, its most", SUBSCRIBERS))
    }

    /// Frees the entries of dead subscribers.
    fn sweep(&self, me: u32) {
        for e in &self.header().subs {
            let w = e.word.load(Ordering::SeqCst);
            if w != 0 && !self.members.alive(w as u32, me) {
                let _ = e.word.compare_exchange(w, 0, Ordering::SeqCst, Ordering::Relaxed);
            }
        }
    }
}

impl Drop for Bcast {
    // unsafe: unmaps the shared memory.
    #[allow(unsafe_code)]
    fn drop(&mut self) {
        let h = self.header();
        match self.role {
            Role::Subscriber { entry, id } => {
                if self.me().ok() == Some(id) {
                    let _ = h.subs[entry].word.compare_exchange(u64::from(id), 0, Ordering::SeqCst, Ordering::Relaxed);
                    wake(&h.space);
                }
            }
            // The publisher (not a copy of its handle in a forked child, nor
            // a subscriber's handle before it joined) says it is gone and
            // wakes the subscribers, who take what was published and then
            // fail with EPIPE instead of waiting for the next message.
            Role::Publisher { .. } => {
                let w = h.publisher.load(Ordering::Acquire);
                if w & PUBLISHER_GONE == 0 && self.me().ok() == Some(w as u32) {
                    h.publisher.fetch_or(PUBLISHER_GONE, Ordering::SeqCst);
                    wake(&h.data);
                }
            }
        }
        // SAFETY: our own mapping; `self` is going away.
        let _ = unsafe { sys::chan::unmap(self.base, self.map_len) };
    }
}
