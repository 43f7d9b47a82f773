//! The filter on testdata/sample.txt: each dimension by the exact lines that
//! come out, coherence, accounting per reason, projection byte by byte,
//! pseudonyms, and a property test that no profile lets a forbidden field
//! through.

use eindkomst_core::decoder::MAX_LINE;
use eindkomst_core::field::Date;
use eindkomst_core::filter::{
    fields, pseudonymise, Filter, FilterCounts, FilterOptions, OptionsError, Period, Profile, ProfileEntry, Reason,
    Verdict, FULL, MINIMAL,
};
use eindkomst_core::layout::EMPLOYER;
use eindkomst_core::testing::SAMPLE;
use eindkomst_core::{Counts, Decoder, Event};
use proptest::prelude::*;

/// One record that came out: its Lb_nr, type, projected line and pseudonym.
#[derive(Debug)]
struct Out {
    lb_nr: u32,
    rec: u16,
    line: Vec<u8>,
    pseudonym: Option<String>,
}

/// Decodes `input` through a filter with `opts`; returns what passed, the
/// filter's counts (after finish) and the decoder's.
fn run_on(input: &[u8], opts: FilterOptions<'_>) -> (Vec<Out>, FilterCounts, Counts) {
    let mut dec = Decoder::default();
    let mut filter = Filter::new(opts).unwrap();
    let projector = filter.projector();
    let mut buf = [0u8; MAX_LINE];
    let mut out = Vec::new();
    let mut rest = input;
    let mut finishing = false;
    loop {
        let event = if finishing {
            dec.finish()
        } else {
            let (event, used) = dec.decode(rest);
            rest = &rest[used..];
            event
        };
        match event {
            Event::Record(r) => {
                for rec in filter.record(&r) {
                    let p = projector.project(&rec, &mut buf).unwrap();
                    out.push(Out {
                        lb_nr: p.record.lb_nr(),
                        rec: p.record.record_type(),
                        line: p.record.bytes().to_vec(),
                        pseudonym: p.pseudonym.map(|s| s.to_string()),
                    });
                }
            }
            Event::NeedInput => finishing = true,
            Event::End => break,
            _ => {}
        }
    }
    filter.finish();
    (out, *filter.counts(), *dec.counts())
}

fn run(opts: FilterOptions<'_>) -> (Vec<Out>, FilterCounts, Counts) {
    run_on(SAMPLE, opts)
}

fn lb_nrs(out: &[Out]) -> Vec<u32> {
    out.iter().map(|o| o.lb_nr).collect()
}

/// Asserts the accounting: every decoded record passed or filtered out.
fn assert_balanced(f: &FilterCounts, d: &Counts) {
    assert_eq!(f.seen, d.decoded);
    assert_eq!(f.held, 0);
    assert_eq!(f.seen, f.passed + f.filtered_out());
    assert!(f.balanced());
}

fn counts(passed: u64, reasons: &[(Reason, u64)]) -> FilterCounts {
    let mut c = FilterCounts { seen: 27, passed, ..FilterCounts::default() };
    for &(r, n) in reasons {
        match r {
            Reason::Cpr => c.cpr = n,
            Reason::Se => c.se = n,
            Reason::RecordType => c.record_type = n,
            Reason::Felt => c.felt = n,
            Reason::Period => c.period = n,
            Reason::ParentDropped => c.parent_dropped = n,
            Reason::EmptyHeader => c.empty_header = n,
        }
    }
    c
}

/// The sample's line `lb_nr` (1-based), without its terminator.
fn sample_line(lb_nr: usize) -> &'static [u8] {
    SAMPLE.split(|&b| b == b'\n').nth(lb_nr - 1).unwrap()
}

#[test]
fn no_restriction_passes_every_record_unchanged() {
    let (out, f, d) = run(FilterOptions::default());
    assert_eq!(lb_nrs(&out), (1..=27).collect::<Vec<_>>());
    for o in &out {
        assert_eq!(o.line, sample_line(o.lb_nr as usize), "line {}", o.lb_nr);
        assert_eq!(o.pseudonym, None);
    }
    assert_eq!(f, counts(27, &[]));
    assert_balanced(&f, &d);
}

