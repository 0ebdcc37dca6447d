//! The CPU thread pool (`torch.set_num_threads` / `get_num_threads`).
//!
//! NOTE [Thread pool]: kernels split work with [`for_each_index`]: the calling
//! thread and `num_threads() - 1` helper threads take indices from one atomic
//! counter until none are left. The caller always works, so a helper that is
//! slow to wake costs only its share, never a hand-off (rayon's `install`
//! from outside the pool parks the caller and wakes a worker: two context
//! switches, ~10-50 µs, more than a 256×64·64×256 product takes). Helpers
//! spin for `SPIN` after their last job before sleeping, as OpenMP's do, so
//! the back-to-back ops of a training step find them awake.
//!
//! One job runs at a time. A second caller (another Python thread with the GIL
//! released, or a kernel called from inside a job) finds the pool busy and
//! runs its indices itself: nothing ever waits for the pool. A forked child
//! (whose helpers did not survive the fork) runs everything on its caller.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

const SPIN: Duration = Duration::from_micros(300);

type Work<'a> = dyn Fn(usize) + Sync + 'a;

/// One call of [`for_each_index`]; lives on the caller's stack.
struct Job {
    work: *const Work<'static>,
    n: usize,
    next: AtomicUsize,
    panic: Mutex<Option<Box<dyn Any + Send>>>,
}

impl Job {
    /// Takes indices until none are left. Panics are kept for the caller.
    fn run(&self) {
        // SAFETY: `work` points at the caller's closure, which outlives every
        // participant (see `for_each_index`).
        let work = unsafe { &*self.work };
        let result = catch_unwind(AssertUnwindSafe(|| loop {
            let i = self.next.fetch_add(1, SeqCst);
            if i >= self.n {
                break;
            }
            work(i);
        }));
        if let Err(e) = result {
            self.next.store(self.n, SeqCst);
            self.panic.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(e);
        }
    }
}

struct Pool {
    /// The job on offer, or null.
    job: AtomicPtr<Job>,
    /// Bumped for every job offered; helpers wait for it to change.
    epoch: AtomicU64,
    /// Helpers that have read `job` and may still be using it.
    inside: AtomicUsize,
    /// Helpers asleep on `wake`.
    sleeping: AtomicUsize,
    lock: Mutex<()>,
    wake: Condvar,
    /// Wakes helpers parked above the thread count when it grows.
    resize: Condvar,
    /// Set by the thread whose job is on offer.
    busy: AtomicBool,
    /// The process the helpers were started in: a forked child has none.
    pid: u32,
    /// Threads a job may use, the caller included.
    threads: AtomicUsize,
    /// Helper threads started so far.
    started: Mutex<usize>,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool {
        job: AtomicPtr::new(std::ptr::null_mut()),
        epoch: AtomicU64::new(0),
        inside: AtomicUsize::new(0),
        sleeping: AtomicUsize::new(0),
        lock: Mutex::new(()),
        wake: Condvar::new(),
        resize: Condvar::new(),
        busy: AtomicBool::new(false),
        pid: std::process::id(),
        threads: AtomicUsize::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)),
        started: Mutex::new(0),
    })
}

pub fn num_threads() -> usize {
    pool().threads.load(SeqCst)
}

pub fn set_num_threads(n: usize) {
    let pool = pool();
    pool.threads.store(n.max(1), SeqCst);
    let _guard = pool.lock.lock().unwrap_or_else(|e| e.into_inner());
    pool.resize.notify_all();
}

fn helper_loop(pool: &'static Pool, index: usize) {
    let mut seen = pool.epoch.load(SeqCst);
    loop {
        // Helpers beyond the thread count sleep until `set_num_threads` raises it,
        // instead of waking (and spinning) for every job.
        if index + 1 >= pool.threads.load(SeqCst) {
            let mut guard = pool.lock.lock().unwrap_or_else(|e| e.into_inner());
            while index + 1 >= pool.threads.load(SeqCst) {
                guard = pool.resize.wait(guard).unwrap_or_else(|e| e.into_inner());
            }
            drop(guard);
            seen = pool.epoch.load(SeqCst);
            continue;
        }
        // Wait for a new job: spin a while, then sleep.
        let since = Instant::now();
        let mut spins = 0u32;
        while pool.epoch.load(SeqCst) == seen {
            std::hint::spin_loop();
            spins += 1;
            if spins.is_multiple_of(64) && since.elapsed() > SPIN {
                let mut guard = pool.lock.lock().unwrap_or_else(|e| e.into_inner());
                pool.sleeping.fetch_add(1, SeqCst);
                while pool.epoch.load(SeqCst) == seen {
                    guard = pool.wake.wait(guard).unwrap_or_else(|e| e.into_inner());
                }
                pool.sleeping.fetch_sub(1, SeqCst);
                break;
            }
        }
        seen = pool.epoch.load(SeqCst);
        if index + 1 >= pool.threads.load(SeqCst) {
            continue;
        }
        // NOTE the order: announce, then look. The caller withdraws the job, then
        // waits for `inside` to drain, so a job seen here is still alive.
        pool.inside.fetch_add(1, SeqCst);
        let job = pool.job.load(SeqCst);
        if !job.is_null() {
            // SAFETY: see the note above: the caller cannot return (and free the
            // job) while `inside` counts us.
            unsafe { (*job).run() };
        }
        pool.inside.fetch_sub(1, SeqCst);
    }
}

