//! Static, NUL-terminated copies of the core's names, built once without heap
//! allocation.
//!
//! The core's strings (`&'static str`) carry no terminating NUL, but C wants
//! `const char*`. On first use, [`tables`] copies every layout name, field name,
//! error code and error message into one fixed arena inside a `static`
//! `OnceLock`, so the pointers handed to C are valid for the life of the
//! process and nothing has to be freed (and nothing shows up as a leak).

use std::ffi::c_char;
use std::sync::OnceLock;

use eindkomst_core::layout::{FieldDesc, RecordLayout, BUILTIN};

use crate::errors::{eik_error_kind, sample_kind, ALL_KINDS};

/// Bytes of NUL-terminated text; offset 0 holds the empty string.
const ARENA: usize = 8 * 1024;
/// Layouts (current and variants) the tables can hold.
const MAX_LAYOUTS: usize = 48;
/// Fields over all layouts the tables can hold.
const MAX_FIELDS: usize = 512;

#[derive(Clone, Copy)]
pub(crate) struct LayoutEntry {
    pub(crate) layout: Option<&'static RecordLayout>,
    pub(crate) name: u32,
    pub(crate) variant: u32,
    pub(crate) first_field: u32,
}

#[derive(Clone, Copy)]
pub(crate) struct FieldEntry {
    pub(crate) desc: Option<&'static FieldDesc>,
    pub(crate) name: u32,
}

/// Everything the C side needs as static text.
pub(crate) struct Tables {
    arena: [u8; ARENA],
    used: usize,
    /// Text that did not fit (reported by the tests, which require 0).
    pub(crate) overflow: usize,
    layouts: [LayoutEntry; MAX_LAYOUTS],
    pub(crate) n_layouts: usize,
    fields: [FieldEntry; MAX_FIELDS],
    n_fields: usize,
    /// (code, message) per [`eik_error_kind`] value.
    kinds: [(u32, u32); ALL_KINDS.len()],
}

static TABLES: OnceLock<Tables> = OnceLock::new();

/// The tables, built on first use (thread-safe).
pub(crate) fn tables() -> &'static Tables {
    TABLES.get_or_init(Tables::build)
}

impl Tables {
    fn build() -> Tables {
        let mut t = Tables {
            arena: [0; ARENA],
            used: 1, // arena[0] == 0: the empty string
            overflow: 0,
            layouts: [LayoutEntry { layout: None, name: 0, variant: 0, first_field: 0 }; MAX_LAYOUTS],
            n_layouts: 0,
            fields: [FieldEntry { desc: None, name: 0 }; MAX_FIELDS],
            n_fields: 0,
            kinds: [(0, 0); ALL_KINDS.len()],
        };
        // Order: current layouts, then variants (see `decoder::layout_index`).
        for layout in BUILTIN.records.iter().chain(BUILTIN.variants) {
            t.add_layout(layout);
        }
        for (i, &kind) in ALL_KINDS.iter().enumerate() {
            let (code, message) = match sample_kind(kind) {
                Some(k) => (k.code(), k.message()),
                None => ("unknown", "unknown error kind"),
            };
            let entry = (t.intern(code), t.intern(message));
            if let Some(slot) = t.kinds.get_mut(i) {
                *slot = entry;
            }
        }
        t
    }

    fn add_layout(&mut self, layout: &'static RecordLayout) {
        if self.n_layouts >= MAX_LAYOUTS || self.n_fields + layout.fields.len() > MAX_FIELDS {
            self.overflow += 1;
            return;
        }
        let entry = LayoutEntry {
            layout: Some(layout),
            name: self.intern(layout.name),
            variant: self.intern(layout.variant),
            first_field: self.n_fields as u32,
        };
        for f in layout.fields {
            let field = FieldEntry { desc: Some(f), name: self.intern(f.name) };
            if let Some(slot) = self.fields.get_mut(self.n_fields) {
                *slot = field;
                self.n_fields += 1;
            }
        }
        if let Some(slot) = self.layouts.get_mut(self.n_layouts) {
            *slot = entry;
            self.n_layouts += 1;
        }
    }

    /// Copies `s` and a NUL into the arena; the empty string when it does not
    /// fit or holds a NUL itself.
    fn intern(&mut self, s: &str) -> u32 {
        let bytes = s.as_bytes();
        if bytes.is_empty() {
            return 0;
        }
        if bytes.contains(&0) {
            self.overflow += 1;
            return 0;
        }
        let start = self.used;
        let end = start + bytes.len();
        match self.arena.get_mut(start..end + 1) {
            Some(dst) => {
                if let Some((last, text)) = dst.split_last_mut() {
                    text.copy_from_slice(bytes);
                    *last = 0;
                }
                self.used = end + 1;
                start as u32
            }
            None => {
                self.overflow += 1;
                0
            }
        }
    }

    /// The C string at arena offset `off`.
    pub(crate) fn cstr(&'static self, off: u32) -> *const c_char {
        match self.arena.get(off as usize..) {
            Some(s) => s.as_ptr().cast(),
            None => self.arena.as_ptr().cast(),
        }
    }

    /// The empty C string.
    pub(crate) fn empty(&'static self) -> *const c_char {
        self.arena.as_ptr().cast()
    }

    /// Layout `index` (current layouts first, then variants).
    pub(crate) fn layout(&self, index: usize) -> Option<&LayoutEntry> {
        self.layouts.get(..self.n_layouts)?.get(index)
    }

    /// Field `i` of layout entry `l`.
    pub(crate) fn field(&self, l: &LayoutEntry, i: usize) -> Option<&FieldEntry> {
        let n = l.layout?.fields.len();
        if i >= n {
            return None;
        }
        self.fields.get(l.first_field as usize + i)
    }

    /// The static C copy of a field name (as named in an error), or "".
    pub(crate) fn field_name(&'static self, name: &str) -> *const c_char {
        self.fields
            .get(..self.n_fields)
            .unwrap_or_default()
            .iter()
            .find(|f| f.desc.is_some_and(|d| d.name == name))
            .map_or(self.empty(), |f| self.cstr(f.name))
    }

    /// (code, message) of an error kind.
    pub(crate) fn kind_text(&'static self, kind: eik_error_kind) -> (*const c_char, *const c_char) {
        let (c, m) = self.kinds.get(kind as usize).copied().unwrap_or((0, 0));
        (self.cstr(c), self.cstr(m))
    }
}
