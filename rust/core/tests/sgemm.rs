//! The f32 micro-kernels (NOTE [Own sgemm]) against a plain f64 triple loop:
//! every ISA this CPU has, tile / k-slice / thread-split edges, and operands
//! read transposed, reversed and strided.

use rtensor_core::backend::cpu::sgemm::{sgemm, Isa, Problem};

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
    // (m, n, k): tile and slice edges; the last four are big enough to be
    // split over threads (by columns, by rows, with two k-slices), and the
    // last packs both operands.
    let shapes = [
        (1, 1, 1),
        (5, 3, 7),
        (12, 32, 1),
        (13, 33, 257),
        (97, 10, 256),
        (64, 300, 9),
        (10, 256, 256),
        (300, 200, 40),
        (150, 70, 520),
        (260, 300, 270),
    ];
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
                                (
                                    *a.offset(i as isize * rsa + l as isize * csa),
                                    *b.offset(l as isize * rsb + j as isize * csb),
                                )
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