/// Frees the pool for the next job when dropped, even while a panic unwinds.
struct Release(&'static Pool);

impl Drop for Release {
    fn drop(&mut self) {
        self.0.busy.store(false, SeqCst);
    }
}

/// Withdraws the job and waits until no helper uses it, even if the caller's
/// own share panicked.
struct Withdraw(&'static Pool);

impl Drop for Withdraw {
    fn drop(&mut self) {
        self.0.job.store(std::ptr::null_mut(), SeqCst);
        while self.0.inside.load(SeqCst) != 0 {
            std::hint::spin_loop();
        }
    }
}

/// Calls `f(i)` for every `i` in `0..n`, in any order, spread over the calling
/// thread and the pool's helpers. A panic in any call is re-raised here.
pub fn for_each_index(n: usize, f: impl Fn(usize) + Sync) {
    let pool = pool();
    let threads = pool.threads.load(SeqCst);
    // getpid is a system call (~100 ns), paid only by calls big enough to split.
    let usable = n > 1 && threads > 1 && std::process::id() == pool.pid;
    if !usable || pool.busy.compare_exchange(false, true, SeqCst, SeqCst).is_err() {
        return (0..n).for_each(f);
    }
    let _busy = Release(pool);
    start_helpers(pool, threads - 1);
    let work: &Work<'_> = &f;
    // SAFETY: the lifetime is erased only for the helpers' view of `work`;
    // `Withdraw` below keeps this function from returning (or unwinding) until
    // no helper can still reach it.
    let work: *const Work<'static> = unsafe { std::mem::transmute(work as *const Work<'_>) };
    let job = Job { work, n, next: AtomicUsize::new(0), panic: Mutex::new(None) };
    {
        let _withdraw = Withdraw(pool);
        pool.job.store(&job as *const Job as *mut Job, SeqCst);
        pool.epoch.fetch_add(1, SeqCst);
        if pool.sleeping.load(SeqCst) > 0 {
            let _guard = pool.lock.lock().unwrap_or_else(|e| e.into_inner());
            pool.wake.notify_all();
        }
        job.run();
    }
    if let Some(p) = job.panic.into_inner().unwrap_or_else(|e| e.into_inner()) {
        std::panic::resume_unwind(p);
    }
}

fn start_helpers(pool: &'static Pool, want: usize) {
    let mut started = pool.started.lock().unwrap_or_else(|e| e.into_inner());
    while *started < want {
        let index = *started;
        let spawned =
            std::thread::Builder::new().name(format!("rtensor-{index}")).spawn(move || helper_loop(pool, index));
        if spawned.is_err() {
            // No thread to be had: the caller does the work alone.
            break;
        }
        *started += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_index_once() {
        let hits: Vec<AtomicUsize> = (0..1000).map(|_| AtomicUsize::new(0)).collect();
        for _ in 0..100 {
            for_each_index(hits.len(), |i| {
                hits[i].fetch_add(1, SeqCst);
            });
        }
        assert!(hits.iter().all(|h| h.load(SeqCst) == 100));
    }

    #[test]
    fn nested_jobs_run_inline() {
        // A kernel called from inside a job finds the pool busy and runs alone.
        let count = AtomicUsize::new(0);
        for_each_index(8, |_| {
            for_each_index(8, |_| {
                count.fetch_add(1, SeqCst);
            })
        });
        assert_eq!(count.load(SeqCst), 64);
    }

    #[test]
    fn panics_reach_the_caller() {
        let r = catch_unwind(|| for_each_index(64, |i| assert!(i != 37, "boom")));
        assert!(r.is_err());
        // The pool still works afterwards, on more than one thread.
        // (Other tests may hold it for a moment: wait rather than race them.)
        let since = Instant::now();
        while pool().busy.load(SeqCst) {
            assert!(since.elapsed() < Duration::from_secs(5), "a panic left the pool marked busy");
            std::thread::yield_now();
        }
        let count = AtomicUsize::new(0);
        for_each_index(64, |_| {
            count.fetch_add(1, SeqCst);
        });
        assert_eq!(count.load(SeqCst), 64);
    }
}
