//! Form filling after a signature (ISO 32000-2 §12.8.2.2: allowed unless a certification says
//! P=1 or a FieldMDP lock covers the field) against the shadow attack "replace": a form whose
//! text field already held the attacker's value when it was signed, drawn as something else;
//! after signing only its appearance is drawn again, and the page shows the attacker's text.
//! A new value with its new appearance is form filling; a new appearance for the value that
//! was signed is refused, as EU DSS flags it. The form is made here and signed by `openssl
//! cms`; the updates are written as a filler would write them.

#[path = "common/hostile_pdf.rs"]
mod hostile_pdf;
#[path = "common/ocsp_pki.rs"]
mod ocsp_pki;

use hostile_pdf::with_update;
use ocsp_pki::*;
use std::path::Path;
use std::process::Command;

/// A one-page form: a text field "HoTen" showing `shown` while its value is `value`, and an
/// empty-looking signature field holding the signature.
fn form(value: &str, shown: &str) -> Vec<String> {
    let stream = format!("BT /Helv 10 Tf 2 4 Td ({shown}) Tj ET");
    vec![
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R 6 0 R] /SigFlags 3 >> >>".into(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R 6 0 R] >>".into(),
        "<< /Type /Annot /Subtype /Widget /FT /Sig /Rect [0 0 0 0] /T (Chu ky) /P 3 0 R /V 5 0 R /F 132 >>".into(),
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 ########## ########## ##########] /Contents <PLACEHOLDER> >>".into(),
        format!("<< /Type /Annot /Subtype /Widget /FT /Tx /T (HoTen) /V ({value}) /Rect [10 150 190 170] /P 3 0 R /F 4 /AP << /N 7 0 R >> >>"),
        format!("<< /Type /XObject /Subtype /Form /BBox [0 0 180 20] /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
    ]
}

