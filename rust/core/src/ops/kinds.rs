//! The op enums and what the ops layer needs to know about each op, generated
//! from the rows of `table.rs` (NOTE [Op tables]).

/// What a unary op accepts and returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryRule {
    /// Same dtype out; bool refused with `neg`'s own message.
    Negate,
    /// Same dtype out; bool refused.
    Numeric,
    /// Same dtype out, every dtype.
    Any,
    /// Floats keep their dtype; integers and bool compute in the default float.
    Float,
    /// Any dtype in, bool out.
    Test,
    /// Integers and bool only, same dtype out.
    Integral,
}

/// What a binary op accepts and returns (after promotion to a common dtype).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryRule {
    /// The promoted dtype; two bools refused for `sub`.
    Arith,
    /// Integers divide in the default float (`torch.div`).
    TrueDiv,
    /// Arith, with integer division by zero refused (it would trap).
    Division,
    /// Arith, with negative integer exponents of integers refused.
    Power,
    /// Floating dtypes only: integer results are refused, as PyTorch's kernels do.
    FloatOnly,
    /// Integers and bool only.
    Bitwise,
    /// Bool out.
    Compare,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TernaryRule {
    /// `where`: a bool condition choosing between two promoted operands.
    Select,
    /// Three operands of one floating dtype.
    Float3,
    /// Three operands promoted together.
    Arith3,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReduceRule {
    /// Floats keep their dtype, integers and bool accumulate in int64 (or `dtype=`).
    Accumulate,
    /// The input's dtype; an empty fold has no identity and is refused.
    Extreme,
    /// Bool out (uint8 for uint8 input), as `all`/`any`.
    Logical,
}

/// One row as the Python layer sees it (`_C.op_table()`).
#[derive(Clone, Debug)]
pub struct OpInfo {
    pub family: &'static str,
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub rule: &'static str,
    pub differentiable: bool,
    /// Whether PyTorch has the in-place form `x.name_()`.
    pub inplace: bool,
    pub wgsl: &'static str,
}

macro_rules! has_grad {
    (none) => {
        false
    };
    ({ $($t:tt)* }) => {
        true
    };
}

macro_rules! op_enum {
    ($Op:ident, $Rule:ident, $family:literal, $($V:ident, $name:literal, [$($alias:literal),* $(; $flag:ident)?], $rule:ident, $wgsl:literal, $grad:tt;)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $Op {
            $($V),*
        }

        impl $Op {
            pub const ALL: &'static [$Op] = &[$($Op::$V),*];

            /// PyTorch's name.
            pub fn name(self) -> &'static str {
                match self {
                    $($Op::$V => $name),*
                }
            }

            pub fn from_name(name: &str) -> Option<$Op> {
                Self::ALL.iter().copied().find(|op| op.name() == name)
            }

            pub fn rule(self) -> $Rule {
                match self {
                    $($Op::$V => $Rule::$rule),*
                }
            }

            /// The GPU expression (NOTE [Op tables]); empty until written.
            pub fn wgsl(self) -> &'static str {
                match self {
                    $($Op::$V => $wgsl),*
                }
            }

            /// Whether the row has a backward formula.
            pub fn differentiable(self) -> bool {
                match self {
                    $($Op::$V => has_grad!($grad)),*
                }
            }

            pub fn info(self) -> OpInfo {
                let aliases: &'static [&'static str] = match self {
                    $($Op::$V => &[$($alias),*]),*
                };
                OpInfo {
                    family: $family,
                    name: self.name(),
                    aliases,
                    rule: match self {
                        $($Op::$V => stringify!($rule)),*
                    },
                    differentiable: self.differentiable(),
                    inplace: match self {
                        $($Op::$V => stringify!($($flag)?) != "no_inplace"),*
                    },
                    wgsl: self.wgsl(),
                }
            }
        }
    };
}

macro_rules! gen_unary_kinds {
    ($($V:ident, $name:literal, [$($alias:literal),* $(; $flag:ident)?], $rule:ident, |$x:ident| $cpu:expr, $wgsl:literal, $grad:tt;)*) => {
        op_enum!(UnaryOp, UnaryRule, "unary", $($V, $name, [$($alias),* $(; $flag)?], $rule, $wgsl, $grad;)*);
    };
}
crate::unary_ops!(gen_unary_kinds);

macro_rules! gen_binary_kinds {
    ($($V:ident, $name:literal, [$($alias:literal),* $(; $flag:ident)?], $rule:ident, |$x:ident, $y:ident| $cpu:expr, $wgsl:literal, $grad:tt;)*) => {
        op_enum!(BinaryOp, BinaryRule, "binary", $($V, $name, [$($alias),* $(; $flag)?], $rule, $wgsl, $grad;)*);
    };
}
crate::binary_ops!(gen_binary_kinds);

macro_rules! gen_ternary_kinds {
    ($($V:ident, $name:literal, [$($alias:literal),* $(; $flag:ident)?], $rule:ident, |$x:ident, $y:ident, $z:ident| $cpu:expr, $wgsl:literal, $grad:tt;)*) => {
        op_enum!(TernaryOp, TernaryRule, "ternary", $($V, $name, [$($alias),* $(; $flag)?], $rule, $wgsl, $grad;)*);
    };
}
crate::ternary_ops!(gen_ternary_kinds);

macro_rules! gen_reduce_kinds {
    ($($V:ident, $name:literal, $rule:ident, $init:ident, |$x:ident| $load:expr, |$a:ident, $b:ident| $f:expr, $wgsl:literal, $grad:tt;)*) => {
        op_enum!(ReduceOp, ReduceRule, "reduce", $($V, $name, [; no_inplace], $rule, $wgsl, $grad;)*);
    };
}
crate::reduce_ops!(gen_reduce_kinds);

/// Arg-reductions and scans have one rule each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgReduceRule {
    /// Values in the input's dtype, int64 indices; an empty dim is refused.
    Extreme,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanRule {
    /// Floats keep their dtype, integers accumulate in int64 (or `dtype=`).
    Accumulate,
}

macro_rules! gen_arg_reduce_kinds {
    ($($V:ident, $name:literal, |$v:ident, $b:ident| $better:expr, $wgsl:literal, $grad:tt;)*) => {
        op_enum!(ArgReduceOp, ArgReduceRule, "arg_reduce", $($V, $name, [; no_inplace], Extreme, $wgsl, $grad;)*);
    };
}
crate::arg_reduce_ops!(gen_arg_reduce_kinds);

macro_rules! gen_scan_kinds {
    ($($V:ident, $name:literal, |$a:ident, $b:ident| $f:expr, $wgsl:literal, $grad:tt;)*) => {
        op_enum!(ScanOp, ScanRule, "scan", $($V, $name, [; no_inplace], Accumulate, $wgsl, $grad;)*);
    };
}
crate::scan_ops!(gen_scan_kinds);

/// Every row of every table, for `_C.op_table()` and the completeness tests.
pub fn op_table() -> Vec<OpInfo> {
    let mut v = Vec::new();
    v.extend(UnaryOp::ALL.iter().map(|o| o.info()));
    v.extend(BinaryOp::ALL.iter().map(|o| o.info()));
    v.extend(TernaryOp::ALL.iter().map(|o| o.info()));
    v.extend(ReduceOp::ALL.iter().map(|o| o.info()));
    v.extend(ArgReduceOp::ALL.iter().map(|o| o.info()));
    v.extend(ScanOp::ALL.iter().map(|o| o.info()));
    v
}
