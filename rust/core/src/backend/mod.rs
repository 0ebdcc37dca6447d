//! Device backends.

pub mod cpu;
