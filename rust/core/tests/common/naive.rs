//! Naive reference implementations (plain loops over multi-indices) that the
//! kernel tests compare against.

use super::{for_each_index, linear, numel};
use rtensor_core::ops::BinaryOp::{self, *};
use rtensor_core::DType::{self, *};

/// NumPy's broadcast shape of two (compatible) shapes.
pub fn broadcast(a: &[usize], b: &[usize]) -> Vec<usize> {
    let n = a.len().max(b.len());
    let at = |s: &[usize], k: usize| if k + s.len() >= n { s[k + s.len() - n] } else { 1 };
    (0..n).map(|k| if at(a, k) == 1 { at(b, k) } else { at(a, k) }).collect()
}

/// Row-major position in `small` of the element that broadcasts to `idx`.
pub fn bcast_pos(small: &[usize], idx: &[usize]) -> usize {
    let off = idx.len() - small.len();
    small.iter().enumerate().fold(0, |acc, (k, &d)| acc * d + if d == 1 { 0 } else { idx[k + off] })
}

/// Naive fold of `vals` (row-major over `shape`) over the dims in `mask`.
pub fn naive_fold(vals: &[f64], shape: &[usize], mask: &[bool], init: f64, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    let kept: Vec<usize> = (0..shape.len()).filter(|&k| !mask[k]).map(|k| shape[k]).collect();
    let mut acc = vec![init; numel(&kept)];
    let mut lin = 0;
    for_each_index(shape, |i| {
        let ki: Vec<usize> = (0..shape.len()).filter(|&k| !mask[k]).map(|k| i[k]).collect();
        let o = linear(&kept, &ki);
        acc[o] = f(acc[o], vals[lin]);
        lin += 1;
    });
    acc
}

/// Naive matmul with NumPy's rules for 1-d operands and batch broadcasting.
pub fn naive_matmul(a: &[f64], sa: &[usize], b: &[f64], sb: &[usize]) -> (Vec<f64>, Vec<usize>) {
    let a2 = if sa.len() == 1 { vec![1, sa[0]] } else { sa.to_vec() };
    let b2 = if sb.len() == 1 { vec![sb[0], 1] } else { sb.to_vec() };
    let (m, k, n) = (a2[a2.len() - 2], a2[a2.len() - 1], b2[b2.len() - 1]);
    let (ba, bb) = (&a2[..a2.len() - 2], &b2[..b2.len() - 2]);
    let batch = broadcast(ba, bb);
    let mut out = vec![];
    for_each_index(&batch, |bi| {
        let (oa, ob) = (bcast_pos(ba, bi) * m * k, bcast_pos(bb, bi) * k * n);
        for i in 0..m {
            for j in 0..n {
                out.push((0..k).map(|p| a[oa + i * k + p] * b[ob + p * n + j]).sum());
            }
        }
    });
    let mut shape = batch;
    shape.extend(sa.len().gt(&1).then_some(m));
    shape.extend(sb.len().gt(&1).then_some(n));
    (out, shape)
}

/// `x op y` for operands of dtype `dt`, computed naively in f64 (exact for the
/// small sampled values, integers included), then wrapped into integer dtypes
/// the way C casts do; rounding to a float result dtype happens later.
pub fn reference(op: BinaryOp, dt: DType, x: f64, y: f64) -> f64 {
    let q = (x / y).floor();
    let v = match op {
        Eq => return (x == y) as u8 as f64,
        Lt => return (x < y) as u8 as f64,
        Div => return x / y,
        Add => x + y,
        Sub => x - y,
        Mul => x * y,
        FloorDiv => q,
        Rem => x - y * q,
        Maximum => x.max(y),
        _ => unreachable!(),
    };
    let i = v as i64;
    match dt {
        Bool => (i != 0) as u8 as f64,
        U8 => i as u8 as f64,
        I8 => i as i8 as f64,
        I16 => i as i16 as f64,
        I32 => i as i32 as f64,
        I64 => i as f64,
        _ => v,
    }
}
