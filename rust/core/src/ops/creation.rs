//! Creation ops that are not random: `full`, `arange`, `linspace`, `eye`.

use crate::bail;
use crate::dtype::{DType, Element};
use crate::error::Result;
use crate::tensor::{Scalar, Tensor};

pub fn full(op: &str, shape: &[usize], value: Scalar, dtype: DType) -> Result<Tensor> {
    full_on(op, crate::device::Device::Cpu, shape, value, dtype)
}

/// [`full`] made directly on `device`.
pub fn full_on(op: &str, device: crate::device::Device, shape: &[usize], value: Scalar, dtype: DType) -> Result<Tensor> {
    value.check_fits(op, dtype)?;
    let t = Tensor::try_zeros_on(op, device, dtype, shape)?;
    let zero = match value {
        Scalar::Float(f) => f == 0.0 && f.is_sign_positive(),
        _ => value.to_i64() == 0,
    };
    if !zero {
        super::backend_of(&t).fill(&t, value);
    }
    Ok(t)
}

/// `torch.arange(start, end, step)`: `ceil((end - start) / step)` values.
pub fn arange(start: Scalar, end: Scalar, step: Scalar, dtype: DType) -> Result<Tensor> {
    if dtype == DType::Bool {
        bail!(Runtime, "\"arange_cpu\" not implemented for 'Bool'");
    }
    let (s, e, st) = (start.to_f64(), end.to_f64(), step.to_f64());
    if st == 0.0 {
        bail!(Runtime, "arange: step must be nonzero");
    }
    if !(s.is_finite() && e.is_finite() && st.is_finite()) {
        bail!(Runtime, "arange: unsupported range: {s} -> {e} with step {st}");
    }
    if (st > 0.0 && e < s) || (st < 0.0 && e > s) {
        bail!(
            Runtime,
            "arange: upper bound and larger bound inconsistent with step sign (start={s}, end={e}, step={st})"
        );
    }
    let floaty = [start, end, step].iter().any(|x| matches!(x, Scalar::Float(_)));
    // Integer bounds count in i128: `end - start` of two int64s may not fit one.
    let n: u128 = if dtype.is_float() || floaty {
        ((e - s) / st).ceil().max(0.0) as u128
    } else {
        let (s, e, st) = (start.to_i64() as i128, end.to_i64() as i128, step.to_i64() as i128);
        ((e - s + st - st.signum()) / st).max(0) as u128
    };
    let n = usize::try_from(n).ok().filter(|&n| n <= crate::checked::MAX_NUMEL).ok_or_else(|| {
        crate::error::Error::runtime(format!(
            "arange: invalid size {n} (start={s}, end={e}, step={st}), possible overflow?"
        ))
    })?;
    crate::with_dtype!(dtype, T, {
        if dtype.is_float() || floaty {
            Tensor::from_fn::<T>("arange", &[n], |i| T::from_f64(s + i as f64 * st))
        } else {
            let (s, st) = (start.to_i64() as i128, step.to_i64() as i128);
            Tensor::from_fn::<T>("arange", &[n], |i| T::from_i64((s + i as i128 * st) as i64))
        }
    })
}

/// `torch.linspace`: computed from both ends so the last value is exact.
pub fn linspace(start: f64, end: f64, steps: i64, dtype: DType) -> Result<Tensor> {
    if steps < 0 {
        bail!(Runtime, "linspace: number of steps must be non-negative, got {steps}");
    }
    let n = steps as usize;
    let step = if n > 1 { (end - start) / (n - 1) as f64 } else { 0.0 };
    let half = n / 2;
    crate::with_dtype!(dtype, T, {
        Tensor::from_fn::<T>("linspace", &[n], |i| {
            let x = if i < half || n == 1 { start + step * i as f64 } else { end - step * (n - 1 - i) as f64 };
            T::from_f64(x)
        })
    })
}

pub fn eye(n: usize, m: usize, dtype: DType) -> Result<Tensor> {
    let t = Tensor::try_zeros("eye", dtype, &[n, m])?;
    let diag = t.layout().diagonal(0, 0, 1)?;
    let diag = t.view_of(diag);
    super::backend_of(&diag).fill(&diag, Scalar::Int(1));
    Ok(t)
}
