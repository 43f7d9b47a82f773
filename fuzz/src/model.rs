//! A structured model of a valid eIndkomst file, for the encode → decode
//! round trip. Every value the fuzzer can build is valid by construction:
//! real dates and times, digits that fit their fields, codes drawn from the
//! layouts' value sets, non-blank text where a field is (third-party)
//! mandatory, amounts without sub-øre digits, at most three holiday records
//! per person, an 8001 right after its 6000 with a matching country, and the
//! 6000 layout the decoder will pick (pre-TIN for periods before July 2023
//! under the family's rules).
//!
//! [`FileModel::encode`] writes the file with the core's `Encoder` and returns,
//! per line, the field values the decoder must give back.

use crate::harness::Bytes;
use arbitrary::{Arbitrary, Result, Unstructured};
use eindkomst_core::encode::Encoder;
use eindkomst_core::field::{Date, Decimal, Time};
use eindkomst_core::layout::{FieldType, RecordLayout, EMPLOYER as BUILTIN};
use eindkomst_core::layouts as vs;
use eindkomst_core::Options;
use eindkomst_std::family::PersonLayout;
use std::fmt;

// ---------------------------------------------------------------- values

/// A number of at most `N` digits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Digits<const N: u32>(pub u64);

impl<'a, const N: u32> Arbitrary<'a> for Digits<N> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Digits(u.int_in_range(0..=10u64.pow(N) - 1)?))
    }
}

impl<const N: u32> fmt::Debug for Digits<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl<const N: u32> Digits<N> {
    /// The number without leading zeros: the encoder must zero-fill it.
    fn short(self) -> Vec<u8> {
        self.0.to_string().into_bytes()
    }
}

/// A calendar date between 1900 and 2099.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Ymd {
    /// Year.
    pub y: u16,
    /// Month.
    pub m: u8,
    /// Day.
    pub d: u8,
}

fn days_in(y: u16, m: u8) -> u8 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        _ => 31,
    }
}

impl<'a> Arbitrary<'a> for Ymd {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let y = u.int_in_range(1900..=2099)?;
        let m = u.int_in_range(1..=12)?;
        let d = u.int_in_range(1..=days_in(y, m))?;
        Ok(Ymd { y, m, d })
    }
}

impl fmt::Debug for Ymd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}{:02}{:02}", self.y, self.m, self.d)
    }
}

impl Ymd {
    fn n(self) -> u32 {
        self.y as u32 * 10_000 + self.m as u32 * 100 + self.d as u32
    }
    fn bytes(self) -> Vec<u8> {
        format!("{self:?}").into_bytes()
    }
    fn date(self) -> Date {
        Date { year: self.y, month: self.m, day: self.d }
    }
}

/// A time of day.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Hms(pub u8, pub u8, pub u8);

impl<'a> Arbitrary<'a> for Hms {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Hms(u.int_in_range(0..=23)?, u.int_in_range(0..=59)?, u.int_in_range(0..=59)?))
    }
}

impl fmt::Debug for Hms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}{:02}{:02}", self.0, self.1, self.2)
    }
}

/// A synthetic CPR number: day + 60 (61-91), so it can never be a real one.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Cpr {
    day: u8,
    month: u8,
    year: u8,
    seq: u16,
}

impl<'a> Arbitrary<'a> for Cpr {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Cpr {
            day: u.int_in_range(61..=91)?,
            month: u.int_in_range(1..=12)?,
            year: u.int_in_range(0..=99)?,
            seq: u.int_in_range(0..=9999)?,
        })
    }
}

impl fmt::Debug for Cpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}{:02}{:02}{:04}", self.day, self.month, self.year, self.seq)
    }
}

/// ISO-8859-1 printable text of at most `N` bytes; `REQ`: never blank.
#[derive(Clone, PartialEq, Eq)]
pub struct Text<const N: usize, const REQ: bool>(pub Vec<u8>);

