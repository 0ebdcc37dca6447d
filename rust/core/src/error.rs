//! The one error type of the core. Every fallible operation returns [`Result`].
//!
//! The binding layer maps each [`ErrorKind`] to the Python exception PyTorch raises
//! in the same situation; the message must already name the op, the shapes and the
//! dtypes involved, because that is what the user reads.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Shapes, dtypes or devices that do not fit the op (`RuntimeError`).
    Runtime,
    /// An index or dim out of range (`IndexError`).
    Index,
    /// An argument of the wrong kind (`TypeError`).
    Type,
    /// An argument with a bad value (`ValueError`).
    Value,
    /// A dtype the op has no kernel for, where PyTorch says so with
    /// `NotImplementedError` ("\"hypot_cpu\" not implemented for 'Long'").
    NotImplemented,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{msg}")]
pub struct Error {
    pub kind: ErrorKind,
    pub msg: String,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn runtime(msg: impl Into<String>) -> Self {
        Error { kind: ErrorKind::Runtime, msg: msg.into() }
    }
    pub fn index(msg: impl Into<String>) -> Self {
        Error { kind: ErrorKind::Index, msg: msg.into() }
    }
    pub fn type_(msg: impl Into<String>) -> Self {
        Error { kind: ErrorKind::Type, msg: msg.into() }
    }
    pub fn value(msg: impl Into<String>) -> Self {
        Error { kind: ErrorKind::Value, msg: msg.into() }
    }
}

/// `bail!(Runtime, "...", args)` returns early with an error of that kind.
#[macro_export]
macro_rules! bail {
    ($kind:ident, $($arg:tt)*) => {
        return Err($crate::error::Error {
            kind: $crate::error::ErrorKind::$kind,
            msg: format!($($arg)*),
        })
    };
}
