//! Adapters, devices and what each device can do (NOTE [wgpu runtime] in
//! docs/gpu.md).
//!
//! One wgpu `Instance` (Vulkan, Metal and DX12 only: the GL backend probes for
//! a display, which prints libwayland noise on headless machines and adds
//! nothing for compute), one ordered list of visible adapters, and one
//! [`GpuContext`] per visible adapter, made on first use. Nothing here
//! panics when there is no GPU: the list is simply empty and every function
//! that needs a device returns an [`Error`].

use super::pool::Pool;
use super::queue::Stream;
use crate::dtype::DType;
use crate::error::{Error, ErrorKind, Result};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// Opt-in for software adapters (lavapipe, WARP, SwiftShader): a "GPU" slower
/// than our own CPU backend is a trap on a user's machine, so tests and CI ask
/// for it explicitly.
pub const ENV_ALLOW_SOFTWARE: &str = "RTENSOR_WGPU_ALLOW_SOFTWARE";
/// Restricts the visible adapters to one index or to names containing a substring.
pub const ENV_ADAPTER: &str = "RTENSOR_WGPU_ADAPTER";
/// Comma list of `shader-f16`, `shader-f64`, `shader-int64` to mask (tests the
/// fallbacks on lavapipe, which has all three).
pub const ENV_DISABLE_FEATURES: &str = "RTENSOR_WGPU_DISABLE_FEATURES";

/// What the runtime reports about one adapter (`rtensor.wgpu.adapters()`).
#[derive(Clone, Debug)]
pub struct AdapterInfo {
    pub name: String,
    /// "Vulkan", "Metal", "Dx12".
    pub backend: String,
    /// "DiscreteGpu", "IntegratedGpu", "VirtualGpu", "Cpu", "Other".
    pub device_type: String,
    pub driver: String,
    pub driver_info: String,
    pub vendor: u32,
    pub device: u32,
    /// Software rasterisers (device type Cpu, or a known software name).
    pub is_software: bool,
    pub limits: wgpu::Limits,
    /// The adapter's features (before masking).
    pub features: wgpu::Features,
}

/// How a dtype is held on a device (`rtensor.cuda.dtypes()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DTypeSupport {
    /// Stored and computed in its own WGSL type.
    Native,
    /// Stored one per 32-bit word, computed in i32/f32, converted at upload and
    /// download (bool, uint8, int8, int16, bfloat16).
    Widened,
    /// Not available on this device; the reason says which feature is missing.
    Unavailable(&'static str),
}

struct Adapters {
    list: Vec<(wgpu::Adapter, AdapterInfo)>,
    /// Software adapters hidden because the opt-in variable is unset, so the
    /// "no adapter" error can say how to get one.
    hidden_software: Vec<String>,
}

static ADAPTERS: OnceLock<Adapters> = OnceLock::new();
static CONTEXTS: OnceLock<Vec<OnceLock<Result<Arc<GpuContext>>>>> = OnceLock::new();

fn env_flag(name: &str) -> bool {
    std::env::var(name).map(|v| !v.is_empty() && v != "0").unwrap_or(false)
}

fn is_software(info: &wgpu::AdapterInfo) -> bool {
    let n = info.name.to_lowercase();
    info.device_type == wgpu::DeviceType::Cpu
        || ["llvmpipe", "lavapipe", "swiftshader", "warp", "basic render"].iter().any(|s| n.contains(s))
}

/// Discrete first, then integrated, virtual, other, software last.
fn rank(t: wgpu::DeviceType) -> u8 {
    match t {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Other => 3,
        wgpu::DeviceType::Cpu => 4,
    }
}

