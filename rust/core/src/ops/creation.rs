//! Creation ops that are not random: `full`, `arange`, `linspace`, `eye`.

use crate::bail;
use crate::dtype::{DType, Element};
use crate::error::Result;
use crate::tensor::{Scalar, Tensor};

pub fn full(shape: &[usize], value: Scalar, dtype: DType) -> Tensor {
    let t = Tensor::zeros(dtype, shape);
    let zero = match value {
        Scalar::Float(f) => f == 0.0 && f.is_sign_positive(),
        _ => value.to_i64() == 0,
    };
    if !zero {
        crate::cpu::elementwise::fill_scalar(&t, value);
    }
    t
}

/// `torch.arange(start, end, step)`: `ceil((end - start) / step)` values.
pub fn arange(start: Scalar, end: Scalar, step: Scalar, dtype: DType) -> Result<Tensor> {
    let (s, e, st) = (start.to_f64(), end.to_f64(), step.to_f64());
    if st == 0.0 {
        bail!(Runtime, "arange: step must be nonzero");
    }
    if !(s.is_finite() && e.is_finite()) {
        bail!(Runtime, "arange: unsupported range: {s} -> {e}");
    }
    if (st > 0.0 && e < s) || (st < 0.0 && e > s) {
        bail!(
            Runtime,
            "arange: upper bound and larger bound inconsistent with step sign (start={s}, end={e}, step={st})"
        );
    }
    let n = if dtype.is_float()
        || matches!(step, Scalar::Float(_))
        || matches!(start, Scalar::Float(_))
        || matches!(end, Scalar::Float(_))
    {
        ((e - s) / st).ceil() as usize
    } else {
        let (s, e, st) = (start.to_i64(), end.to_i64(), step.to_i64());
        ((e - s + st - st.signum()) / st).max(0) as usize
    };
    Ok(crate::with_dtype!(dtype, T, {
        let v: Vec<T> = if dtype.is_float() {
            (0..n).map(|i| T::from_f64(s + i as f64 * st)).collect()
        } else {
            let (s, st) = (start.to_i64(), step.to_i64());
            if matches!(step, Scalar::Float(_)) || matches!(start, Scalar::Float(_)) {
                (0..n).map(|i| T::from_f64(start.to_f64() + i as f64 * step.to_f64())).collect()
            } else {
                (0..n).map(|i| T::from_i64(s + i as i64 * st)).collect()
            }
        };
        Tensor::from_vec(v, &[n])?
    }))
}

/// `torch.linspace`: computed from both ends so the last value is exact.
pub fn linspace(start: f64, end: f64, steps: i64, dtype: DType) -> Result<Tensor> {
    if steps < 0 {
        bail!(Runtime, "linspace: number of steps must be non-negative, got {steps}");
    }
    let n = steps as usize;
    let step = if n > 1 { (end - start) / (n - 1) as f64 } else { 0.0 };
    let half = n / 2;
    Ok(crate::with_dtype!(dtype, T, {
        let v: Vec<T> = (0..n)
            .map(|i| {
                let x = if i < half || n == 1 { start + step * i as f64 } else { end - step * (n - 1 - i) as f64 };
                T::from_f64(x)
            })
            .collect();
        Tensor::from_vec(v, &[n])?
    }))
}

pub fn eye(n: usize, m: usize, dtype: DType) -> Result<Tensor> {
    let t = Tensor::zeros(dtype, &[n, m]);
    let diag = t.layout().diagonal(0, 0, 1)?;
    crate::cpu::elementwise::fill_scalar(&t.view_of(diag), Scalar::Int(1));
    Ok(t)
}
