//! f32 matrix products on x86-64 with AVX-512 or AVX2+FMA: BLIS-style packing
//! around a register-blocked micro-kernel.
//!
//! NOTE [Own sgemm]: the `gemm` crate only has AVX2 kernels on stable Rust and
//! reached ~60 GFLOP/s per core on the small, skinny products of a training
//! step (256×64·64×256, 256×256·256×10), where PyTorch's MKL gets ~160.
//! Since Rust 1.89 AVX-512 intrinsics are stable, so this file carries two
//! micro-kernels (16-wide AVX-512, 8-wide AVX2) behind one driver. Other
//! machines and dtypes keep using `gemm`.
//!
//! The driver packs a `kc`-deep slice of B into `NR`-column panels and of A into
//! `MR`-row panels (zero-padded at the edges, so the kernel never branches on
//! size), then runs the kernel over every `MR×NR` tile of C. Packing reads any
//! strides, so transposed and negatively strided operands cost nothing extra.
//! Products whose `n` is smaller than a panel are computed as Cᵀ = Bᵀ·Aᵀ when
//! that pads less (256×256·256×10 would otherwise waste two thirds of each
//! 32-wide tile).

use std::cell::RefCell;

/// One product `C = A·B`, with element strides.
#[derive(Clone, Copy, Debug)]
pub struct Problem {
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub a: *const f32,
    pub rsa: isize,
    pub csa: isize,
    pub b: *const f32,
    pub rsb: isize,
    pub csb: isize,
    pub c: *mut f32,
    pub rsc: isize,
    pub csc: isize,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Isa {
    Avx512,
    Avx2,
}

/// The best kernel this CPU runs, if any.
pub fn detect() -> Option<Isa> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            return Some(Isa::Avx512);
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            return Some(Isa::Avx2);
        }
    }
    None
}

impl Isa {
    pub const fn mr(self) -> usize {
        match self {
            Isa::Avx512 => 12,
            Isa::Avx2 => 6,
        }
    }
    pub const fn nr(self) -> usize {
        match self {
            Isa::Avx512 => 32,
            Isa::Avx2 => 16,
        }
    }
}

const KC: usize = 256;
const MC: usize = 96;
const NC: usize = 2048;