#[test]
fn cpr_set_keeps_one_person_and_drops_the_others_with_their_records() {
    let cprs = [*b"6101901234"];
    let (out, f, d) = run(FilterOptions { cprs: Some(&cprs), ..FilterOptions::default() });
    // 2101 of the person (3) and its 2111s; 3101 (6) names nobody; the 4101
    // (7) reverses another person; persons 21 (other CPR) and 25 (SE only)
    // go with their 8001/6001s.
    let kept: Vec<u32> = [1, 2, 3, 4, 5, 6].into_iter().chain(8..=20).chain([27]).collect();
    assert_eq!(lb_nrs(&out), kept);
    assert_eq!(f, counts(20, &[(Reason::Cpr, 3), (Reason::ParentDropped, 4)]));
    assert_balanced(&f, &d);
}

#[test]
fn cpr_set_keeps_a_reversal_of_a_listed_person() {
    let cprs = [*b"6512851234", *b"7204881234"];
    let (out, f, _) = run(FilterOptions { cprs: Some(&cprs), ..FilterOptions::default() });
    assert_eq!(lb_nrs(&out), vec![1, 2, 6, 7, 8, 21, 22, 23, 24, 27]);
    // 2101 (3) and persons 9 and 25 dropped for their CPR; 2111s and person
    // 9's 11 records with them.
    assert_eq!(f, counts(10, &[(Reason::Cpr, 3), (Reason::ParentDropped, 14)]));
}

#[test]
fn se_set_drops_the_employer_and_everything_under_it() {
    let other = [99_999_999u32];
    let (out, f, d) = run(FilterOptions { se_nrs: Some(&other), ..FilterOptions::default() });
    // Only the 9999 is left; the 1000 had nothing kept under it.
    assert_eq!(lb_nrs(&out), vec![27]);
    assert_eq!(f, counts(1, &[(Reason::Se, 1), (Reason::ParentDropped, 24), (Reason::EmptyHeader, 1)]));
    assert_balanced(&f, &d);

    let ours = [12_345_678u32, 99_999_999];
    let (out, f, _) = run(FilterOptions { se_nrs: Some(&ours), ..FilterOptions::default() });
    assert_eq!(out.len(), 27);
    assert_eq!(f, counts(27, &[]));
}

#[test]
fn record_types_keep_the_amounts_under_their_headers() {
    let types = [6001u16];
    let (out, f, d) = run(FilterOptions { record_types: Some(&types), ..FilterOptions::default() });
    assert_eq!(lb_nrs(&out), vec![1, 2, 8, 9, 10, 11, 12, 13, 21, 23, 24, 25, 26]);
    let recs: Vec<u16> = out.iter().map(|o| o.rec).collect();
    assert_eq!(recs, [1000, 2001, 5000, 6000, 6001, 6001, 6001, 6001, 6000, 6001, 6001, 6000, 6001]);
    // 2111 ×2, 3101, 4101, 6002-6005, 6102, 6202, 6111, 8001, 9999; the 2101
    // held as header of its 2111s ends empty.
    assert_eq!(f, counts(13, &[(Reason::RecordType, 13), (Reason::EmptyHeader, 1)]));
    assert_balanced(&f, &d);
}

#[test]
fn naming_6000_passes_persons_without_their_amounts() {
    let types = [6000u16];
    let (out, f, _) = run(FilterOptions { record_types: Some(&types), ..FilterOptions::default() });
    assert_eq!(lb_nrs(&out), vec![1, 2, 8, 9, 21, 25]);
    assert_eq!(f, counts(6, &[(Reason::RecordType, 20), (Reason::EmptyHeader, 1)]));
}

#[test]
fn felt_numbers_keep_those_amounts_only() {
    let felt = [15u16];
    let (out, f, d) = run(FilterOptions { feltnumre: Some(&felt), ..FilterOptions::default() });
    // Records without a Feltnummer (2101, 2111, 4101, 6102, 6202, 6111,
    // 8001) are not touched by this dimension; person 25 has only felt 14.
    assert_eq!(lb_nrs(&out), vec![1, 2, 3, 4, 5, 7, 8, 9, 11, 18, 19, 20, 21, 22, 24, 27]);
    assert_eq!(f, counts(16, &[(Reason::Felt, 10), (Reason::EmptyHeader, 1)]));
    assert_balanced(&f, &d);
}

