// The one mapping between the WIT types of `wit/kernel.wit` and the kernel's Rust types, written
// once and compiled on both sides of the component boundary: into the guest (component/guest,
// wit-bindgen's types) and into the host (host/, wasmtime's bindgen types). Each side names its
// generated modules `crate::wit_bindings::{types, security}`; the types have the same names and
// fields on both sides, so every mapping here is a pair of `From` impls, one per direction, side
// by side. A new kind, field or case is added here once.
//
// (A plain `//` header: this file is included with `#[path]` by both crates, whose own module
// docs say what it is to them.)

mod input;
mod kinds;
mod output;
mod security;
mod status;

use crate::wit_bindings::types as wit;

/// A kernel count as a WIT `u32`, saturating (a batch never holds 4 billion entries).
pub fn count_to_wit(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A WIT `u32` count as the kernel's `usize`, saturating (on a 16-bit target).
pub fn count_from_wit(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// A pair of `From`s between a kernel enum and the WIT enum with the same cases.
macro_rules! two_way_enum {
    ($kernel:ident <=> $module:ident::$wit:ident { $($case:ident),+ $(,)? }) => {
        impl From<$kernel> for $module::$wit {
            fn from(value: $kernel) -> Self {
                match value {
                    $($kernel::$case => $module::$wit::$case),+
                }
            }
        }
        impl From<$module::$wit> for $kernel {
            fn from(value: $module::$wit) -> Self {
                match value {
                    $($module::$wit::$case => $kernel::$case),+
                }
            }
        }
    };
}

/// A pair of `From`s between a kernel struct and the WIT record with the same fields. A field is
/// taken as it is, or converted: `into` (its own `From`), `list` (each element), `option` (the
/// value inside), `count` (`usize` ↔ `u32`), `timestamp` (`Timestamp` ↔ `u64`).
macro_rules! two_way_record {
    ($kernel:ident <=> $module:ident::$wit:ident { $($field:ident $(: $how:ident)?),+ $(,)? }) => {
        impl From<$kernel> for $module::$wit {
            fn from(value: $kernel) -> Self {
                $module::$wit { $($field: $crate::convert::convert_field!(to_wit $($how)? value.$field)),+ }
            }
        }
        impl From<$module::$wit> for $kernel {
            fn from(value: $module::$wit) -> Self {
                $kernel { $($field: $crate::convert::convert_field!(from_wit $($how)? value.$field)),+ }
            }
        }
    };
}

macro_rules! convert_field {
    ($dir:ident into $value:expr) => {
        $value.into()
    };
    ($dir:ident list $value:expr) => {
        $value.into_iter().map(Into::into).collect()
    };
    ($dir:ident option $value:expr) => {
        $value.map(Into::into)
    };
    (to_wit count $value:expr) => {
        $crate::convert::count_to_wit($value)
    };
    (from_wit count $value:expr) => {
        $crate::convert::count_from_wit($value)
    };
    (to_wit timestamp $value:expr) => {
        $value.0
    };
    (from_wit timestamp $value:expr) => {
        pos_kernel::Timestamp($value)
    };
    ($dir:ident $value:expr) => {
        $value
    };
}

use {convert_field, two_way_enum, two_way_record};

#[cfg(test)]
mod tests;
