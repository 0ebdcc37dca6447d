//! The CPU kernels of the op tables (NOTE [Op tables]): one monomorphised loop
//! per row and dtype, chosen by one `match` per family that names every row.
//! Operands arrive already in the compute dtype, broadcast to `out`'s shape
//! and not aliasing it; the `ops` layer promises that.

use super::elementwise::{map1, map2, map3};
use super::reduce::{arg_reduce as arg_fold, fold, scan as scan_fold};
use crate::dtype::{Bool8, Compute, Element, FloatC};
use crate::ops::kinds::{ArgReduceOp, BinaryOp, ReduceOp, ScanOp, TernaryOp, UnaryOp};
use crate::tensor::Tensor;

/// Element types for which the row's expression is compiled.
macro_rules! same_type {
    ($dt:expr, $T:ident, $body:expr) => {
        crate::with_dtype!($dt, $T, $body)
    };
}
macro_rules! float_type {
    ($dt:expr, $T:ident, $body:expr) => {
        crate::with_float_dtype!($dt, $T, $body, unreachable!("the ops layer computes this op in floating point"))
    };
}

// NOTE [Row expressions are generic]: each row's expression becomes a local
// generic `fn f<C: Compute>` (or `FloatC`), never a closure over a concrete
// type. With `C = f32` known, `x.max(y)` or `x.round()` would silently call
// f32's inherent methods (NaN-dropping max, ties-away round) instead of the
// `Compute` semantics the rows mean.
macro_rules! unary_arm {
    (Float, $dt:expr, $o:expr, $a:expr, $x:ident, $e:expr) => {{
        #[inline(always)]
        fn f<C: FloatC>($x: C) -> C {
            $e
        }
        float_type!($dt, T, map1::<T, T>($o, $a, |v| T::from_c(f(v.to_c()))))
    }};
    (Test, $dt:expr, $o:expr, $a:expr, $x:ident, $e:expr) => {{
        #[inline(always)]
        fn f<C: Compute>($x: C) -> bool {
            $e
        }
        same_type!($dt, T, map1::<T, Bool8>($o, $a, |v| Bool8(f(v.to_c()) as u8)))
    }};
    ($same:ident, $dt:expr, $o:expr, $a:expr, $x:ident, $e:expr) => {{
        #[inline(always)]
        fn f<C: Compute>($x: C) -> C {
            $e
        }
        same_type!($dt, T, map1::<T, T>($o, $a, |v| T::from_c(f(v.to_c()))))
    }};
}

macro_rules! gen_cpu_unary {
    ($($V:ident, $name:literal, [$($alias:literal),* $(; $flag:ident)?], $rule:ident, |$x:ident| $cpu:expr, $wgsl:literal, $grad:tt;)*) => {
        /// `out = op(a)`.
        pub(crate) fn unary(op: UnaryOp, out: &Tensor, a: &Tensor) {
            let dt = a.dtype();
            match op {
                $(UnaryOp::$V => unary_arm!($rule, dt, out, a, $x, $cpu),)*
            }
        }
    };
}
crate::unary_ops!(gen_cpu_unary);

macro_rules! binary_arm {
    (Compare, $dt:expr, $o:expr, $a:expr, $b:expr, $x:ident, $y:ident, $e:expr) => {{
        #[inline(always)]
        fn f<C: Compute>($x: C, $y: C) -> bool {
            $e
        }
        same_type!($dt, T, map2::<T, T, Bool8>($o, $a, $b, |x, y| Bool8(f(x.to_c(), y.to_c()) as u8)))
    }};
    (FloatOnly, $dt:expr, $o:expr, $a:expr, $b:expr, $x:ident, $y:ident, $e:expr) => {{
        #[inline(always)]
        fn f<C: FloatC>($x: C, $y: C) -> C {
            $e
        }
        float_type!($dt, T, map2::<T, T, T>($o, $a, $b, |x, y| T::from_c(f(x.to_c(), y.to_c()))))
    }};
    (TrueDiv, $dt:expr, $o:expr, $a:expr, $b:expr, $x:ident, $y:ident, $e:expr) => {{
        #[inline(always)]
        fn f<C: FloatC>($x: C, $y: C) -> C {
            $e
        }
        float_type!($dt, T, map2::<T, T, T>($o, $a, $b, |x, y| T::from_c(f(x.to_c(), y.to_c()))))
    }};
    ($same:ident, $dt:expr, $o:expr, $a:expr, $b:expr, $x:ident, $y:ident, $e:expr) => {{
        #[inline(always)]
        fn f<C: Compute>($x: C, $y: C) -> C {
            $e
        }
        same_type!($dt, T, map2::<T, T, T>($o, $a, $b, |x, y| T::from_c(f(x.to_c(), y.to_c()))))
    }};
}

macro_rules! gen_cpu_binary {
    ($($V:ident, $name:literal, [$($alias:literal),* $(; $flag:ident)?], $rule:ident, |$x:ident, $y:ident| $cpu:expr, $wgsl:literal, $grad:tt;)*) => {
        /// `out = op(a, b)`; `a` and `b` share the compute dtype.
        pub(crate) fn binary(op: BinaryOp, out: &Tensor, a: &Tensor, b: &Tensor) {
            let dt = a.dtype();
            match op {
                $(BinaryOp::$V => binary_arm!($rule, dt, out, a, b, $x, $y, $cpu),)*
            }
        }
    };
}
crate::binary_ops!(gen_cpu_binary);

/// `lerp`'s two-sided formula: exact at `w = 0` and `w = 1`.
#[inline(always)]
fn lerp_c<C: FloatC>(s: C, e: C, w: C) -> C {
    if w.abs() < C::from_f64(0.5) {
        s.add(w.mul(e.sub(s)))
    } else {
        e.sub(e.sub(s).mul(C::ONE.sub(w)))
    }
}