#[test]
fn period_outside_drops_the_reports_and_company_amounts() {
    let december = Period::new(Date::new(2024, 12, 1).unwrap(), Date::new(2024, 12, 31).unwrap());
    let (out, f, d) = run(FilterOptions { period: Some(december), ..FilterOptions::default() });
    assert_eq!(lb_nrs(&out), vec![1, 2, 3, 4, 5, 7, 27]);
    assert_eq!(f, counts(7, &[(Reason::Period, 2), (Reason::ParentDropped, 18)]));
    assert_balanced(&f, &d);
}

#[test]
fn current_month_and_three_back_includes_january_2025_until_april() {
    let april = Period::months_back(Date::new(2025, 4, 30).unwrap(), 3);
    assert_eq!(april, Period { from: 20250101, to: 20250430 });
    let (out, _, _) = run(FilterOptions { period: Some(april), ..FilterOptions::default() });
    assert_eq!(out.len(), 27);

    let may = Period::months_back(Date::new(2025, 5, 1).unwrap(), 3);
    assert_eq!(may, Period { from: 20250201, to: 20250531 });
    let (out, f, _) = run(FilterOptions { period: Some(may), ..FilterOptions::default() });
    assert_eq!(out.len(), 7);
    assert_eq!(f.period, 2);
    // Across a year boundary and a leap February.
    assert_eq!(Period::months_back(Date::new(2024, 2, 10).unwrap(), 13), Period { from: 20230101, to: 20240229 });
}

#[test]
fn minimal_profile_keeps_identity_period_and_a_income_am_bidrag_only() {
    let (out, f, d) = run(FilterOptions { profile: MINIMAL, ..FilterOptions::default() });
    assert_eq!(lb_nrs(&out), vec![1, 2, 8, 9, 10, 12, 13, 21, 23, 25, 26, 27]);
    assert_eq!(f, counts(12, &[(Reason::RecordType, 12), (Reason::Felt, 2), (Reason::EmptyHeader, 1)]));
    assert_balanced(&f, &d);

    let blank = |n: usize| " ".repeat(n);
    let expected = [
        // 1000: Indberetter_SE_nr and CVR only.
        format!("00000011000{}1234567812345678{}", blank(14), blank(101)),
        // 2001: Virksomhed_SE_nr only.
        format!("00000022001{}12345678{}", blank(16), blank(4)),
        // 5000: the pay period only.
        format!("00000085000{}2025010120250131{}", blank(33), blank(15)),
        // 6000: CPR (and the empty SE-nr) only.
        format!("00000096000{}6101901234{}", blank(8), blank(8 + 58)),
        "0000010600100130000032500000000+".to_string(),
        "0000012600100160000002600000000+".to_string(),
        "0000013600100130000001250500000-".to_string(),
        format!("00000216000{}7204881234{}", blank(8), blank(8 + 58)),
        "0000023600100130000018000000000+".to_string(),
        // A company paid a fee: its SE-nr is its identity.
        format!("00000256000{}87654321{}", blank(8 + 10), blank(58)),
        "0000026600100140000002000000000+".to_string(),
        "00000279999".to_string() + "0000027",
    ];
    assert_eq!(out.len(), expected.len());
    for (o, want) in out.iter().zip(expected.iter()) {
        assert_eq!(String::from_utf8_lossy(&o.line), *want, "line {}", o.lb_nr);
    }
}

#[test]
fn profiles_combine_with_the_other_dimensions() {
    let cprs = [*b"7204881234"];
    let (out, f, _) = run(FilterOptions { cprs: Some(&cprs), profile: MINIMAL, ..FilterOptions::default() });
    assert_eq!(lb_nrs(&out), vec![1, 2, 8, 21, 23, 27]);
    // CPR: 2101 (3) and persons 9 and 25; under them the 2111s and every
    // record of persons 9 and 25 are parent-dropped, whatever their type;
    // record type: 3101, 4101, 8001; felt: 6001 felt 15 of person 21.
    assert_eq!(
        f,
        counts(6, &[(Reason::RecordType, 3), (Reason::Cpr, 3), (Reason::ParentDropped, 14), (Reason::Felt, 1)])
    );
}

#[test]
fn user_profile_blanks_exactly_the_forbidden_fields() {
    // Only the amount records, with Feltnummer and sign but not the amount.
    let table = [ProfileEntry { rec_nr: 6001, fields: fields(&[3, 5]) }];
    let profile = Profile { name: "signs", records: Some(&table), feltnumre: None };
    let (out, f, _) = run(FilterOptions { profile, ..FilterOptions::default() });
    assert_eq!(lb_nrs(&out), vec![1, 2, 8, 9, 10, 11, 12, 13, 21, 23, 24, 25, 26]);
    assert_eq!(f.passed, 13);
    // Headers outside the profile keep Lb_nr and Rec_nr only.
    assert_eq!(out[0].line, format!("00000011000{}", " ".repeat(131)).into_bytes());
    assert_eq!(out[3].line, format!("00000096000{}", " ".repeat(84)).into_bytes());
    assert_eq!(out[4].line, format!("00000106001{}{}+", "0013", " ".repeat(16)).into_bytes());
}