fn printable(b: u8) -> u8 {
    if (0x20..0x7F).contains(&b) || b >= 0xA0 {
        b
    } else {
        0x20 + b % 0x5F
    }
}

impl<'a, const N: usize, const REQ: bool> Arbitrary<'a> for Text<N, REQ> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let len = u.int_in_range(usize::from(REQ)..=N)?;
        let mut t: Vec<u8> = u.bytes(len.min(u.len()))?.iter().map(|&b| printable(b)).collect();
        if REQ && t.iter().all(|&b| b == b' ') {
            if t.is_empty() {
                t.push(b'X');
            } else {
                t[0] = b'X';
            }
        }
        Ok(Text(t))
    }
}

impl<const N: usize, const REQ: bool> fmt::Debug for Text<N, REQ> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Bytes(&self.0).fmt(f)
    }
}

/// Declares a code drawn from one value set of the layouts.
macro_rules! code {
    ($name:ident, $set:expr) => {
        /// A code of this value set.
        #[derive(Clone, Copy, PartialEq, Eq)]
        pub struct $name(pub &'static str);
        impl<'a> Arbitrary<'a> for $name {
            fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
                Ok($name(u.choose($set.codes)?))
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:?}", self.0)
            }
        }
    };
}

code!(Indberettertype, vs::VS_INDBERETTERTYPE);
code!(TestProd, vs::VS_TEST_PROD);
code!(System, vs::VS_SYSTEM);
code!(OphoerLsb, vs::VS_OPHOER_LSB);
code!(Rettelse, vs::VS_RETTELSE);
code!(ForudBagud, vs::VS_FORUD_BAGUD);
code!(GlKommune, vs::VS_GROENLANDSK_KOMMUNE);
code!(Indkomsttype, vs::VS_INDKOMSTTYPE);
code!(Indtaegtsart, vs::VS_INDTAEGTSART);
code!(E101, vs::VS_E101);
code!(Koen, vs::VS_KOEN);
code!(Felt6001, vs::VS_FELTNR_6001);
code!(Felt6002, vs::VS_FELTNR_6002);
code!(Felt6003, vs::VS_FELTNR_6003);
code!(Felt6004, vs::VS_FELTNR_6004);
code!(Felt6005, vs::VS_FELTNR_6005);
code!(IlIndhold, vs::VS_IL_INDHOLDSTYPE);

/// A country code: a listed special code or two capital letters.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Country(pub [u8; 2]);

impl<'a> Arbitrary<'a> for Country {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        if u.ratio(1, 4)? {
            let c = u.choose(vs::VS_LANDEKODE.codes)?.as_bytes();
            return Ok(Country([c[0], c[1]]));
        }
        Ok(Country([b'A' + u.int_in_range(0..=25)?, b'A' + u.int_in_range(0..=25)?]))
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", Bytes(self.0))
    }
}

/// Ferieår: a year or the code 9999.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Ferieaar(pub Digits<4>);

impl<'a> Arbitrary<'a> for Ferieaar {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Ferieaar(if u.ratio(1, 5)? { Digits(9999) } else { Digits(u.int_in_range(1900..=2099)?) }))
    }
}

/// 16 amount digits and a sign; at decode time digits below 1 øre are zeroed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Arbitrary)]
pub struct Amount {
    /// The digits (fewer than 17).
    pub digits: Digits<16>,
    /// Negative.
    pub neg: bool,
}

/// A quantity of `N` digits with two decimals, and its sign.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Arbitrary)]
pub struct Qty<const N: u32> {
    /// The digits.
    pub digits: Digits<N>,
    /// Negative.
    pub neg: bool,
}

// ---------------------------------------------------------------- records