thread_local! {
    static PACK: RefCell<(Vec<f32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// Whether computing the transposed product pads the tiles less.
fn wants_transpose(isa: Isa, m: usize, n: usize) -> bool {
    let tiles = |m: usize, n: usize| m.div_ceil(isa.mr()) * isa.mr() * n.div_ceil(isa.nr()) * isa.nr();
    tiles(n, m) < tiles(m, n)
}

/// A problem whose pointers may cross threads: each thread writes its own
/// part of C (see [`sgemm`]).
#[derive(Clone, Copy)]
struct Shared(Problem);
// SAFETY: the pointers are only read (A, B) or written in disjoint blocks (C)
// by the threads of one `sgemm` call, which outlives them.
unsafe impl Sync for Shared {}
// SAFETY: as above.
unsafe impl Send for Shared {}

impl Shared {
    // A method, not a field access, so closures capture the whole `Shared`.
    fn get(&self) -> Problem {
        self.0
    }
}

/// Products smaller than this many multiply-adds stay on one thread: waking
/// a helper and packing twice costs more than it saves.
const PAR_MIN_FMAS: usize = 96 * 96 * 96;

/// `C = A·B` with `isa`, on up to `threads` threads of the pool.
///
/// # Safety
/// `isa` must be supported by this CPU (see [`detect`]). `a`, `b` and `c`
/// must address `m×k`, `k×n` and `m×n` matrices with the given strides; `c`
/// must not overlap `a` or `b` and must not be touched by anyone else during
/// the call.
pub unsafe fn sgemm(isa: Isa, p: Problem, threads: usize) {
    if p.m == 0 || p.n == 0 {
        return;
    }
    let p = oriented(isa, p);
    let threads = if p.m * p.n * p.k >= PAR_MIN_FMAS { threads } else { 1 };
    // Split the longer side of C into blocks of whole tiles; each block repacks
    // the other operand, so a few blocks per thread (for balance) and no more.
    let split_rows = p.m >= p.n;
    let (len, unit) = if split_rows { (p.m, isa.mr()) } else { (p.n, isa.nr()) };
    let blocks = (threads * 2).min(len.div_ceil(unit));
    if threads <= 1 || blocks <= 1 {
        // SAFETY: forwarded from the caller.
        return unsafe { sgemm_block(isa, p) };
    }
    let step = len.div_ceil(blocks).next_multiple_of(unit);
    let shared = Shared(p);
    crate::threads::for_each_index(len.div_ceil(step), |i| {
        let mut q = shared.get();
        let (start, end) = (i * step, ((i + 1) * step).min(len));
        // SAFETY: block i covers rows (or columns) start..end of C, disjoint from
        // every other block, and of A (or B) accordingly.
        unsafe {
            if split_rows {
                q.m = end - start;
                q.a = q.a.offset(start as isize * q.rsa);
                q.c = q.c.offset(start as isize * q.rsc);
            } else {
                q.n = end - start;
                q.b = q.b.offset(start as isize * q.csb);
                q.c = q.c.offset(start as isize * q.csc);
            }
            sgemm_block(isa, q)
        }
    });
}

/// The same product, or Cᵀ = Bᵀ·Aᵀ when that pads the tiles less.
fn oriented(isa: Isa, p: Problem) -> Problem {
    if wants_transpose(isa, p.m, p.n) {
        Problem {
            m: p.n,
            n: p.m,
            k: p.k,
            a: p.b,
            rsa: p.csb,
            csa: p.rsb,
            b: p.a,
            rsb: p.csa,
            csb: p.rsa,
            c: p.c,
            rsc: p.csc,
            csc: p.rsc,
        }
    } else {
        p
    }
}

/// Runs one product on the calling thread.
///
/// # Safety
/// As [`sgemm`].
unsafe fn sgemm_block(isa: Isa, p: Problem) {
    PACK.with(|cell| {
        let mut bufs = cell.borrow_mut();
        let (pa, pb) = &mut *bufs;
        let (mr, nr) = (isa.mr(), isa.nr());
        for jc in (0..p.n).step_by(NC) {
            let nc = NC.min(p.n - jc);
            let mut pc = 0;
            loop {
                let kc = KC.min(p.k - pc);
                // The first k-slice overwrites C, later ones add to it.
                let add = pc > 0;
                // SAFETY (all pointer offsets below): they stay inside the matrices the
                // caller described, by the loop bounds.
                unsafe {
                    pack(pb, nc, kc, nr, p.b.offset(pc as isize * p.rsb + jc as isize * p.csb), p.csb, p.rsb);
                    for ic in (0..p.m).step_by(MC) {
                        let mc = MC.min(p.m - ic);
                        pack(pa, mc, kc, mr, p.a.offset(ic as isize * p.rsa + pc as isize * p.csa), p.rsa, p.csa);
                        for jr in (0..nc).step_by(nr) {
                            for ir in (0..mc).step_by(mr) {
                                let c = p.c.offset((ic + ir) as isize * p.rsc + (jc + jr) as isize * p.csc);
                                let a = pa.as_ptr().add(ir * kc);
                                let b = pb.as_ptr().add(jr * kc);
                                let tile = Tile { c, rsc: p.rsc, csc: p.csc, m: mr.min(mc - ir), n: nr.min(nc - jr), add };
                                match isa {
                                    Isa::Avx512 => x86::kernel_avx512(kc, a, b, tile),
                                    Isa::Avx2 => x86::kernel_avx2(kc, a, b, tile),
                                }
                            }
                        }
                    }
                }
                pc += kc;
                if pc >= p.k {
                    break;
                }
            }
        }
    });
}

/// Copies a `rows×kc` block (row stride `rs`, column stride `cs`) into panels
/// of `w` rows, each stored k-major (`w` values per k), zero-padding the last.
///
/// # Safety
/// `src` must address a `rows×kc` matrix with those strides.
unsafe fn pack(dst: &mut Vec<f32>, rows: usize, kc: usize, w: usize, src: *const f32, rs: isize, cs: isize) {
    let panels = rows.div_ceil(w);
    dst.clear();
    dst.resize(panels * w * kc, 0.0);
    for p in 0..panels {
        let r0 = p * w;
        let h = w.min(rows - r0);
        let out = &mut dst[p * w * kc..(p + 1) * w * kc];
        for i in 0..h {
            // SAFETY: row r0 + i < rows.
            let row = unsafe { src.offset((r0 + i) as isize * rs) };
            for kk in 0..kc {
                // SAFETY: kk < kc.
                out[kk * w + i] = unsafe { *row.offset(kk as isize * cs) };
            }
        }
    }
}

/// Where one micro-tile of C lives and how much of it is real.
#[derive(Clone, Copy)]
struct Tile {
    c: *mut f32,
    rsc: isize,
    csc: isize,
    m: usize,
    n: usize,
    add: bool,
}

impl Tile {
    /// Writes (or adds) the `MR×NR` row-major accumulator block `acc` into C.
    ///
    /// # Safety
    /// `self` must describe memory the caller may write, `m×n` inside `acc`'s shape.
    #[inline(always)]
    unsafe fn store_scalar(self, acc: &[f32], nr: usize) {
        for i in 0..self.m {
            for j in 0..self.n {
                // SAFETY: (i, j) is inside the tile.
                unsafe {
                    let p = self.c.offset(i as isize * self.rsc + j as isize * self.csc);
                    *p = if self.add { *p + acc[i * nr + j] } else { acc[i * nr + j] };
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Tile;
    use std::arch::x86_64::*;

    /// 12×32 tile: 24 zmm accumulators, two B vectors and one broadcast per k.
    ///
    /// # Safety
    /// AVX-512F must be available; `a` holds `kc×12` and `b` `kc×32` packed values.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn kernel_avx512(kc: usize, a: *const f32, b: *const f32, t: Tile) {
        const MR: usize = 12;
        const NR: usize = 32;
        let mut acc = [[_mm512_setzero_ps(); 2]; MR];
        for kk in 0..kc {
            // SAFETY: kk < kc, and the packed panels hold kc rows of MR / NR values.
            unsafe {
                let b0 = _mm512_loadu_ps(b.add(kk * NR));
                let b1 = _mm512_loadu_ps(b.add(kk * NR + 16));
                let ak = a.add(kk * MR);
                for (i, row) in acc.iter_mut().enumerate() {
                    let ai = _mm512_set1_ps(*ak.add(i));
                    row[0] = _mm512_fmadd_ps(ai, b0, row[0]);
                    row[1] = _mm512_fmadd_ps(ai, b1, row[1]);
                }
            }
        }
        if t.m == MR && t.n == NR && t.csc == 1 {
            for (i, row) in acc.iter().enumerate() {
                // SAFETY: a full tile with unit column stride: row i holds NR contiguous values.
                unsafe {
                    let p = t.c.offset(i as isize * t.rsc);
                    let (mut v0, mut v1) = (row[0], row[1]);
                    if t.add {
                        v0 = _mm512_add_ps(v0, _mm512_loadu_ps(p));
                        v1 = _mm512_add_ps(v1, _mm512_loadu_ps(p.add(16)));
                    }
                    _mm512_storeu_ps(p, v0);
                    _mm512_storeu_ps(p.add(16), v1);
                }
            }
        } else {
            let mut buf = [0f32; MR * NR];
            for (i, row) in acc.iter().enumerate() {
                // SAFETY: buf has MR rows of NR values.
                unsafe {
                    _mm512_storeu_ps(buf.as_mut_ptr().add(i * NR), row[0]);
                    _mm512_storeu_ps(buf.as_mut_ptr().add(i * NR + 16), row[1]);
                }
            }
            // SAFETY: forwarded from the caller.
            unsafe { t.store_scalar(&buf, NR) };
        }
    }

    /// 6×16 tile: 12 ymm accumulators.
    ///
    /// # Safety
    /// AVX2 and FMA must be available; `a` holds `kc×6` and `b` `kc×16` packed values.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn kernel_avx2(kc: usize, a: *const f32, b: *const f32, t: Tile) {
        const MR: usize = 6;
        const NR: usize = 16;
        let mut acc = [[_mm256_setzero_ps(); 2]; MR];
        for kk in 0..kc {
            // SAFETY: kk < kc, and the packed panels hold kc rows of MR / NR values.
            unsafe {
                let b0 = _mm256_loadu_ps(b.add(kk * NR));
                let b1 = _mm256_loadu_ps(b.add(kk * NR + 8));
                let ak = a.add(kk * MR);
                for (i, row) in acc.iter_mut().enumerate() {
                    let ai = _mm256_set1_ps(*ak.add(i));
                    row[0] = _mm256_fmadd_ps(ai, b0, row[0]);
                    row[1] = _mm256_fmadd_ps(ai, b1, row[1]);
                }
            }
        }
        if t.m == MR && t.n == NR && t.csc == 1 {
            for (i, row) in acc.iter().enumerate() {
                // SAFETY: a full tile with unit column stride: row i holds NR contiguous values.
                unsafe {
                    let p = t.c.offset(i as isize * t.rsc);
                    let (mut v0, mut v1) = (row[0], row[1]);
                    if t.add {
                        v0 = _mm256_add_ps(v0, _mm256_loadu_ps(p));
                        v1 = _mm256_add_ps(v1, _mm256_loadu_ps(p.add(8)));
                    }
                    _mm256_storeu_ps(p, v0);
                    _mm256_storeu_ps(p.add(8), v1);
                }
            }
        } else {
            let mut buf = [0f32; MR * NR];
            for (i, row) in acc.iter().enumerate() {
                // SAFETY: buf has MR rows of NR values.
                unsafe {
                    _mm256_storeu_ps(buf.as_mut_ptr().add(i * NR), row[0]);
                    _mm256_storeu_ps(buf.as_mut_ptr().add(i * NR + 8), row[1]);
                }
            }
            // SAFETY: forwarded from the caller.
            unsafe { t.store_scalar(&buf, NR) };
        }
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod x86 {
    use super::Tile;
    pub(super) unsafe fn kernel_avx512(_: usize, _: *const f32, _: *const f32, _: Tile) {
        unreachable!("detect() never picks an x86 kernel elsewhere")
    }
    pub(super) unsafe fn kernel_avx2(_: usize, _: *const f32, _: *const f32, _: Tile) {
        unreachable!("detect() never picks an x86 kernel elsewhere")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small LCG so the test needs no extra crate.
    fn values(n: usize, seed: u64) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((s >> 40) as f32 / (1u64 << 24) as f32) - 0.5
            })
            .collect()
    }

    fn isas() -> Vec<Isa> {
        let mut v = Vec::new();
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                v.push(Isa::Avx512);
            }
            if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                v.push(Isa::Avx2);
            }
        }
        v
    }

    /// Every ISA, on shapes around the tile and block edges, with A and B
    /// read transposed, reversed and strided, and C column-major, against a
    /// plain f64 triple loop.
    #[test]
    fn matches_naive_product() {
        let shapes = [(1, 1, 1), (5, 3, 7), (12, 32, 1), (13, 33, 257), (97, 10, 256), (10, 256, 256), (64, 300, 9)];
        for isa in isas() {
            for &(m, n, k) in &shapes {
                for variant in 0..4 {
                    let av = values(m * k * 2, 1);
                    let bv = values(k * n * 2, 2);
                    // A: row-major, column-major, reversed rows, every other element.
                    let (a, rsa, csa): (*const f32, isize, isize) = match variant {
                        0 => (av.as_ptr(), k as isize, 1),
                        1 => (av.as_ptr(), 1, m as isize),
                        2 => (av.as_ptr().wrapping_add((m - 1) * k), -(k as isize), 1),
                        _ => (av.as_ptr(), 2 * k as isize, 2),
                    };
                    let (b, rsb, csb): (*const f32, isize, isize) =
                        if variant % 2 == 0 { (bv.as_ptr(), 1, k as isize) } else { (bv.as_ptr(), n as isize, 1) };
                    let mut c = vec![f32::NAN; m * n];
                    let (rsc, csc) = if variant == 3 { (1, m as isize) } else { (n as isize, 1) };
                    let p = Problem { m, n, k, a, rsa, csa, b, rsb, csb, c: c.as_mut_ptr(), rsc, csc };
                    // SAFETY: the ISA was detected; the strides describe matrices inside
                    // `av`, `bv` and `c`.
                    unsafe { sgemm(isa, p, 2) };
                    for i in 0..m {
                        for j in 0..n {
                            let mut want = 0f64;
                            for l in 0..k {
                                // SAFETY: as above.
                                let (x, y) = unsafe {
                                    (*a.offset(i as isize * rsa + l as isize * csa), *b.offset(l as isize * rsb + j as isize * csb))
                                };
                                want += x as f64 * y as f64;
                            }
                            let got = c[(i as isize * rsc + j as isize * csc) as usize] as f64;
                            assert!(
                                (got - want).abs() <= 1e-4 * (1.0 + k as f64).sqrt(),
                                "{isa:?} {m}x{n}x{k} variant {variant} at ({i},{j}): {got} vs {want}"
                            );
                        }
                    }
                }
            }
        }
    }
}
