//! The report the Office files: by kind of unit, months met of months required, percentages,
//! totals per kind and for the town, the month in progress not counted; as JSON, CSV and XLSX
//! (read back with calamine), with formula-looking names neutralised in both files.

use crate::helpers::*;
use calamine::{Data, Reader};
use serde_json::Value;

const EVIL: &str = "=HYPERLINK(\"http://evil.example\",\"Bấm vào đây\")";

fn registry_with_evil_unit() -> String {
    format!(
        "{}\n[[unit]]\nid = \"phong-tai-chinh\"\nname = {EVIL:?}\nkind = \"department\"\ncertificates = []\n",
        demo_registry_toml()
    )
}

fn group<'a>(r: &'a Value, kind: &str) -> &'a Value {
    r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == kind)
        .unwrap()
}

#[test]
fn the_quarterly_report_in_json_csv_and_xlsx() {
    let app = spawn_app(Some(&registry_with_evil_unit()));
    assert_eq!(
        app.upload_raw(&fixture("pyhanko-org-then-leader.pdf"))
            .status,
        201
    );

    let r = app.get("/api/v1/reports/2026?quarter=1", Some(READ));
    assert_eq!(r.status, 200, "{}", r.text());
    let report = r.json();
    assert_eq!(
        report["counted"],
        serde_json::json!(["2026-01", "2026-02", "2026-03"])
    );
    let communes = group(&report, "commune");
    assert_eq!(communes["label"], "UBND xã, phường");
    let ward = &communes["units"][0];
    assert_eq!(ward["id"], "ubnd-huong-xuan");
    assert_eq!(ward["organisation"]["satisfied"], 1);
    assert_eq!(ward["organisation"]["required"], 3);
    assert_eq!(ward["organisation"]["percent"], 33.3);
    assert_eq!(
        ward["organisation"]["missing"],
        serde_json::json!(["2026-01", "2026-02"])
    );
    let town = &report["town"];
    assert_eq!(town["units"], 4);
    let dep = &group(&report, "department")["totals"];
    assert_eq!(
        dep["organisation_required"], 6,
        "two departments, three months: {dep}"
    );
    assert_eq!(dep["organisation_satisfied"], 0);

    // This year: the current month is shown in progress, never counted as missing.
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
    let year = app
        .get(&format!("/api/v1/reports/{}", now.year()), Some(READ))
        .json();
    let current = format!("{:04}-{:02}", now.year(), now.month() as u8);
    assert_eq!(
        year["in_progress"],
        current.as_str(),
        "{}",
        year["in_progress"]
    );
    assert!(!year["counted"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m == current.as_str()));
    let ward = &group(&year, "commune")["units"][0];
    assert_eq!(ward["organisation"]["required"], now.month() as u64 - 1);
    assert!(year["missing_now"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["unit"] == "ubnd-huong-xuan"));

    let csv = app.get("/api/v1/reports/2026?quarter=1&format=csv", Some(READ));
    assert_eq!(csv.status, 200);
    assert!(csv.content_type.starts_with("text/csv"));
    let text = csv.text();
    assert!(text.starts_with('\u{feff}'), "BOM");
    assert!(
        text.contains("Tên đơn vị") && text.contains("Toàn thị xã"),
        "{text}"
    );
    assert!(
        !text.contains(",=HYPERLINK") && !text.contains("\n=HYPERLINK"),
        "{text}"
    );
    assert!(text.contains("'=HYPERLINK"), "neutralised: {text}");
    // Excel in Vietnamese: `;` and a decimal comma.
    assert!(
        text.contains("UBND phường Hương Xuân;Ký số cơ quan;;;1;3;33,3;01/2026, 02/2026"),
        "{text}"
    );
    let rfc = app
        .get(
            "/api/v1/reports/2026?quarter=1&format=csv&dialect=rfc4180",
            Some(READ),
        )
        .text();
    assert!(
        rfc.contains("UBND phường Hương Xuân,Ký số cơ quan,,,1,3,33.3,\"01/2026, 02/2026\""),
        "{rfc}"
    );

    let xlsx = app.get("/api/v1/reports/2026?quarter=1&format=xlsx", Some(READ));
    assert_eq!(xlsx.status, 200);
    let xlsx_bytes = xlsx.body.clone();
    let mut book =
        calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(std::io::Cursor::new(xlsx.body))
            .unwrap();
    let sheet = book.worksheet_range("Báo cáo").unwrap();
    // The letterhead of an administrative document, the title, the headers under them.
    let rows: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    let text = |r: &Vec<Data>| {
        r.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("|")
    };
    assert!(
        text(&rows[0]).contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        "{:?}",
        rows[0]
    );
    assert!(text(&rows[1]).contains("Độc lập - Tự do - Hạnh phúc"));
    let title = rows
        .iter()
        .position(|r| text(r).contains("BÁO CÁO THỰC HIỆN KÝ SỐ - QUÝ 1 NĂM 2026"));
    let header = rows
        .iter()
        .position(|r| r.get(2).is_some_and(|c| c.to_string() == "Tên đơn vị"));
    assert!(title.is_some() && header > title, "{rows:?}");
    assert!(
        rows.iter().any(|r| text(r).contains("NGƯỜI LẬP BIỂU")),
        "the signature block"
    );
    let evil_row = rows
        .iter()
        .find(|r| r[1].to_string() == "phong-tai-chinh")
        .expect("the unit's row");
    assert!(
        evil_row[2].to_string().starts_with("'="),
        "{:?}",
        evil_row[2]
    );
    let ward_row = rows
        .iter()
        .find(|r| r[1].to_string() == "ubnd-huong-xuan")
        .unwrap();
    assert_eq!(ward_row[8], Data::Float(33.3));
    assert!(book.sheet_names().iter().any(|n| n.starts_with("Chưa nộp")));
    // Each person's posts summed and ranked, the units ranked, with the count at 100 %.
    let persons = book.worksheet_range("Theo người").unwrap();
    let p: Vec<String> = persons
        .rows()
        .map(|r| {
            r.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    assert!(p.iter().any(|l| l.starts_with("1|")), "{p:?}");
    assert!(
        p.iter()
            .any(|l| l.contains("Đạt 100%:") && l.contains("người")),
        "{p:?}"
    );
    let units = book.worksheet_range("Xếp hạng đơn vị").unwrap();
    assert!(units
        .rows()
        .any(|r| r.iter().any(|d| d.to_string() == "UBND phường Hương Xuân")));
    // Set up to print: A4 landscape, one page wide, the header row repeated.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx_bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut xml,
    )
    .unwrap();
    assert!(
        xml.contains("orientation=\"landscape\"") && xml.contains("paperSize=\"9\""),
        "{xml}"
    );
    assert!(
        xml.contains("fitToHeight=\"0\"") && xml.contains("fitToPage=\"1\""),
        "one page wide"
    );
    let mut wb = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/workbook.xml").unwrap(), &mut wb).unwrap();
    assert!(
        wb.contains("_xlnm.Print_Titles"),
        "the header row repeats: {wb}"
    );

    assert_eq!(
        app.get("/api/v1/reports/2026?quarter=5", Some(READ)).status,
        400
    );
    assert_eq!(
        app.get("/api/v1/reports/2026?format=pdf", Some(READ))
            .status,
        400
    );
    let doc = app.get("/api/openapi.json", None).json();
    let undeclared = crate::contract::check(&doc, "OfficeReport", &report);
    assert!(undeclared.is_empty(), "{undeclared:?}");
}

#[test]
fn the_rows_follow_the_offices_order_of_units() {
    let mut r = kyso::cli::demo::demo_registry(&root().join("fixtures")).unwrap();
    for (id, place) in [("trung-tam-van-hoa", 1), ("ubnd-huong-xuan", 2)] {
        r.units.iter_mut().find(|u| u.id == id).unwrap().order = Some(place);
    }
    let app = spawn_app(Some(&toml::to_string(&r).unwrap()));
    let t = app.get("/api/v1/compliance/2026-03", Some(READ)).json();
    let ids: Vec<&str> = t["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    // Ordered ones first, by their place; then the rest by id.
    assert_eq!(
        ids,
        ["trung-tam-van-hoa", "ubnd-huong-xuan", "phong-noi-vu"]
    );
    let unit = app
        .get("/api/v1/units/trung-tam-van-hoa", Some(READ))
        .json();
    assert_eq!(unit["order"], 1);
}