/// Decoder options of a round trip; a valid file must decode the same under all.
#[derive(Clone, Copy, Debug, Arbitrary)]
pub struct ModelOptions {
    /// Strict mode (must not stop on a valid file).
    pub strict: bool,
    /// Unknown codes reject (none are generated).
    pub unknown_codes_reject: bool,
    /// 6000 layout choice.
    pub person_layout: Pl,
    /// Amount scale, 0-16.
    pub amount_scale: Scale,
    /// CRLF line ends.
    pub crlf: bool,
    /// Omit the final line break.
    pub no_final_newline: bool,
    /// Also decode in chunks of this many bytes (0 = one byte at a time).
    pub chunk: u8,
}

/// `PersonLayout`, derivable.
#[derive(Clone, Copy, Debug, Arbitrary, PartialEq, Eq)]
pub enum Pl {
    /// By the family's rules (delivery date, then content).
    Auto,
    /// Always TIN.
    Current,
    /// Always v7.1.
    PreTin,
}

/// Amount scale 0-16.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scale(pub u8);

impl<'a> Arbitrary<'a> for Scale {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Scale(if u.ratio(1, 2)? { 6 } else { u.int_in_range(0..=16)? }))
    }
}

/// Record 1000.
#[derive(Clone, Debug, Arbitrary)]
pub struct Start {
    dato_sendt: Option<Ymd>,
    klok_sendt: Option<Hms>,
    se_nr: Digits<8>,
    cvr_nr: Option<Digits<8>>,
    indberettertype: Indberettertype,
    metode: Option<Digits<1>>,
    edb_system: Text<20, false>,
    edb_version: Text<20, false>,
    hoved_id: Text<16, false>,
    version: Text<3, false>,
    test_prod: TestProd,
    system: System,
}

/// Record 2001 and its reports.
#[derive(Clone, Debug, Arbitrary)]
pub struct Company {
    se_nr: Digits<8>,
    ophoer: OphoerLsb,
    valuta: Text<3, false>,
    reports: Vec<Report>,
}

/// Record 5000 and its persons.
#[derive(Clone, Debug, Arbitrary)]
pub struct Report {
    rettelse: Rettelse,
    indberetnings_id: Text<16, true>,
    reference_id: Text<16, false>,
    start: Ymd,
    end: Ymd,
    disposition: Option<Ymd>,
    forud_bagud: Option<ForudBagud>,
    gl_kommune: Option<GlKommune>,
    indkomsttype: Indkomsttype,
    persons: Vec<Person>,
}

/// Who a 6000 is about.
#[derive(Clone, Copy, Debug, Arbitrary)]
pub enum Identity {
    /// A person.
    Cpr(Cpr),
    /// A company paid a fee (SE-nr; 0 becomes 1).
    Se(Digits<8>),
    /// Both.
    Both(Cpr, Digits<8>),
}

/// Record 6000, its 8001 and its detail records.
#[derive(Clone, Debug, Arbitrary)]
pub struct Person {
    identity: Identity,
    zero_filler: bool,
    medarbejder_nr: Text<15, false>,
    tin: Text<27, false>,
    tin_land: Option<Country>,
    e101: E101,
    indtaegtsart: Option<Indtaegtsart>,
    p_nummer: Option<Digits<10>>,
    address: Option<Address>,
    details: Vec<Detail>,
}

/// Record 8001.
#[derive(Clone, Debug, Arbitrary)]
pub struct Address {
    born: Ymd,
    koen: Koen,
    land: Country,
    navn: Text<40, true>,
    adresse: Text<40, true>,
    postnr: Text<9, true>,
    postby: Text<35, true>,
}

