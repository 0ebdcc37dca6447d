//! Devices. Only the CPU has storage today; the GPU variant exists so that
//! device strings, `.to(device)` and error messages need no rework when the
//! wgpu backend lands.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Device {
    Cpu,
    /// A GPU through wgpu; spelled "cuda" in Python for PyTorch compatibility.
    Gpu(u32),
}

impl Device {
    pub fn type_name(self) -> &'static str {
        match self {
            Device::Cpu => "cpu",
            Device::Gpu(_) => "cuda",
        }
    }
}

/// PyTorch's spelling: `cpu`, `cuda:0`.
impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Device::Cpu => f.write_str("cpu"),
            Device::Gpu(i) => write!(f, "cuda:{i}"),
        }
    }
}