fn adapters_state() -> &'static Adapters {
    ADAPTERS.get_or_init(|| {
        // WGPU_BACKEND is honoured, but never widened to GL.
        let native = wgpu::Backends::VULKAN | wgpu::Backends::METAL | wgpu::Backends::DX12;
        let backends = wgpu::Backends::from_env().map(|b| b & native).unwrap_or(native);
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = backends;
        let instance = wgpu::Instance::new(desc);
        let found = pollster::block_on(instance.enumerate_adapters(backends));
        let allow_sw = env_flag(ENV_ALLOW_SOFTWARE);
        let mut list = Vec::new();
        let mut hidden_software = Vec::new();
        for a in found {
            let raw = a.get_info();
            let sw = is_software(&raw);
            if sw && !allow_sw {
                hidden_software.push(raw.name.clone());
                continue;
            }
            let info = AdapterInfo {
                name: raw.name.clone(),
                backend: format!("{:?}", raw.backend),
                device_type: format!("{:?}", raw.device_type),
                driver: raw.driver.clone(),
                driver_info: raw.driver_info.clone(),
                vendor: raw.vendor,
                device: raw.device,
                is_software: sw,
                limits: a.limits(),
                features: a.features(),
            };
            list.push((rank(raw.device_type), a, info));
        }
        // Stable: equal ranks keep wgpu's (backend) order.
        list.sort_by_key(|(r, _, _)| *r);
        let mut list: Vec<_> = list.into_iter().map(|(_, a, i)| (a, i)).collect();
        let pick = std::env::var(ENV_ADAPTER).ok().or_else(|| std::env::var("WGPU_ADAPTER_NAME").ok());
        if let Some(pick) = pick.filter(|p| !p.is_empty()) {
            list = match pick.parse::<usize>() {
                Ok(i) => list.into_iter().nth(i).into_iter().collect(),
                Err(_) => {
                    let p = pick.to_lowercase();
                    list.into_iter().filter(|(_, i)| i.name.to_lowercase().contains(&p)).collect()
                }
            };
        }
        Adapters { list, hidden_software }
    })
}

/// Every visible adapter, in device-index order (`cuda:0` first).
pub fn adapters() -> Vec<AdapterInfo> {
    adapters_state().list.iter().map(|(_, i)| i.clone()).collect()
}

/// The number of visible adapters; 0 (never an error) without a GPU.
pub fn device_count() -> usize {
    adapters_state().list.len()
}

pub fn is_available() -> bool {
    device_count() > 0
}

/// Why there is no device `index`, with the way to get one.
fn no_device(index: usize) -> Error {
    let st = adapters_state();
    let mut msg = if st.list.is_empty() {
        "no wgpu adapter found (Vulkan, Metal or DX12)".to_string()
    } else {
        format!("invalid device ordinal {index}: {} wgpu adapter(s) visible", st.list.len())
    };
    if !st.hidden_software.is_empty() {
        msg.push_str(&format!(
            "; software adapter(s) {:?} are hidden unless {ENV_ALLOW_SOFTWARE}=1",
            st.hidden_software
        ));
    } else if st.list.is_empty() {
        msg.push_str(
            "; on Debian/Ubuntu `apt-get install mesa-vulkan-drivers libvulkan1` gives the lavapipe software adapter",
        );
    }
    if std::env::var(ENV_ADAPTER).map(|v| !v.is_empty()).unwrap_or(false) {
        msg.push_str(&format!(" ({ENV_ADAPTER} is set)"));
    }
    Error::runtime(msg)
}

/// The features this device has, after `RTENSOR_WGPU_DISABLE_FEATURES`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Caps {
    pub f16: bool,
    pub f64: bool,
    pub i64: bool,
}

/// One device: the wgpu device and queue, its pool, its stream, its pipeline
/// cache, and the sticky error state.
pub struct GpuContext {
    pub index: usize,
    pub info: AdapterInfo,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    /// The limits the device was created with (the adapter's own).
    pub limits: wgpu::Limits,
    pub caps: Caps,
    pub(crate) pool: Mutex<Pool>,
    pub(crate) stream: Stream,
    pub(crate) pipelines: super::pipelines::PipelineCache,
    lost: Arc<AtomicBool>,
    /// The first error wgpu reported outside an error scope (a validation
    /// error is a bug of ours; a lost device is final). Reported by the next
    /// call instead of wgpu's default handler, which panics.
    error: Arc<Mutex<Option<String>>>,
}

impl std::fmt::Debug for GpuContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GpuContext(cuda:{} = {:?})", self.index, self.info.name)
    }
}

fn disabled_features() -> wgpu::Features {
    let mut f = wgpu::Features::empty();
    if let Ok(list) = std::env::var(ENV_DISABLE_FEATURES) {
        for name in list.split(',').map(|s| s.trim().to_lowercase()) {
            match name.as_str() {
                "shader-f16" | "f16" => f |= wgpu::Features::SHADER_F16,
                "shader-f64" | "f64" => f |= wgpu::Features::SHADER_F64,
                "shader-int64" | "int64" | "i64" => f |= wgpu::Features::SHADER_INT64,
                _ => {}
            }
        }
    }
    f
}