/// Records under a 6000.
#[derive(Clone, Debug, Arbitrary)]
pub enum Detail {
    /// 6001 amount.
    Amount(Felt6001, Amount),
    /// 6002 code.
    Code(Felt6002, Text<10, true>),
    /// 6003 cross.
    Cross(Felt6003, Text<1, true>),
    /// 6004 text.
    Text(Felt6004, Text<58, true>),
    /// 6005 quantity.
    Quantity(Felt6005, Qty<8>),
    /// 6102 or 6202 holiday pay (at most three per person are written).
    Holiday {
        /// 6202 instead of 6102.
        second: bool,
        /// Beloeb_feriepenge.
        amount: Amount,
        /// Feriedage.
        days: Qty<4>,
        /// Ferieår.
        year: Ferieaar,
        /// Fratrædelsesdato (None: zero-filled, "not given").
        left: Option<Ymd>,
    },
    /// 6111.
    Il {
        /// IL-indholdstype.
        kind: IlIndhold,
        /// Antal enheder and its sign.
        units: Option<(Digits<10>, bool)>,
        /// Beløb.
        amount: Option<Amount>,
    },
}

/// A whole valid file.
#[derive(Clone, Debug, Arbitrary)]
pub struct FileModel {
    /// Decoder and encoder settings.
    pub opts: ModelOptions,
    /// The 1000.
    pub start: Start,
    /// The first company (a file has at least one).
    pub first: Company,
    /// More companies.
    pub more: Vec<Company>,
}

// ---------------------------------------------------------------- encoding

/// A value the decoder must give back for a field (owned `Value`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Want {
    /// Blank or zero date.
    Absent,
    /// Trimmed text.
    Text(Vec<u8>),
    /// A number.
    Number(u64),
    /// A date.
    Date(Date),
    /// A time.
    Time(Time),
    /// An amount or quantity.
    Decimal(Decimal),
}

/// One line as the model wrote it.
#[derive(Clone, Debug)]
pub struct Line {
    /// Layout (variant included).
    pub layout: &'static RecordLayout,
    /// Field values as given to the encoder.
    pub values: Vec<(u8, Vec<u8>)>,
    /// What `Record::value` must return, per field.
    pub wants: Vec<(u8, Want)>,
}

impl Line {
    fn new(layout: &'static RecordLayout) -> Line {
        Line { layout, values: Vec::new(), wants: Vec::new() }
    }

    fn set(&mut self, no: u8, bytes: Vec<u8>, want: Want) -> &mut Self {
        assert!(self.layout.field(no).is_some(), "model bug: record {} has no field {no}", self.layout.rec_nr);
        self.values.push((no, bytes));
        self.wants.push((no, want));
        self
    }

    fn num<const N: u32>(&mut self, no: u8, d: Digits<N>) -> &mut Self {
        self.set(no, d.short(), Want::Number(d.0))
    }

    /// A number in field `no` with its sign in `no + 1`: the decoder's
    /// value carries the sign (`Decimal` of scale 0), as for amounts.
    fn signed_num<const N: u32>(&mut self, no: u8, d: Digits<N>, neg: bool) -> &mut Self {
        let units = d.0 as i64;
        self.set(no, d.short(), Want::Decimal(Decimal { units: if neg { -units } else { units }, scale: 0 }));
        self.sign(no + 1, neg)
    }

    fn opt_num<const N: u32>(&mut self, no: u8, d: Option<Digits<N>>) -> &mut Self {
        match d {
            Some(d) => self.num(no, d),
            None => self.set(no, Vec::new(), Want::Absent),
        }
    }

    fn date(&mut self, no: u8, d: Option<Ymd>) -> &mut Self {
        match d {
            Some(d) => self.set(no, d.bytes(), Want::Date(d.date())),
            // Zero-filled: "not given" in a field that is not official-mandatory.
            None => self.set(no, b"0".to_vec(), Want::Absent),
        }
    }

    fn blank_date(&mut self, no: u8, d: Option<Ymd>) -> &mut Self {
        match d {
            Some(d) => self.date(no, Some(d)),
            None => self.set(no, Vec::new(), Want::Absent),
        }
    }

    fn text<const N: usize, const R: bool>(&mut self, no: u8, t: &Text<N, R>) -> &mut Self {
        let trimmed = trim(&t.0);
        let want = if trimmed.is_empty() { Want::Absent } else { Want::Text(trimmed.to_vec()) };
        self.set(no, t.0.clone(), want)
    }