/// A new appearance stream (object 8) showing `shown`, and the field (object 6) with `value`
/// and that appearance.
fn filled(value: &str, shown: &str) -> [(usize, String); 2] {
    let stream = format!("BT /Helv 10 Tf 2 4 Td ({shown}) Tj ET");
    [
        (
            8,
            format!("<< /Type /XObject /Subtype /Form /BBox [0 0 180 20] /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        ),
        (
            6,
            format!("<< /Type /Annot /Subtype /Widget /FT /Tx /T (HoTen) /V ({value}) /Rect [10 150 190 170] /P 3 0 R /F 4 /AP << /N 8 0 R >> >>"),
        ),
    ]
}

fn verify(dir: &Path, pdf: &[u8]) -> serde_json::Value {
    std::fs::write(dir.join("doc.pdf"), pdf).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["verify", "--json", "--trust", "root.pem", "doc.pdf"])
        .current_dir(dir)
        .env_remove("KYSO_CONFIG")
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn filling_is_allowed_and_a_new_appearance_for_the_signed_value_is_not() {
    let Some(dir) = setup("form-fill") else {
        return;
    };
    roots(&dir);
    leaf(&dir, "signer", free_port());
    // The honest form: its field shows its value.
    let objects: Vec<String> = form("Nguyen Van A", "Nguyen Van A")
        .into_iter()
        .map(|o| o.replace("PLACEHOLDER", &"0".repeat(16384)))
        .collect();
    let honest = sign_objects(&dir, "signer", &objects, None, None);
    assert_eq!(verify(&dir, &honest)["verdict"], "valid");
    let update = |base: &[u8], objs: &[(usize, String)]| {
        let refs: Vec<(usize, &str)> = objs.iter().map(|(n, b)| (*n, b.as_str())).collect();
        with_update(base, &refs, None)
    };
    // Form filling: a new value, drawn.
    let r = verify(&dir, &update(&honest, &filled("Tran Van B", "Tran Van B")));
    assert_eq!(r["verdict"], "valid", "{r}");
    assert_eq!(
        r["signatures"][0]["modifications_after"], "permitted",
        "{r}"
    );

    // The shadow attack: signed while the value was already the attacker's text and the
    // appearance showed the honest one; afterwards only the appearance is drawn again.
    let objects: Vec<String> = form("Chuyen 500 trieu", "Nguyen Van A")
        .into_iter()
        .map(|o| o.replace("PLACEHOLDER", &"0".repeat(16384)))
        .collect();
    let shadowed = sign_objects(&dir, "signer", &objects, None, None);
    assert_eq!(verify(&dir, &shadowed)["verdict"], "valid");
    let r = verify(
        &dir,
        &update(&shadowed, &filled("Chuyen 500 trieu", "Chuyen 500 trieu")),
    );
    assert_eq!(r["verdict"], "invalid", "{r}");
    let problems = r["signatures"][0]["problems"].to_string();
    assert!(
        problems.contains("modified_after_signing") && problems.contains("shadow attack"),
        "{problems}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// ISO 32000-2 §7.12: the catalog's `/Extensions` (here its own object) may gain a developer
/// extension after signing (PAdES's `/ESIC`), since it holds only versions and levels; a
/// dictionary that holds anything else cannot pass for it.
#[test]
fn developer_extensions_may_grow_and_nothing_else_passes_for_them() {
    let Some(dir) = setup("extensions") else {
        return;
    };
    roots(&dir);
    leaf(&dir, "signer", free_port());
    let mut objects: Vec<String> = form("Nguyen Van A", "Nguyen Van A")
        .into_iter()
        .map(|o| o.replace("PLACEHOLDER", &"0".repeat(16384)))
        .collect();
    objects[0] = objects[0].replace("/Type /Catalog", "/Type /Catalog /Extensions 8 0 R");
    objects.push("<< /ADBE << /BaseVersion /1.7 /ExtensionLevel 3 >> >>".into());
    let signed = sign_objects(&dir, "signer", &objects, None, None);
    assert_eq!(verify(&dir, &signed)["verdict"], "valid");
    let esic = "<< /ADBE << /BaseVersion /1.7 /ExtensionLevel 3 >> /ESIC << /BaseVersion /1.7 /ExtensionLevel 2 >> >>";
    let r = verify(&dir, &with_update(&signed, &[(8, esic)], None));
    assert_eq!(r["verdict"], "valid", "{r}");
    let other = "<< /ADBE << /BaseVersion /1.7 /ExtensionLevel 3 >> /Font << /F1 7 0 R >> >>";
    let r = verify(&dir, &with_update(&signed, &[(8, other)], None));
    assert_eq!(r["verdict"], "invalid", "{r}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// ISO 32000-2 §7.8.3: a page's resources that only gain names after signing (a later signer
/// adding a font) draw nothing new, since the signed content streams cannot name them; a
/// resource that changes is refused, in the page itself or kept as its own object.
#[test]
fn resources_may_gain_names_and_not_change_them() {
    let Some(dir) = setup("resources") else {
        return;
    };
    roots(&dir);
    leaf(&dir, "signer", free_port());
    let mut objects: Vec<String> = form("Nguyen Van A", "Nguyen Van A")
        .into_iter()
        .map(|o| o.replace("PLACEHOLDER", &"0".repeat(16384)))
        .collect();
    let page = |resources: &str| {
        format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R 6 0 R] /Resources {resources} >>")
    };
    objects[2] = page("<< /Font << /F1 8 0 R >> >>");
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into());
    objects.push("<< /Font << /F1 8 0 R >> >>".into()); // object 9, unused until the second form
    let signed = sign_objects(&dir, "signer", &objects, None, None);
    assert_eq!(verify(&dir, &signed)["verdict"], "valid");
    let font = "<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>";
    let grown = page("<< /Font << /F1 8 0 R /F2 10 0 R >> >>");
    let r = verify(
        &dir,
        &with_update(&signed, &[(10, font), (3, &grown)], None),
    );
    assert_eq!(r["verdict"], "valid", "{r}");
    let swapped = page("<< /Font << /F1 10 0 R >> >>");
    let r = verify(
        &dir,
        &with_update(&signed, &[(10, font), (3, &swapped)], None),
    );
    assert_eq!(r["verdict"], "invalid", "{r}");

    // The same with the resources as their own object (9).
    objects[2] = page("9 0 R");
    let signed = sign_objects(&dir, "signer", &objects, None, None);
    assert_eq!(verify(&dir, &signed)["verdict"], "valid");
    let grown = "<< /Font << /F1 8 0 R /F2 10 0 R >> >>";
    let r = verify(&dir, &with_update(&signed, &[(10, font), (9, grown)], None));
    assert_eq!(r["verdict"], "valid", "{r}");
    let swapped = "<< /Font << /F1 10 0 R >> >>";
    let r = verify(
        &dir,
        &with_update(&signed, &[(10, font), (9, swapped)], None),
    );
    assert_eq!(r["verdict"], "invalid", "{r}");

    // And with the /Font category as its own object (11): it may gain a name; a font it names
    // may not be swapped, not even for a font dictionary holding all of the old one's entries.
    objects[2] = page("<< /Font 11 0 R >>");
    objects.push("<< /Unused true >>".into()); // object 10
    objects.push("<< /F1 8 0 R >>".into()); // object 11
    let signed = sign_objects(&dir, "signer", &objects, None, None);
    assert_eq!(verify(&dir, &signed)["verdict"], "valid");
    let r = verify(
        &dir,
        &with_update(
            &signed,
            &[(12, font), (11, "<< /F1 8 0 R /F2 12 0 R >>")],
            None,
        ),
    );
    assert_eq!(r["verdict"], "valid", "{r}");
    let superset = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FontDescriptor 10 0 R >>";
    let r = verify(
        &dir,
        &with_update(&signed, &[(12, superset), (11, "<< /F1 12 0 R >>")], None),
    );
    assert_eq!(r["verdict"], "invalid", "{r}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The appearance stream (object 7) of field HoTen drawing `shown`, written anew under its own
/// number, as a filler that overwrites the appearance in place writes it.
fn stream_7(shown: &str) -> String {
    let stream = format!("BT /Helv 10 Tf 2 4 Td ({shown}) Tj ET");
    format!(
        "<< /Type /XObject /Subtype /Form /BBox [0 0 180 20] /Length {} >>\nstream\n{stream}\nendstream",
        stream.len()
    )
}

/// Field HoTen (object 6) with `value`, its appearance still object 7.
fn field_6(value: &str) -> String {
    format!("<< /Type /Annot /Subtype /Widget /FT /Tx /T (HoTen) /V ({value}) /Rect [10 150 190 170] /P 3 0 R /F 4 /AP << /N 7 0 R >> >>")
}

/// The signed form, its objects edited by `edit` first, and `extra` in its trailer.
fn signed_form(dir: &Path, edit: impl Fn(&mut Vec<String>), extra: &str) -> Vec<u8> {
    let mut objects: Vec<String> = form("Nguyen Van A", "Nguyen Van A")
        .into_iter()
        .map(|o| o.replace("PLACEHOLDER", &"0".repeat(16384)))
        .collect();
    edit(&mut objects);
    let signed = sign_objects_trailer(dir, "signer", &objects, (None, None), extra);
    assert_eq!(verify(dir, &signed)["verdict"], "valid");
    signed
}

/// ISO 32000-2 §12.5.5, §12.8.2.2: a filler may overwrite the appearance stream of the field it
/// fills under the same object number (pyHanko accepts it): that is form filling when the
/// field gets a new value and nothing else in the signed revision uses that stream. The same
/// rewrite without a new value, or of a stream that the catalog, a trailer or another widget
/// also uses, changes what was signed and is refused.
#[test]
fn an_appearance_rewritten_in_place_is_filling_only_when_nothing_else_uses_it() {
    let Some(dir) = setup("ap-in-place") else {
        return;
    };
    roots(&dir);
    leaf(&dir, "signer", free_port());
    let fill = [(6, field_6("Tran Van B")), (7, stream_7("Tran Van B"))];
    let fill: Vec<(usize, &str)> = fill.iter().map(|(n, b)| (*n, b.as_str())).collect();
    let first = |r: &serde_json::Value| r["signatures"][0]["modifications_after"].clone();

    let plain = signed_form(&dir, |_| {}, "");
    let r = verify(&dir, &with_update(&plain, &fill, None));
    assert_eq!(r["verdict"], "valid", "{r}");
    assert_eq!(first(&r), "permitted", "{r}");
    // The stream redrawn while the value stays: the shadow attack by another road.
    let r = verify(
        &dir,
        &with_update(&plain, &[(7, &stream_7("Tran Van B"))], None),
    );
    assert_eq!(first(&r), "disallowed", "{r}");
    // A later trailer that also names the stream.
    let r = verify(&dir, &with_update(&plain, &fill, Some(7)));
    assert_eq!(first(&r), "disallowed", "{r}");

    // The catalog also names the stream in the signed revision.
    let sneaky = signed_form(
        &dir,
        |o| o[0] = o[0].replace("/Type /Catalog", "/Type /Catalog /FooBar 7 0 R"),
        "",
    );
    let r = verify(&dir, &with_update(&sneaky, &fill, None));
    assert_eq!(first(&r), "disallowed", "{r}");
    assert!(
        r.to_string().contains("stream whose content was changed"),
        "{r}"
    );

    // The signed trailer names it.
    let trailer = signed_form(&dir, |_| {}, " /FooBar 7 0 R");
    let r = verify(&dir, &with_update(&trailer, &fill, None));
    assert_eq!(first(&r), "disallowed", "{r}");

    // Another widget draws with it too.
    let shared = signed_form(
        &dir,
        |o| {
            o[0] = o[0].replace("[4 0 R 6 0 R]", "[4 0 R 6 0 R 8 0 R]");
            o[2] = o[2].replace("[4 0 R 6 0 R]", "[4 0 R 6 0 R 8 0 R]");
            o.push("<< /Type /Annot /Subtype /Widget /FT /Tx /T (GhiChu) /V (x) /Rect [10 100 190 120] /P 3 0 R /F 4 /AP << /N 7 0 R >> >>".into());
        },
        "",
    );
    let r = verify(&dir, &with_update(&shared, &fill, None));
    assert_eq!(first(&r), "disallowed", "{r}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// ISO 32000-2 §14.3.3: the document information dictionary holds text and is not drawn, so
/// an update may rewrite it; an object the trailer names as `/Info` that the signed page also
/// uses (here as its graphics state) is judged as what the page uses.
#[test]
fn info_may_change_unless_the_page_uses_the_same_object() {
    let Some(dir) = setup("info-drawn") else {
        return;
    };
    roots(&dir);
    leaf(&dir, "signer", free_port());
    let first = |r: &serde_json::Value| r["signatures"][0]["modifications_after"].clone();
    let honest = signed_form(
        &dir,
        |o| o.push("<< /Producer (kyso test) >>".into()),
        " /Info 8 0 R",
    );
    let r = verify(
        &dir,
        &with_update(
            &honest,
            &[(8, "<< /Producer (kyso test) /ModDate (D:20261206) >>")],
            None,
        ),
    );
    assert_eq!(first(&r), "permitted", "{r}");
    let drawn = signed_form(
        &dir,
        |o| {
            o[2] = o[2].replace(
                "/Annots",
                "/Resources << /ExtGState << /G 8 0 R >> >> /Annots",
            );
            o.push("<< /Type /ExtGState /CA 1 /ca 1 >>".into());
        },
        " /Info 8 0 R",
    );
    let r = verify(
        &dir,
        &with_update(&drawn, &[(8, "<< /Type /ExtGState /CA 0 /ca 0 >>")], None),
    );
    assert_eq!(first(&r), "disallowed", "{r}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// ISO 32000-2 §12.7.4.1: a field written as one dictionary with its widget may be written
/// again as a field whose `/Kids` (here an indirect array) holds a new widget, the page naming
/// the new widget where the merged one was. Nothing drawn changes, so it is allowed, with a
/// new value and appearance as form filling; a widget that moves, or a new appearance for the
/// value that was signed, is refused.
#[test]
fn a_field_split_from_its_widget_draws_the_same() {
    let Some(dir) = setup("field-split") else {
        return;
    };
    roots(&dir);
    leaf(&dir, "signer", free_port());
    let first = |r: &serde_json::Value| r["signatures"][0]["modifications_after"].clone();
    let signed = signed_form(&dir, |_| {}, "");
    let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R 8 0 R] >>";
    let split = |value: &str, rect: &str, ap: u32| {
        vec![
            (6, format!("<< /FT /Tx /T (HoTen) /V ({value}) /Kids 9 0 R >>")),
            (9, "[8 0 R]".to_string()),
            (8, format!("<< /Type /Annot /Subtype /Widget /Rect [{rect}] /P 3 0 R /F 4 /AP << /N {ap} 0 R >> /Parent 6 0 R >>")),
            (3, page.to_string()),
        ]
    };
    let apply = |objs: Vec<(usize, String)>| {
        let refs: Vec<(usize, &str)> = objs.iter().map(|(n, b)| (*n, b.as_str())).collect();
        verify(&dir, &with_update(&signed, &refs, None))
    };
    let r = apply(split("Nguyen Van A", "10 150 190 170", 7));
    assert_eq!(r["verdict"], "valid", "{r}");
    assert_eq!(first(&r), "permitted", "{r}");
    // Split and filled: a new value drawn by a new appearance.
    let mut filled = split("Tran Van B", "10 150 190 170", 10);
    filled.push((10, stream_7("Tran Van B")));
    assert_eq!(first(&apply(filled)), "permitted");
    // The widget moved while splitting.
    assert_eq!(
        first(&apply(split("Nguyen Van A", "10 10 190 30", 7))),
        "disallowed"
    );
    // The new widget carries a value of its own.
    let mut own = split("Nguyen Van A", "10 150 190 170", 7);
    own[2].1 = own[2].1.replace("/Parent", "/V (Chuyen 500 trieu) /Parent");
    assert_eq!(first(&apply(own)), "disallowed");
    // A new appearance for the value that was signed.
    let mut shadow = split("Nguyen Van A", "10 150 190 170", 10);
    shadow.push((10, stream_7("Chuyen 500 trieu")));
    assert_eq!(first(&apply(shadow)), "disallowed");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A content stream (`text`) as object body.
fn content(text: &str) -> String {
    format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len())
}

/// An attacker's review of the rules above: each file changes what the signed page shows
/// through one of them, and each is refused.
#[test]
fn what_the_reviewer_drew_through_these_rules_is_refused() {
    let Some(dir) = setup("form-fill-review") else {
        return;
    };
    roots(&dir);
    leaf(&dir, "signer", free_port());
    let first = |base: &[u8], objs: &[(usize, String)]| {
        let refs: Vec<(usize, &str)> = objs.iter().map(|(n, b)| (*n, b.as_str())).collect();
        let r = verify(&dir, &with_update(base, &refs, None));
        r["signatures"][0]["modifications_after"].clone()
    };
    let page = |extra: &str| {
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] {extra} /Annots [4 0 R 6 0 R] >>"
        )
    };
    // The page poses as a field whose appearance is its own content stream, its value a
    // reference the signed revision cannot resolve.
    let p = page("/Contents 8 0 R /FT /Tx /T (P) /V 9 0 R /AP << /N 8 0 R >>");
    let posing = signed_form(
        &dir,
        |o| {
            o[2] = p.clone();
            o.push(content("BT /Helv 24 Tf 10 100 Td (Pay 100) Tj ET"));
        },
        "",
    );
    let update = [
        (9, "(filled)".to_string()),
        (8, content("BT /Helv 24 Tf 10 100 Td (Pay 999) Tj ET")),
    ];
    assert_eq!(first(&posing, &update), "disallowed");
    // A split whose page still names the old merged dictionary: the field's look vanishes.
    let signed = signed_form(&dir, |_| {}, "");
    let split = [
        (6, "<< /FT /Tx /T (HoTen) /V (Nguyen Van A) /Kids [8 0 R] >>".to_string()),
        (8, "<< /Type /Annot /Subtype /Widget /Rect [10 150 190 170] /P 3 0 R /F 4 /AP << /N 7 0 R >> /Parent 6 0 R >>".to_string()),
    ];
    assert_eq!(first(&signed, &split), "disallowed");
    // A page's /Contents kept as an array that gains a stream calling itself a signature field.
    let p = page("/Contents 8 0 R");
    let arrayed = signed_form(
        &dir,
        |o| {
            o[2] = p.clone();
            o.push("[9 0 R]".into());
            o.push(content("BT /Helv 24 Tf 10 100 Td (Pay 100) Tj ET"));
        },
        "",
    );
    let grown = [
        (8, "[9 0 R 10 0 R]".to_string()),
        (
            10,
            "<< /FT /Sig /Length 40 >>\nstream\nBT /Helv 24 Tf 10 60 Td (Pay 999) Tj ET\nendstream"
                .to_string(),
        ),
    ];
    assert_eq!(first(&arrayed, &grown), "disallowed");
    // Signed content that names a resource the page did not define yet; the update defines it.
    let p = page("/Contents 8 0 R /Resources << >>");
    let naming = signed_form(
        &dir,
        |o| {
            o[2] = p.clone();
            o.push(content("q /X0 Do Q"));
        },
        "",
    );
    let supplied = [
        (3, page("/Contents 8 0 R /Resources << /XObject << /X0 9 0 R >> >>")),
        (9, "<< /Type /XObject /Subtype /Form /BBox [0 0 200 200] /Length 39 >>\nstream\nBT /Helv 24 Tf 10 60 Td (Pay 999) Tj ET\nendstream".to_string()),
    ];
    assert_eq!(first(&naming, &supplied), "disallowed");
    // The same update where the signed content does not name it: a later signer's font.
    let p = page("/Contents 8 0 R /Resources << >>");
    let quiet = signed_form(
        &dir,
        |o| {
            o[2] = p.clone();
            o.push(content("q Q"));
        },
        "",
    );
    assert_eq!(first(&quiet, &supplied), "permitted");
    // /Info that is also a widget's /MK (its caption).
    let captioned = signed_form(
        &dir,
        |o| {
            o[5] = o[5].replace("/F 4", "/F 4 /MK 8 0 R");
            o.push("<< /CA (Dong y) >>".into());
        },
        " /Info 8 0 R",
    );
    assert_eq!(
        first(&captioned, &[(8, "<< /CA (Tu choi) >>".to_string())]),
        "disallowed"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A second attacker's review of the whole analysis: each file changes what the signed page
/// shows or what a field holds, and each is refused.
#[test]
fn what_the_second_reviewer_drew_is_refused() {
    let Some(dir) = setup("form-fill-review-2") else {
        return;
    };
    roots(&dir);
    leaf(&dir, "signer", free_port());
    let first = |pdf: &[u8]| verify(&dir, pdf)["signatures"][0]["modifications_after"].clone();
    let up = |base: &[u8], objs: &[(usize, String)]| {
        let refs: Vec<(usize, &str)> = objs.iter().map(|(n, b)| (*n, b.as_str())).collect();
        with_update(base, &refs, None)
    };
    let evil = content("BT /Helv 24 Tf 10 100 Td (Pay 999) Tj ET");
    let page = |extra: &str| {
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] {extra} /Annots [4 0 R 6 0 R] >>"
        )
    };
    // The page listed in the /DSS's /VRI is not validation data.
    let vri = signed_form(
        &dir,
        |o| {
            o[0] = o[0].replace(
                "/Type /Catalog",
                "/Type /Catalog /DSS << /VRI << /ABCD 3 0 R >> >>",
            )
        },
        "",
    );
    assert_eq!(
        first(&up(
            &vri,
            &[(3, page("/Contents 8 0 R")), (8, evil.clone())]
        )),
        "disallowed"
    );
    // A page-tree /Kids array whose node carries /T is not a field's /Kids.
    let kids = signed_form(
        &dir,
        |o| {
            o[1] = "<< /Type /Pages /Kids 8 0 R /Count 1 /T (pages) >>".into();
            o.push("[3 0 R]".into());
        },
        "",
    );
    let new_page =
        "<< /Type /Page /FT /Sig /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 10 0 R >>";
    let grown = [
        (8, "[9 0 R 3 0 R]".to_string()),
        (9, new_page.to_string()),
        (10, evil.clone()),
    ];
    assert_eq!(first(&up(&kids, &grown)), "disallowed");
    // A new unsigned widget whose /Rect hides a number behind a reference.
    let signed = signed_form(&dir, |_| {}, "");
    let widget = [
        (1, "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R 6 0 R 8 0 R] /SigFlags 3 >> >>".to_string()),
        (3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R 6 0 R 8 0 R] >>".to_string()),
        (8, "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Sig2) /Rect [0 0 9 0 R 200] /P 3 0 R /F 4 /AP << /N 10 0 R >> >>".to_string()),
        (9, "200".to_string()),
        (10, "<< /Type /XObject /Subtype /Form /BBox [0 0 200 200] /Length 39 >>\nstream\nBT /Helv 24 Tf 10 60 Td (Pay 999) Tj ET\nendstream".to_string()),
    ];
    assert_eq!(first(&up(&signed, &widget)), "disallowed");
    // /NeedAppearances turned on: viewers draw the field from its value, not as signed.
    let objects: Vec<String> = form("Chuyen 500 trieu", "Nguyen Van A")
        .into_iter()
        .map(|o| o.replace("PLACEHOLDER", &"0".repeat(16384)))
        .collect();
    let shadowed = sign_objects(&dir, "signer", &objects, None, None);
    let regenerate = objects[0].replace("/SigFlags 3", "/SigFlags 3 /NeedAppearances true");
    let r = verify(&dir, &up(&shadowed, &[(1, regenerate)]));
    assert_eq!(
        r["signatures"][0]["modifications_after"], "disallowed",
        "{r}"
    );
    assert!(r.to_string().contains("NeedAppearances"), "{r}");
    // The same field written again under generation 1.
    let again = up(
        &signed,
        &[(6, field_6("Nguyen Van A").replace("/N 7 0 R", "/N 7 0 R"))],
    );
    let mut renumbered = again.clone();
    let text = String::from_utf8_lossy(&again).into_owned();
    let obj = text.rfind("\n6 0 obj").unwrap();
    renumbered[obj..obj + 8].copy_from_slice(b"\n6 1 obj");
    let row = text.rfind(" 00000 n \ntrailer").unwrap();
    renumbered[row..row + 6].copy_from_slice(b" 00001");
    let r = verify(&dir, &renumbered);
    assert_eq!(
        r["signatures"][0]["modifications_after"], "disallowed",
        "{r}"
    );
    assert!(r.to_string().contains("generation"), "{r}");
    // An object header hidden in a new stream's data, for readers that rebuild the xref.
    let hiding = format!(
        "<< /Length 60 >>\nstream\n{}\nendstream",
        "7 0 obj << /Length 9 >> stream\nPay 999\nendstream endobj"
    );
    let r = verify(&dir, &up(&signed, &[(8, hiding)]));
    assert_eq!(
        r["signatures"][0]["modifications_after"], "disallowed",
        "{r}"
    );
    assert!(r.to_string().contains("no xref section lists"), "{r}");
    // A stamp that carries /FT is an annotation, not a form field to fill.
    let stamp = "<< /Type /Annot /Subtype /Stamp /FT /Tx /V (a) /Rect [10 40 190 80] /P 3 0 R /F 4 /AP << /N 9 0 R >> >>";
    let stamped = signed_form(
        &dir,
        |o| {
            o[2] = o[2].replace("[4 0 R 6 0 R]", "[4 0 R 6 0 R 8 0 R]");
            o.push(stamp.into());
            o.push(stream_7("DA DUYET"));
        },
        "",
    );
    let refill = [
        (
            8,
            stamp
                .replace("/V (a)", "/V (b)")
                .replace("/N 9 0 R", "/N 10 0 R"),
        ),
        (10, stream_7("TU CHOI")),
    ];
    assert_eq!(first(&up(&stamped, &refill)), "disallowed");
    // A signature widget measured against a huge /MediaBox while viewers show the /CropBox.
    let cropped = signed_form(
        &dir,
        |o| {
            o[2] = o[2].replace(
                "/MediaBox [0 0 200 200]",
                "/MediaBox [0 0 2000 2000] /CropBox [0 0 200 200]",
            )
        },
        "",
    );
    let covering = [
        (1, widget[0].1.clone()),
        (3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 2000 2000] /CropBox [0 0 200 200] /Annots [4 0 R 6 0 R 8 0 R] >>".to_string()),
        (8, "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Sig2) /V 11 0 R /Rect [0 0 200 200] /P 3 0 R /F 4 /AP << /N 10 0 R >> >>".to_string()),
        (10, widget[4].1.clone()),
        (11, "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 10 20 10] /Contents <3000> >>".to_string()),
    ];
    let r = verify(&dir, &up(&cropped, &covering));
    assert!(
        r.to_string().contains("more than a quarter of the page"),
        "{r}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
