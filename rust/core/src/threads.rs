//! The CPU thread pool (`torch.set_num_threads` / `get_num_threads`).
//! Our own rayon pool, so the count can change at run time (rayon's global
//! pool can be configured only once).

use std::sync::{Arc, OnceLock, RwLock};

fn pool_slot() -> &'static RwLock<Arc<rayon::ThreadPool>> {
    static POOL: OnceLock<RwLock<Arc<rayon::ThreadPool>>> = OnceLock::new();
    POOL.get_or_init(|| {
        let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        RwLock::new(Arc::new(build(n)))
    })
}

fn build(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("rtensor-{i}"))
        .build()
        .expect("cannot start the CPU thread pool")
}

pub fn num_threads() -> usize {
    pool_slot().read().unwrap_or_else(|e| e.into_inner()).current_num_threads()
}

pub fn set_num_threads(n: usize) {
    let n = n.max(1);
    *pool_slot().write().unwrap_or_else(|e| e.into_inner()) = Arc::new(build(n));
}

/// Runs `f` inside the pool, so rayon calls in it (ours and gemm's) use it.
pub fn install<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    let pool = pool_slot().read().unwrap_or_else(|e| e.into_inner()).clone();
    pool.install(f)
}