    fn code(&mut self, no: u8, code: &str) -> &mut Self {
        let numeric = self.layout.field(no).map(|f| f.ty) == Some(FieldType::Numeric);
        let trimmed = trim(code.as_bytes()).to_vec();
        let want = if trimmed.is_empty() {
            Want::Absent
        } else if numeric {
            Want::Number(code.parse().expect("numeric code"))
        } else {
            Want::Text(trimmed)
        };
        self.set(no, code.as_bytes().to_vec(), want)
    }

    fn opt_code(&mut self, no: u8, code: Option<&str>) -> &mut Self {
        match code {
            Some(c) => self.code(no, c),
            None => self.set(no, Vec::new(), Want::Absent),
        }
    }

    /// A 16-digit amount in field `no` with its sign in `no + 1`.
    fn amount(&mut self, no: u8, a: Amount, scale: u8) -> &mut Self {
        let mut digits = a.digits.0;
        if scale > 2 {
            // No digits below 1 øre (they would rightly give a warning).
            let sub = 10u64.pow(scale as u32 - 2);
            digits = digits / sub * sub;
        }
        let units = digits as i64;
        self.set(
            no,
            digits.to_string().into_bytes(),
            Want::Decimal(Decimal { units: if a.neg { -units } else { units }, scale }),
        );
        self.sign(no + 1, a.neg)
    }

    fn qty<const N: u32>(&mut self, no: u8, q: Qty<N>) -> &mut Self {
        let units = q.digits.0 as i64;
        self.set(no, q.digits.short(), Want::Decimal(Decimal { units: if q.neg { -units } else { units }, scale: 2 }));
        self.sign(no + 1, q.neg)
    }

    fn sign(&mut self, no: u8, neg: bool) -> &mut Self {
        let s: &[u8] = if neg { b"-" } else { b"+" };
        self.set(no, s.to_vec(), Want::Text(s.to_vec()))
    }
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|&c| c != b' ').unwrap_or(b.len());
    let end = b.iter().rposition(|&c| c != b' ').map_or(start, |e| e + 1);
    &b[start..end]
}

fn layout(rec: u16) -> &'static RecordLayout {
    BUILTIN.get(rec).expect("built-in layout")
}

/// An encoded model: the file's bytes and what each line must decode to.
pub struct Encoded {
    /// The file.
    pub bytes: Vec<u8>,
    /// Per line (the 9999 included), in order.
    pub lines: Vec<Line>,
    /// Stream offset of each line.
    pub offsets: Vec<u64>,
}

impl FileModel {
    /// Decoder options for this model.
    pub fn options(&self) -> Options {
        let opts = Options {
            strict: self.opts.strict,
            base64: false,
            amount_scale: self.opts.amount_scale.0,
            unknown_codes_reject: self.opts.unknown_codes_reject,
            ..Options::default()
        };
        let person = match self.opts.person_layout {
            Pl::Auto => PersonLayout::Auto,
            Pl::Current => PersonLayout::Current,
            Pl::PreTin => PersonLayout::PreTin,
        };
        person.apply(opts).expect("employer 6000 variants")
    }

    /// Whether a person is written with the pre-TIN 6000: the employer
    /// family's variant rules (core/families/employer.json). Auto: by the
    /// 1000's Dato_sendt (on or after 2024-07-01 current, before 2023-07-01
    /// pre-TIN), in between by content (a TIN_landekode means current),
    /// without a date current.
    fn pre_tin(&self, p: &Person) -> bool {
        match self.opts.person_layout {
            Pl::Current => false,
            Pl::PreTin => true,
            Pl::Auto => match self.start.dato_sendt.map(|d| d.n()) {
                Some(d) if d >= 20240701 => false,
                Some(d) if d < 20230701 => true,
                Some(_) => p.tin_land.is_none(),
                None => false,
            },
        }
    }

