//! A minimal XLSX package (stored, not deflated) around a worksheet and a shared-string table,
//! so that the fuzzer mutates the XML the reader parses rather than compressed bytes.

use std::io::{Cursor, Write};

use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="catalog" sheetId="1" r:id="rId1"/></sheets></workbook>"#;

const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

/// The package with `sheet` as the first worksheet and `shared_strings`, if any, as the
/// shared-string table.
pub fn package(sheet: &[u8], shared_strings: Option<&[u8]>) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let parts: [(&str, Option<&[u8]>); 5] = [
        ("_rels/.rels", Some(ROOT_RELS.as_bytes())),
        ("xl/workbook.xml", Some(WORKBOOK.as_bytes())),
        ("xl/_rels/workbook.xml.rels", Some(WORKBOOK_RELS.as_bytes())),
        ("xl/worksheets/sheet1.xml", Some(sheet)),
        ("xl/sharedStrings.xml", shared_strings),
    ];
    for (name, content) in parts.iter().filter_map(|(n, c)| Some((*n, (*c)?))) {
        if zip.start_file(name, options).is_err() || zip.write_all(content).is_err() {
            return Vec::new();
        }
    }
    zip.finish().map(Cursor::into_inner).unwrap_or_default()
}