macro_rules! ternary_arm {
    (Select, $o:expr, $a:expr, $b:expr, $c:expr, $x:ident, $y:ident, $z:ident, $e:expr) => {{
        #[inline(always)]
        fn f<C: Compute>($x: bool, $y: C, $z: C) -> C {
            $e
        }
        same_type!(
            $b.dtype(),
            T,
            map3::<Bool8, T, T, T>($o, $a, $b, $c, |c, x, y| T::from_c(f(c.0 != 0, x.to_c(), y.to_c())))
        )
    }};
    (Float3, $o:expr, $a:expr, $b:expr, $c:expr, $x:ident, $y:ident, $z:ident, $e:expr) => {{
        #[inline(always)]
        fn f<C: FloatC>($x: C, $y: C, $z: C) -> C {
            $e
        }
        float_type!(
            $a.dtype(),
            T,
            map3::<T, T, T, T>($o, $a, $b, $c, |x, y, z| T::from_c(f(x.to_c(), y.to_c(), z.to_c())))
        )
    }};
    (Arith3, $o:expr, $a:expr, $b:expr, $c:expr, $x:ident, $y:ident, $z:ident, $e:expr) => {{
        #[inline(always)]
        fn f<C: Compute>($x: C, $y: C, $z: C) -> C {
            $e
        }
        same_type!(
            $a.dtype(),
            T,
            map3::<T, T, T, T>($o, $a, $b, $c, |x, y, z| T::from_c(f(x.to_c(), y.to_c(), z.to_c())))
        )
    }};
}

macro_rules! gen_cpu_ternary {
    ($($V:ident, $name:literal, [$($alias:literal),* $(; $flag:ident)?], $rule:ident, |$x:ident, $y:ident, $z:ident| $cpu:expr, $wgsl:literal, $grad:tt;)*) => {
        /// `out = op(a, b, c)` (for `where`, `a` is the bool condition).
        pub(crate) fn ternary(op: TernaryOp, out: &Tensor, a: &Tensor, b: &Tensor, c: &Tensor) {
            match op {
                $(TernaryOp::$V => ternary_arm!($rule, out, a, b, c, $x, $y, $z, $cpu),)*
            }
        }
    };
}
crate::ternary_ops!(gen_cpu_ternary);

macro_rules! gen_cpu_reduce {
    ($($V:ident, $name:literal, $rule:ident, $init:ident, |$x:ident| $load:expr, |$a:ident, $b:ident| $f:expr, $wgsl:literal, $grad:tt;)*) => {
        /// Folds `x` over the dims marked in `mask` into the contiguous `out`
        /// (the kept dims, `x`'s dtype).
        pub(crate) fn reduce(op: ReduceOp, out: &Tensor, x: &Tensor, mask: &[bool]) {
            match op {
                $(ReduceOp::$V => {
                    #[inline(always)]
                    fn load<C: Compute>($x: C) -> C {
                        $load
                    }
                    #[inline(always)]
                    fn combine<C: Compute>($a: C, $b: C) -> C {
                        $f
                    }
                    same_type!(x.dtype(), T, {
                        let c = fold::<T>(x, mask, <<T as Element>::C as Compute>::$init, load, combine);
                        write_contiguous::<T>(out, c.iter().map(|&c| T::from_c(c)));
                    })
                })*
            }
        }
    };
}
crate::reduce_ops!(gen_cpu_reduce);

/// Writes one accumulator per element of the fresh contiguous `out`.
fn write_contiguous<T: Element>(out: &Tensor, values: impl ExactSizeIterator<Item = T>) {
    assert!(out.is_contiguous() && out.numel() == values.len(), "internal error: reduce output layout");
    let o = out.base::<T>();
    for (i, v) in values.enumerate() {
        // SAFETY: `out` is contiguous with `values.len()` elements from its
        // offset (asserted above), and it is a fresh tensor nobody else reads yet.
        unsafe { *o.add(out.offset() + i) = v };
    }
}

macro_rules! gen_cpu_arg_reduce {
    ($($V:ident, $name:literal, |$v:ident, $b:ident| $better:expr, $wgsl:literal, $grad:tt;)*) => {
        /// The extreme of each line of `x` along `dim` and its first index,
        /// into the contiguous `values` (x's dtype) and `indices` (int64).
        pub(crate) fn arg_reduce(op: ArgReduceOp, values: &Tensor, indices: &Tensor, x: &Tensor, dim: usize) {
            match op {
                $(ArgReduceOp::$V => {
                    #[inline(always)]
                    fn better<C: Compute>($v: C, $b: C) -> bool {
                        $better
                    }
                    same_type!(x.dtype(), T, {
                    let (v, i) = arg_fold::<T>(x, dim, better);
                    write_contiguous::<T>(values, v.into_iter());
                    write_contiguous::<i64>(indices, i.into_iter());
                    })
                })*
            }
        }
    };
}
crate::arg_reduce_ops!(gen_cpu_arg_reduce);

macro_rules! gen_cpu_scan {
    ($($V:ident, $name:literal, |$a:ident, $b:ident| $f:expr, $wgsl:literal, $grad:tt;)*) => {
        /// Inclusive scan of `x` along `dim` into the fresh contiguous `out`.
        pub(crate) fn scan(op: ScanOp, out: &Tensor, x: &Tensor, dim: usize) {
            match op {
                $(ScanOp::$V => {
                    #[inline(always)]
                    fn combine<C: Compute>($a: C, $b: C) -> C {
                        $f
                    }
                    same_type!(x.dtype(), T, scan_fold::<T>(out, x, dim, combine))
                })*
            }
        }
    };
}
crate::scan_ops!(gen_cpu_scan);