    /// The model's lines, in file order (9999 not included).
    pub fn lines(&self) -> Vec<Line> {
        let scale = self.opts.amount_scale.0;
        let mut out = Vec::new();
        let s = &self.start;
        let mut l = Line::new(layout(1000));
        l.blank_date(3, s.dato_sendt);
        match s.klok_sendt {
            Some(t) => {
                l.set(4, format!("{t:?}").into_bytes(), Want::Time(Time { hour: t.0, minute: t.1, second: t.2 }))
            }
            None => l.set(4, Vec::new(), Want::Absent),
        };
        l.num(5, s.se_nr)
            .opt_num(6, s.cvr_nr)
            .code(7, s.indberettertype.0)
            .opt_num(9, s.metode)
            .text(10, &s.edb_system)
            .text(11, &s.edb_version)
            .text(12, &s.hoved_id)
            .text(13, &s.version)
            .code(14, s.test_prod.0)
            .code(16, s.system.0);
        out.push(l);

        for c in std::iter::once(&self.first).chain(&self.more) {
            let mut l = Line::new(layout(2001));
            l.num(4, c.se_nr).code(5, c.ophoer.0).text(6, &c.valuta);
            out.push(l);
            for r in &c.reports {
                let mut l = Line::new(layout(5000));
                l.code(3, r.rettelse.0)
                    .text(4, &r.indberetnings_id)
                    .text(5, &r.reference_id)
                    .date(6, Some(r.start))
                    .date(7, Some(r.end))
                    .blank_date(8, r.disposition)
                    .opt_code(10, r.forud_bagud.map(|c| c.0))
                    .opt_code(11, r.gl_kommune.map(|c| c.0))
                    .code(12, r.indkomsttype.0);
                out.push(l);
                for p in &r.persons {
                    self.person(p, self.pre_tin(p), scale, &mut out);
                }
            }
        }
        out
    }

    fn person(&self, p: &Person, pre_tin: bool, scale: u8, out: &mut Vec<Line>) {
        let lay = if pre_tin { BUILTIN.variant(6000, "v7.1").expect("v7.1 layout") } else { layout(6000) };
        let mut l = Line::new(lay);
        if p.zero_filler {
            l.values.push((3, b"0".to_vec()));
        }
        let se = |d: Digits<8>| Digits::<8>(d.0.max(1));
        let cpr = |c: Cpr| {
            let s = format!("{c:?}");
            (s.clone().into_bytes(), Want::Number(s.parse().expect("cpr")))
        };
        match p.identity {
            Identity::Cpr(c) => {
                let (b, w) = cpr(c);
                l.set(4, b, w).set(5, Vec::new(), Want::Absent);
            }
            Identity::Se(s) => {
                l.set(4, Vec::new(), Want::Absent).num(5, se(s));
            }
            Identity::Both(c, s) => {
                let (b, w) = cpr(c);
                l.set(4, b, w).num(5, se(s));
            }
        }
        l.text(6, &p.medarbejder_nr);
        let mut country = None;
        if pre_tin {
            l.code(7, p.e101.0);
        } else {
            l.text(7, &p.tin);
            match p.tin_land {
                Some(c) => {
                    country = Some(c);
                    l.set(8, c.0.to_vec(), Want::Text(c.0.to_vec()));
                }
                None => {
                    l.set(8, Vec::new(), Want::Absent);
                }
            }
        }
        l.opt_code(10, p.indtaegtsart.map(|c| c.0)).opt_num(11, p.p_nummer);
        out.push(l);

        if let Some(a) = &p.address {
            let land = country.unwrap_or(a.land);
            let mut l = Line::new(layout(8001));
            l.date(3, Some(a.born))
                .code(4, a.koen.0)
                .set(5, land.0.to_vec(), Want::Text(land.0.to_vec()))
                .text(6, &a.navn)
                .text(7, &a.adresse)
                .text(8, &a.postnr)
                .text(9, &a.postby);
            out.push(l);
        }

        let mut holidays = 0;
        for d in &p.details {
            let l = match d {
                Detail::Amount(f, a) => {
                    let mut l = Line::new(layout(6001));
                    l.code(3, f.0).amount(4, *a, scale);
                    l
                }
                Detail::Code(f, t) => {
                    let mut l = Line::new(layout(6002));
                    l.code(3, f.0).text(4, t);
                    l
                }
                Detail::Cross(f, t) => {
                    let mut l = Line::new(layout(6003));
                    l.code(3, f.0).text(4, t);
                    l
                }
                Detail::Text(f, t) => {
                    let mut l = Line::new(layout(6004));
                    l.code(3, f.0).text(4, t);
                    l
                }
                Detail::Quantity(f, q) => {
                    let mut l = Line::new(layout(6005));
                    l.code(3, f.0).qty(4, *q);
                    l
                }
                Detail::Holiday { second, amount, days, year, left } => {
                    holidays += 1;
                    if holidays > 3 {
                        continue; // a fourth would rightly give a warning
                    }
                    let mut l = Line::new(layout(if *second { 6202 } else { 6102 }));
                    l.amount(3, *amount, scale).qty(5, *days).num(7, year.0).date(8, *left);
                    l
                }
                Detail::Il { kind, units, amount } => {
                    let mut l = Line::new(layout(6111));
                    l.code(3, kind.0);
                    match units {
                        Some((n, neg)) => {
                            l.signed_num(4, *n, *neg);
                        }
                        None => {
                            l.set(4, Vec::new(), Want::Absent).set(5, Vec::new(), Want::Absent);
                        }
                    }
                    match amount {
                        Some(a) => {
                            l.amount(6, *a, scale);
                        }
                        None => {
                            l.set(6, Vec::new(), Want::Absent).set(7, Vec::new(), Want::Absent);
                        }
                    }
                    l
                }
            };
            out.push(l);
        }
    }