#[test]
fn pseudonym_replaces_the_cpr_and_is_stable_per_key() {
    let run_with = |key: &'static [u8]| {
        run(FilterOptions { pseudonym_key: Some(key), profile: MINIMAL, ..FilterOptions::default() }).0
    };
    let a = run_with(b"k1");
    let persons: Vec<(u32, Option<String>)> =
        a.iter().filter(|o| o.rec == 6000).map(|o| (o.lb_nr, o.pseudonym.clone())).collect();
    // HMAC-SHA-256, first 8 bytes in hex (checked against Python's hmac).
    assert_eq!(
        persons,
        [(9, Some("b03f4b3d244a8f61".to_string())), (21, Some("12c926969eec8dc0".to_string())), (25, None)]
    );
    assert_eq!(pseudonymise(b"k1", b"6101901234").as_str(), "b03f4b3d244a8f61");
    // The CPR field is blank; no CPR appears anywhere in the output.
    let person = a.iter().find(|o| o.lb_nr == 9).unwrap();
    assert_eq!(&person.line[19..29], b"          ");
    for o in &a {
        for cpr in [&b"6101901234"[..], b"7204881234", b"6512851234"] {
            assert!(!o.line.windows(10).any(|w| w == cpr), "CPR in line {}", o.lb_nr);
        }
    }
    // Same key, same pseudonyms; another key, other pseudonyms.
    let again = run_with(b"k1");
    let b = run_with(b"k2");
    for ((x, y), z) in a.iter().zip(&again).zip(&b) {
        assert_eq!(x.pseudonym, y.pseudonym);
        if x.pseudonym.is_some() {
            assert_ne!(x.pseudonym, z.pseudonym);
        }
    }
    assert_eq!(b[3].pseudonym.as_deref(), Some("0bb1381c56238201"));
}

#[test]
fn verdicts_name_the_reason() {
    let mut dec = Decoder::default();
    let se = [1u32];
    let mut filter = Filter::new(FilterOptions { se_nrs: Some(&se), ..FilterOptions::default() }).unwrap();
    let mut input = SAMPLE;
    let mut verdicts = Vec::new();
    while verdicts.len() < 4 {
        let (event, used) = dec.decode(input);
        input = &input[used..];
        if let Event::Record(r) = event {
            verdicts.push(filter.record(&r).verdict());
        }
    }
    assert_eq!(
        verdicts,
        [
            Verdict::Hold,
            Verdict::Drop(Reason::Se),
            Verdict::Drop(Reason::ParentDropped),
            Verdict::Drop(Reason::ParentDropped)
        ]
    );
    assert_eq!(filter.counts().held, 1);
    assert!(filter.counts().balanced());
}

#[test]
fn unsorted_sets_and_empty_periods_are_refused() {
    let cprs = [*b"7204881234", *b"6101901234"];
    let err = Filter::new(FilterOptions { cprs: Some(&cprs), ..FilterOptions::default() }).err();
    assert_eq!(err, Some(OptionsError::Unsorted("cprs")));
    let twice = [13u16, 13];
    let err = Filter::new(FilterOptions { feltnumre: Some(&twice), ..FilterOptions::default() }).err();
    assert_eq!(err, Some(OptionsError::Unsorted("feltnumre")));
    let table = [ProfileEntry { rec_nr: 6001, fields: 0 }, ProfileEntry { rec_nr: 1000, fields: 0 }];
    let profile = Profile { name: "x", records: Some(&table), feltnumre: None };
    let err = Filter::new(FilterOptions { profile, ..FilterOptions::default() }).err();
    assert_eq!(err, Some(OptionsError::Unsorted("profile records")));
    let backwards = Period { from: 20250201, to: 20250101 };
    let err = Filter::new(FilterOptions { period: Some(backwards), ..FilterOptions::default() }).err();
    assert_eq!(err, Some(OptionsError::EmptyPeriod));
}

