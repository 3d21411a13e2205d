//! The registry's records: validation, holders of a certificate over time, certificates
//! carried as retired.
#![cfg(test)]

mod tests {
    use crate::duty::period::Month;
    use crate::duty::registry::model::*;

    const SAMPLE: &str = r#"
[[unit]]
id = "ubnd-huong-xuan"
name = "UBND phường Hương Xuân"
kind = "commune"
certificates = ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]

[[leader]]
id = "nguyen-van-an"
name = "Nguyễn Văn An"
title = "Chủ tịch"
unit = "ubnd-huong-xuan"
from = "2020-01"
to = "2020-12"
certificates = ["bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"]
"#;

    #[test]
    fn parses_the_contract_example_and_finds_owners() {
        let r = Registry::from_toml(SAMPLE).unwrap();
        assert_eq!(
            r.owner_of(&"a".repeat(64)),
            Some(Owner::Unit("ubnd-huong-xuan".into()))
        );
        assert_eq!(
            r.owner_of(&"B".repeat(64)),
            Some(Owner::Leader("nguyen-van-an".into()))
        );
        let l = r.leader("nguyen-van-an").unwrap();
        assert!(l.in_office(Month::parse("2020-12").unwrap()));
        assert!(!l.in_office(Month::parse("2021-01").unwrap()));
        assert!(!l.in_office(Month::parse("2019-12").unwrap()));
    }

    #[test]
    fn refuses_inconsistent_registries() {
        let twice = SAMPLE.replace(&"b".repeat(64), &"a".repeat(64));
        assert!(Registry::from_toml(&twice)
            .unwrap_err()
            .to_string()
            .contains("enrolled to unit"));
        let orphan = SAMPLE.replace("unit = \"ubnd-huong-xuan\"", "unit = \"nowhere\"");
        assert!(Registry::from_toml(&orphan).is_err());
        let bad_month = SAMPLE.replace("2020-12", "2020-13");
        assert!(Registry::from_toml(&bad_month).is_err());
    }

    #[test]
    fn names_are_nfc_and_bounded() {
        // "Hương" with the combining form of the marks (NFD) becomes the composed form.
        let nfd = "UBND phu\u{31b}o\u{31b}\u{300}ng Hu\u{31b}o\u{31b}ng Xua\u{302}n";
        let r = Registry::from_toml(&SAMPLE.replace("UBND phường Hương Xuân", nfd)).unwrap();
        assert_eq!(r.units[0].name, "UBND phường Hương Xuân");
        let long = SAMPLE.replace("Chủ tịch", &"x".repeat(301));
        assert!(Registry::from_toml(&long).is_err());
        let empty = SAMPLE.replace("name = \"Nguyễn Văn An\"", "name = \"  \"");
        assert!(Registry::from_toml(&empty).is_err());
    }

    #[test]
    fn months_in_vietnam_time() {
        let t = time::macros::datetime!(2026-03-31 17:30 UTC); // 01/04 00:30 in Vietnam
        assert_eq!(Month::of_vietnam_time(t).to_string(), "2026-04");
        let t = time::macros::datetime!(2026-03-31 16:30 UTC); // 31/03 23:30 in Vietnam
        assert_eq!(Month::of_vietnam_time(t).to_string(), "2026-03");
        assert_eq!(
            Month::parse("2026-12").unwrap().next().to_string(),
            "2027-01"
        );
    }
}

mod holding_tests {
    use crate::duty::period::Month;
    use crate::duty::registry::model::*;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    fn unit_of(r: &Registry, c: &str, month: &str) -> String {
        match r.owners_in(c, m(month)).as_slice() {
            [Owner::Unit(u)] => u.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_token_that_moves_between_units_counts_for_the_unit_that_held_it() {
        let c = "c".repeat(64);
        let unit = |id: &str, certs: &[&str]| Unit {
            id: id.into(),
            name: id.to_uppercase(),
            kind: UnitKind::Commune,
            certificates: certs.iter().map(|c| c.to_string()).collect(),
            retired_certificates: Vec::new(),
            active: true,
            from: None,
            to: None,
            contact: None,
            order: None,
        };
        let mut r = Registry {
            units: vec![unit("a", &[&c]), unit("b", &[])],
            ..Registry::default()
        };
        let both = |a: &[&str], b: &[&str]| Registry {
            units: vec![unit("a", a), unit("b", b)],
            ..Registry::default()
        };
        // March: the token goes to B; August: back to A.
        r.merge(both(&[], &[&c]), m("2026-03")).unwrap();
        r.merge(both(&[&c], &[]), m("2026-08")).unwrap();
        assert_eq!(unit_of(&r, &c, "2026-02"), "a", "A held it until March");
        assert_eq!(unit_of(&r, &c, "2026-05"), "b");
        assert_eq!(unit_of(&r, &c, "2026-09"), "a");
        // A merged away at the end of October hands it to B in November.
        let mut a = r.units[0].clone();
        a.to = Some(m("2026-10"));
        r.merge(
            Registry {
                units: vec![a],
                ..Registry::default()
            },
            m("2026-11"),
        )
        .unwrap();
        let mut a = r.units[0].clone();
        a.certificates.clear();
        let mut b = r.units[1].clone();
        b.certificates = vec![c.clone()];
        r.merge(
            Registry {
                units: vec![a, b],
                ..Registry::default()
            },
            m("2026-11"),
        )
        .unwrap();
        assert_eq!(unit_of(&r, &c, "2026-10"), "a");
        assert_eq!(
            unit_of(&r, &c, "2026-11"),
            "b",
            "A is no longer required in November"
        );
        let lookup = crate::duty::registry::lookup::Lookup::of(&r);
        for month in ["2026-02", "2026-05", "2026-09", "2026-10", "2026-11"] {
            assert_eq!(
                crate::duty::registry::lookup::Owners::owners_in(&lookup, &c, m(month)),
                r.owners_in(&c, m(month)),
                "{month}"
            );
        }
    }
}

mod carry_tests {
    use crate::duty::period::Month;
    use crate::duty::registry::model::*;

    #[test]
    fn every_period_of_a_certificate_retired_twice_is_carried() {
        let m = |s: &str| Month::parse(s).unwrap();
        let old = vec![
            Retired {
                sha256: "c".into(),
                until: m("2026-03"),
            },
            Retired {
                sha256: "c".into(),
                until: m("2026-10"),
            },
        ];
        // A record sent without its retired certificates (a file, a form) keeps both periods.
        let mut new = Vec::new();
        carry_retired(&[], &old, &[], &mut new, m("2026-11"));
        assert_eq!(new, old);
        // Dropped again now, from a record that lists them: one more period, no duplicate.
        let mut new = old.clone();
        carry_retired(&["c".into()], &old, &[], &mut new, m("2026-12"));
        assert_eq!(new.len(), 3);
        assert_eq!(new[2].until, m("2026-12"));
    }
}