fn create(index: usize) -> Result<Arc<GpuContext>> {
    let (adapter, info) = adapters_state().list.get(index).ok_or_else(|| no_device(index))?;
    let wanted = wgpu::Features::SHADER_F16 | wgpu::Features::SHADER_F64 | wgpu::Features::SHADER_INT64;
    let features = adapter.features() & wanted & !disabled_features();
    // The adapter's own limits: WebGPU's defaults (128 MiB bindings, 256 MiB
    // buffers) are minimums that every real GPU exceeds.
    let limits = adapter.limits();
    let desc = wgpu::DeviceDescriptor {
        label: Some("rtensor"),
        required_features: features,
        required_limits: limits.clone(),
        experimental_features: wgpu::ExperimentalFeatures::default(),
        memory_hints: wgpu::MemoryHints::Performance,
        trace: wgpu::Trace::Off,
    };
    let (device, queue) = pollster::block_on(adapter.request_device(&desc))
        .map_err(|e| Error::runtime(format!("wgpu: cannot open device {:?}: {e}", info.name)))?;
    let lost = Arc::new(AtomicBool::new(false));
    let error = Arc::new(Mutex::new(None::<String>));
    {
        let (lost, error) = (lost.clone(), error.clone());
        device.set_device_lost_callback(move |reason, msg| {
            lost.store(true, Ordering::SeqCst);
            let mut e = error.lock().unwrap_or_else(|p| p.into_inner());
            e.get_or_insert_with(|| format!("wgpu device lost ({reason:?}): {msg}"));
        });
    }
    {
        let error = error.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            let mut slot = error.lock().unwrap_or_else(|p| p.into_inner());
            slot.get_or_insert_with(|| format!("wgpu error: {e}"));
        }));
    }
    let device_limits = device.limits();
    let caps = Caps {
        f16: features.contains(wgpu::Features::SHADER_F16),
        f64: features.contains(wgpu::Features::SHADER_F64),
        i64: features.contains(wgpu::Features::SHADER_INT64),
    };
    Ok(Arc::new(GpuContext {
        index,
        info: info.clone(),
        stream: Stream::new(&device_limits),
        pool: Mutex::new(Pool::default()),
        pipelines: super::pipelines::PipelineCache::default(),
        device,
        queue,
        limits: device_limits,
        caps,
        lost,
        error,
    }))
}

/// The context of device `index`, created on first use (once per process).
pub fn context(index: usize) -> Result<Arc<GpuContext>> {
    let slots = CONTEXTS.get_or_init(|| (0..device_count()).map(|_| OnceLock::new()).collect());
    let slot = slots.get(index).ok_or_else(|| no_device(index))?;
    let ctx = slot.get_or_init(|| create(index)).clone()?;
    ctx.check()?;
    Ok(ctx)
}

impl GpuContext {
    /// Fails if the device is lost or wgpu reported an error since the last call.
    /// A lost device stays lost; other errors are reported once.
    pub fn check(&self) -> Result<()> {
        let mut slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
        if self.lost.load(Ordering::SeqCst) {
            let msg = slot.clone().unwrap_or_else(|| "wgpu device lost".into());
            return Err(Error::runtime(format!("{msg}; cuda:{} cannot be used again in this process", self.index)));
        }
        match slot.take() {
            Some(msg) => Err(Error::runtime(msg)),
            None => Ok(()),
        }
    }

    pub fn is_lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }

    /// How `dtype` is held here.
    pub fn dtype_support(&self, dtype: DType) -> DTypeSupport {
        match dtype {
            DType::F32 | DType::I32 => DTypeSupport::Native,
            DType::Bool | DType::U8 | DType::I8 | DType::I16 | DType::BF16 => DTypeSupport::Widened,
            DType::F16 if self.caps.f16 => DTypeSupport::Native,
            DType::F16 => DTypeSupport::Unavailable("shader-f16"),
            DType::F64 if self.caps.f64 => DTypeSupport::Native,
            DType::F64 => DTypeSupport::Unavailable("shader-f64"),
            // Stored as two u32 words (the host layout), computed in native i64.
            DType::I64 if self.caps.i64 => DTypeSupport::Native,
            DType::I64 => DTypeSupport::Unavailable("shader-int64"),
        }
    }

    /// A `TypeError` naming the fix when `dtype` cannot live on this device.
    pub fn require(&self, dtype: DType) -> Result<()> {
        if let DTypeSupport::Unavailable(feature) = self.dtype_support(dtype) {
            let fix = match dtype {
                DType::F64 | DType::F16 => "; convert with .float() or create it with dtype=rtensor.float32",
                DType::I64 => "; convert with .int() (int32) first",
                _ => "",
            };
            return Err(Error {
                kind: ErrorKind::Type,
                msg: format!(
                    "{} is not supported on cuda:{} ({:?}, {}): the adapter lacks {feature}{fix}",
                    dtype.name(),
                    self.index,
                    self.info.name,
                    self.info.backend
                ),
            });
        }
        Ok(())
    }
}