    /// Writes the file with the core's encoder.
    pub fn encode(&self) -> Encoded {
        let mut enc = Encoder::new();
        if self.opts.crlf {
            enc = enc.with_crlf();
        }
        let mut lines = self.lines();
        let mut bytes = Vec::new();
        let mut offsets = Vec::new();
        let mut buf = [0u8; 600];
        for l in &lines {
            let values: Vec<(u8, &[u8])> = l.values.iter().map(|(n, v)| (*n, v.as_slice())).collect();
            let n = enc.record(l.layout, &values, &mut buf).unwrap_or_else(|e| panic!("encoder refused {l:?}: {e:?}"));
            offsets.push(bytes.len() as u64);
            bytes.extend_from_slice(&buf[..n]);
        }
        let count = lines.len() as u64 + 1;
        let n = enc.end(&mut buf).expect("9999");
        offsets.push(bytes.len() as u64);
        bytes.extend_from_slice(&buf[..n]);
        let mut end = Line::new(layout(9999));
        end.set(3, count.to_string().into_bytes(), Want::Number(count));
        lines.push(end);
        if self.opts.no_final_newline {
            bytes.pop();
            if self.opts.crlf {
                bytes.pop();
            }
        }
        Encoded { bytes, lines, offsets }
    }
}

/// The bytes field `no` must hold: numbers right-aligned and zero-filled, text
/// left-aligned and blank-filled, absent values blank.
pub fn padded(layout: &RecordLayout, no: u8, value: &[u8]) -> Vec<u8> {
    let f = layout.field(no).expect("field");
    let len = f.len as usize;
    let mut out = vec![b' '; len];
    if value.is_empty() {
        return out;
    }
    match f.ty {
        FieldType::Numeric => {
            out.fill(b'0');
            out[len - value.len()..].copy_from_slice(value);
        }
        FieldType::Alpha => out[..value.len()].copy_from_slice(value),
    }
    out
}
