//! The pipeline cache: one compute pipeline per [`KernelKey`], compiled the
//! first time it is asked for and kept for the life of the device (about
//! 0.15 s of JIT each on lavapipe, so the key space is kept small: the rank
//! is a runtime value in the metadata, not part of the key).

use super::context::GpuContext;
use super::shader::{generate, KernelKey};
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A compiled kernel and its bind group layout (fetched once: wgpu makes a
/// new handle on every `get_bind_group_layout`).
pub(crate) struct Kernel {
    pub pipeline: wgpu::ComputePipeline,
    pub layout: wgpu::BindGroupLayout,
}

#[derive(Default)]
pub(crate) struct PipelineCache {
    map: Mutex<HashMap<KernelKey, Arc<Kernel>>>,
}

impl PipelineCache {
    pub fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

impl GpuContext {
    /// The pipeline of `key`, compiled on first use. A shader the driver
    /// rejects is an error naming the kernel (it passed naga in our tests, so
    /// this is a driver or runtime bug), never a panic.
    pub(crate) fn pipeline(&self, key: &KernelKey) -> Result<Arc<Kernel>> {
        let mut map = self.pipelines.map.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = map.get(key) {
            return Ok(p.clone());
        }
        let src = generate(key)?;
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let module = self.device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("rtensor kernel"),
            source: wgpu::ShaderSource::Wgsl(src.as_str().into()),
        });
        let pipeline = self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some("rtensor kernel"),
            layout: None,
            module: &module,
            entry_point: Some("main"),
            compilation_options: wgpu::PipelineCompilationOptions::default(),
            cache: None,
        });
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(Error::runtime(format!("wgpu: kernel {key:?} failed to compile: {e}")));
        }
        let layout = pipeline.get_bind_group_layout(0);
        let p = Arc::new(Kernel { pipeline, layout });
        map.insert(key.clone(), p.clone());
        Ok(p)
    }

    /// Pipelines compiled so far on this device.
    pub fn pipeline_count(&self) -> usize {
        self.pipelines.len()
    }
}