#[test]
fn full_profile_permits_everything() {
    for layout in EMPLOYER.records {
        for f in layout.fields {
            assert!(FULL.permits(layout.rec_nr, f));
        }
    }
    let field = |rec: u16, no: u8| EMPLOYER.get(rec).unwrap().field(no).unwrap();
    assert!(MINIMAL.permits(6000, field(6000, 4)));
    assert!(!MINIMAL.permits(6000, field(6000, 6))); // employee number
    assert!(MINIMAL.permits(8001, field(8001, 1)) && !MINIMAL.permits(8001, field(8001, 6)));
    // Lb_nr only, never the name
}

/// A random profile: some record types, each with some fields; maybe felt numbers.
fn any_profile() -> impl Strategy<Value = (Vec<ProfileEntry>, Option<Vec<u16>>)> {
    let types: Vec<u16> = EMPLOYER.records.iter().map(|l| l.rec_nr).collect();
    (
        proptest::collection::btree_map(proptest::sample::select(types), any::<u64>(), 0..18),
        proptest::option::of(proptest::collection::btree_set(
            proptest::sample::select(vec![13u16, 14, 15, 16, 59, 63, 200, 209]),
            0..5,
        )),
    )
        .prop_map(|(m, felt)| {
            (
                m.into_iter().map(|(rec_nr, fields)| ProfileEntry { rec_nr, fields }).collect(),
                felt.map(|s| s.into_iter().collect()),
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Whatever the profile, every field it does not permit comes out blank,
    /// every permitted field comes out as it stands, and no record of a type
    /// outside the profile comes out except a container as a bare header.
    #[test]
    fn no_profile_lets_a_forbidden_field_through((table, felt) in any_profile(), pseudonymise_cpr in any::<bool>()) {
        let profile = Profile { name: "random", records: Some(&table), feltnumre: felt.as_deref() };
        let key: Option<&[u8]> = pseudonymise_cpr.then_some(b"key");
        let (out, f, d) = run(FilterOptions { profile, pseudonym_key: key, ..FilterOptions::default() });
        assert_balanced(&f, &d);
        for o in &out {
            let layout = EMPLOYER.get(o.rec).unwrap();
            let original = sample_line(o.lb_nr as usize);
            prop_assert_eq!(o.line.len(), original.len());
            if profile.fields(o.rec).is_none() {
                prop_assert!([1000, 2001, 5000, 2101, 6000].contains(&o.rec));
            }
            for fd in layout.fields {
                let got = &o.line[fd.range()];
                let permitted = profile.permits(o.rec, fd) && !(fd.personal && key.is_some());
                if permitted {
                    prop_assert_eq!(got, &original[fd.range()]);
                } else {
                    prop_assert!(got.iter().all(|&b| b == b' '), "record {} field {} not blank", o.rec, fd.no);
                }
            }
        }
    }
}

/// Counts allocations made by the thread that switched counting on (tests
/// run in parallel threads, so a global switch would count theirs too).
struct Counting;

static ALLOCATIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

thread_local! {
    static COUNTING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        if COUNTING.try_with(|c| c.get()).unwrap_or(false) {
            ALLOCATIONS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        // SAFETY: forwarding the caller's layout to the system allocator.
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn filtering_projecting_and_pseudonymising_allocate_nothing() {
    let cprs = [*b"6101901234", *b"7204881234"];
    let opts =
        FilterOptions { cprs: Some(&cprs), profile: MINIMAL, pseudonym_key: Some(b"key"), ..FilterOptions::default() };
    let mut filter = Filter::new(opts).unwrap();
    let projector = filter.projector();
    let mut dec = Decoder::default();
    let mut buf = [0u8; MAX_LINE];
    let mut kept = 0;
    let mut pseudonyms = 0;
    COUNTING.with(|c| c.set(true));
    let mut input = SAMPLE;
    loop {
        let (event, used) = dec.decode(input);
        input = &input[used..];
        match event {
            Event::Record(r) => {
                for rec in filter.record(&r) {
                    let p = projector.project(&rec, &mut buf).unwrap();
                    kept += 1;
                    pseudonyms += usize::from(p.pseudonym.is_some());
                }
            }
            Event::NeedInput => break,
            _ => {}
        }
    }
    filter.finish();
    COUNTING.with(|c| c.set(false));
    assert_eq!(ALLOCATIONS.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert_eq!((kept, pseudonyms), (10, 2));
}
