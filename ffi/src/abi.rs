//! The layout of every struct crossing the ABI, stated once.
//!
//! Each struct is listed here with its size and every field's offset. The
//! list does three things: `const` assertions fail the build when a
//! struct's layout changes by accident; `ffi/tests/header.rs` writes it into
//! the header as `_Static_assert`s (so a C compiler checks the header
//! against this library); and `ffi/tests/generated.rs` writes the C# and
//! Java struct constants from it (so no host reads a literal offset).

use std::mem::{offset_of, size_of};

use crate::*;

/// One field of a struct crossing the ABI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AbiField {
    /// The field's name in Rust and C.
    pub name: &'static str,
    /// Its Rust type, as written.
    pub ty: &'static str,
    /// Byte offset.
    pub offset: usize,
    /// Size in bytes.
    pub size: usize,
}

/// One struct crossing the ABI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AbiStruct {
    /// The C name.
    pub name: &'static str,
    /// Size in bytes.
    pub size: usize,
    /// Fields in order.
    pub fields: Vec<AbiField>,
}

macro_rules! abi {
    ($($ty:ident = $size:literal { $($field:ident : $fty:ty = $off:literal),* $(,)? })*) => {
        $(
            const _: () = assert!(size_of::<$ty>() == $size);
            $( const _: () = assert!(offset_of!($ty, $field) == $off); )*
        )*

        /// Every struct crossing the ABI, with its fields.
        pub fn structs() -> Vec<AbiStruct> {
            vec![$(AbiStruct {
                name: stringify!($ty),
                size: $size,
                fields: vec![$(AbiField {
                    name: stringify!($field),
                    ty: stringify!($fty),
                    offset: $off,
                    size: size_of::<$fty>(),
                }),*],
            }),*]
        }
    };
}

// The library is built for 64-bit targets only (hosts read pointers and
// size_t as 8 bytes).
const _: () = assert!(size_of::<usize>() == 8);

abi! {
    eik_str = 16 { ptr: *const u8 = 0, len: usize = 8 }
    eik_options = 56 {
        family: *const eik_family = 0,
        filter_json: *const u8 = 8,
        filter_json_len: usize = 16,
        pseudonym_key: *const u8 = 24,
        pseudonym_key_len: usize = 32,
        forced_layouts: [u16; EIK_MAX_FORCED] = 40,
        encoding: u8 = 48,
        unknown: u8 = 49,
        person_layout: u8 = 50,
        strict: u8 = 51,
        base64: u8 = 52,
        unknown_codes_reject: u8 = 53,
        amount_scale: u8 = 54,
        reserved: u8 = 55,
    }
    eik_event = 80 {
        bytes: *const u8 = 0,
        line: u64 = 8,
        offset: u64 = 16,
        expected: u64 = 24,
        found: u64 = 32,
        field_name: eik_str = 40,
        len: u32 = 56,
        lb_nr: u32 = 60,
        record_type: u16 = 64,
        layout: u16 = 66,
        kind: u16 = 68,
        event_type: u8 = 70,
        flags: u8 = 71,
        field_no: u8 = 72,
        key_start: u8 = 73,
        key_len: u8 = 74,
        reserved: [u8; 5] = 75,
    }
    eik_batch = 40 {
        n_events: usize = 0,
        consumed: usize = 8,
        scratch: *const u8 = 16,
        scratch_len: usize = 24,
        done: u8 = 32,
        reserved: [u8; 7] = 33,
    }
    eik_type_count = 24 { decoded: u64 = 0, rejected: u64 = 8, record_type: u16 = 16, reserved: [u8; 6] = 18 }
    eik_counts = 840 {
        lines: u64 = 0,
        decoded: u64 = 8,
        rejected: u64 = 16,
        raw: u64 = 24,
        warnings: u64 = 32,
        errors: u64 = 40,
        suppressed: u64 = 48,
        bytes: u64 = 56,
        rejected_untyped: u64 = 64,
        by_type: [eik_type_count; EIK_COUNTS_TYPES] = 72,
    }
    eik_filter_counts = 80 {
        seen: u64 = 0,
        passed: u64 = 8,
        held: u64 = 16,
        cpr: u64 = 24,
        se: u64 = 32,
        record_type: u64 = 40,
        felt: u64 = 48,
        period: u64 = 56,
        parent_dropped: u64 = 64,
        empty_header: u64 = 72,
    }
    eik_family_info = 32 {
        name: eik_str = 0,
        n_layouts: u32 = 16,
        n_records: u32 = 20,
        separator: u8 = 24,
        has_line_numbers: u8 = 25,
        reserved: [u8; 6] = 26,
    }
    eik_layout = 64 {
        name: eik_str = 0,
        variant: eik_str = 16,
        key: eik_str = 32,
        index: u32 = 48,
        n_fields: u32 = 52,
        record_type: u16 = 56,
        length: u16 = 58,
        reserved: u32 = 60,
    }
    eik_field = 32 {
        name: eik_str = 0,
        start: u16 = 16,
        len: u16 = 18,
        no: u8 = 20,
        field_type: u8 = 21,
        format: u8 = 22,
        mandatory: u8 = 23,
        role: u8 = 24,
        decimals: u8 = 25,
        personal: u8 = 26,
        tail: u8 = 27,
        has_codes: u8 = 28,
        reserved: [u8; 3] = 29,
    }
    eik_kind_info = 56 {
        code: eik_str = 0,
        message: eik_str = 16,
        name: eik_str = 32,
        number: u16 = 48,
        severity: u8 = 50,
        reserved: [u8; 5] = 51,
    }
    eik_field_check = 24 {
        expected: u64 = 0,
        found: u64 = 8,
        at: u32 = 16,
        kind: u16 = 20,
        severity: u8 = 22,
        field_no: u8 = 23,
    }
}

#[cfg(test)]
mod tests {
    /// Every struct is listed whole: fields follow each other without gaps
    /// and end at the struct's size (a field missing from the list fails).
    #[test]
    fn fields_cover_every_struct() {
        for s in super::structs() {
            let mut at = 0;
            for f in &s.fields {
                assert_eq!(f.offset, at, "{}.{}: a gap or a missing field before it", s.name, f.name);
                at += f.size;
            }
            assert_eq!(at, s.size, "{}: fields end at {at}", s.name);
        }
    }
}
