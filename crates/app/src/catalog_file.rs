//! The catalog file format, as CSV and XLSX: one row per item, with the nested lists
//! (materials, fees, prerequisites, steps) written in single cells.
//!
//! Columns: code, name, department_code, level, branch_code, proxy_by_village, kind,
//! legal_basis, statutory_days, committed_days, on_the_spot, window_authorised, materials,
//! fees, prerequisites, steps, certificate_valid_years (optional: files written before it have
//! 16 columns and read as before). Lists separate entries with `;` and fields with `|`:
//! materials `name|original or copy|count|required or optional`, fees
//! `name|amount in fen|basis`, steps `handle|share days|role`. See docs/catalog-format.md.

use liandong_domain::catalog::{
    Fee, ItemCode, Material, MaterialForm, STATUTORY_EXTENSION_DAYS, ServiceItem, Step,
};

use crate::FieldError;

/// The header every catalog file has, in this order.
pub const COLUMNS: [&str; 17] = [
    "code",
    "name",
    "department_code",
    "level",
    "branch_code",
    "proxy_by_village",
    "kind",
    "legal_basis",
    "statutory_days",
    "committed_days",
    "on_the_spot",
    "window_authorised",
    "materials",
    "fees",
    "prerequisites",
    "steps",
    "certificate_valid_years",
];

/// The columns of files written before the certificate's validity was a column.
const EARLIER_COLUMNS: usize = 16;

/// Reads one row (cells in `COLUMNS` order); `line` numbers the errors.
pub fn item_from_cells(cells: &[String], line: usize) -> Result<ServiceItem, Vec<FieldError>> {
    let mut errors = Vec::new();
    let cell = |i: usize| cells.get(i).map(|s| s.trim()).unwrap_or("");
    let mut err = |column: &str, zh: String, en: String| {
        errors.push(FieldError::new(
            format!("line {line}: {column}"),
            format!("第{line}行{column}：{zh}"),
            format!("line {line}, {column}: {en}"),
        ));
    };
    if cells.len() != COLUMNS.len() && cells.len() != EARLIER_COLUMNS {
        err(
            "*",
            format!(
                "应有{}列（或旧格式{EARLIER_COLUMNS}列），实有{}列",
                COLUMNS.len(),
                cells.len()
            ),
            format!(
                "expected {} columns (or {EARLIER_COLUMNS} in the earlier format), found {}",
                COLUMNS.len(),
                cells.len()
            ),
        );
        return Err(errors);
    }
    let code = ItemCode::parse(cell(0))
        .map_err(|e| err("code", e.to_string(), e.to_string()))
        .ok();
    let level = cell(3)
        .parse()
        .map_err(|e: liandong_domain::organization::UnknownName| {
            err("level", e.to_string(), e.to_string())
        })
        .ok();
    let kind = cell(6)
        .parse()
        .map_err(|e: liandong_domain::organization::UnknownName| {
            err("kind", e.to_string(), e.to_string())
        })
        .ok();
    let mut flag = |column: &str, text: &str| match text {
        "true" | "1" | "是" => Some(true),
        "false" | "0" | "否" | "" => Some(false),
        other => {
            err(
                column,
                format!("应为 true 或 false，而非“{other}”"),
                format!("expected true or false, not `{other}`"),
            );
            None
        }
    };
    let proxy_by_village = flag("proxy_by_village", cell(5));
    let on_the_spot = flag("on_the_spot", cell(10));
    let window_authorised = flag("window_authorised", cell(11));
    let mut number = |column: &str, text: &str| match text.parse::<u32>() {
        Ok(n) if n <= 3650 => Some(n),
        _ => {
            err(
                column,
                format!("应为0至3650的整数，而非“{text}”"),
                format!("expected a whole number 0 to 3650, not `{text}`"),
            );
            None
        }
    };
    let certificate_valid_years = match cell(16) {
        "" => Some(None),
        years => number("certificate_valid_years", years).map(Some),
    };
    let statutory_days = number("statutory_days", cell(8));
    let committed_days = number("committed_days", cell(9));
    let entries = |text: &str| -> Vec<Vec<String>> {
        text.split(';')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|e| e.split('|').map(|f| f.trim().to_owned()).collect())
            .collect()
    };
    let mut materials = Vec::new();
    for fields in entries(cell(12)) {
        match fields.as_slice() {
            [name, form, count, need] if !name.is_empty() => {
                let form = form.parse::<MaterialForm>();
                let count = count.parse::<u32>();
                let optional = match need.as_str() {
                    "required" => Ok(false),
                    "optional" => Ok(true),
                    _ => Err(()),
                };
                match (form, count, optional) {
                    (Ok(form), Ok(count), Ok(optional)) => materials.push(Material {
                        name: name.clone(),
                        form,
                        count,
                        optional,
                    }),
                    _ => err(
                        "materials",
                        format!("材料“{name}”格式应为 名称|original或copy|份数|required或optional"),
                        format!(
                            "material `{name}` must be name|original or copy|count|required or optional"
                        ),
                    ),
                }
            }
            _ => err(
                "materials",
                "材料格式应为 名称|original或copy|份数|required或optional".into(),
                "a material is name|original or copy|count|required or optional".into(),
            ),
        }
    }
    let mut fees = Vec::new();
    for fields in entries(cell(13)) {
        match fields.as_slice() {
            [name, amount, basis] if !name.is_empty() => match amount.parse::<i64>() {
                Ok(amount_fen) => fees.push(Fee {
                    name: name.clone(),
                    amount_fen,
                    basis: basis.clone(),
                }),
                Err(_) => err(
                    "fees",
                    format!("收费“{name}”金额应为整数（分）"),
                    format!("fee `{name}` amount must be whole fen"),
                ),
            },
            _ => err(
                "fees",
                "收费格式应为 名称|金额（分）|依据".into(),
                "a fee is name|amount in fen|basis".into(),
            ),
        }
    }
    let mut prerequisites = Vec::new();
    for code in cell(14).split(';').map(str::trim).filter(|c| !c.is_empty()) {
        match ItemCode::parse(code) {
            Ok(code) => prerequisites.push(code),
            Err(e) => err("prerequisites", e.to_string(), e.to_string()),
        }
    }
    let mut steps = Vec::new();
    for fields in entries(cell(15)) {
        match fields.as_slice() {
            [kind, share, role] => match (kind.parse(), share.parse::<u32>(), role.parse()) {
                (Ok(kind), Ok(share_days), Ok(role)) => steps.push(Step {
                    kind,
                    share_days,
                    role,
                }),
                _ => err(
                    "steps",
                    format!(
                        "环节“{}”格式应为 handle/review/approve|天数|角色",
                        fields.join("|")
                    ),
                    format!(
                        "step `{}` must be handle, review or approve|days|role",
                        fields.join("|")
                    ),
                ),
            },
            _ => err(
                "steps",
                "环节格式应为 环节|天数|角色".into(),
                "a step is kind|days|role".into(),
            ),
        }
    }
    let (
        Some(code),
        Some(level),
        Some(kind),
        Some(proxy_by_village),
        Some(on_the_spot),
        Some(window_authorised),
        Some(statutory_days),
        Some(committed_days),
        Some(certificate_valid_years),
    ) = (
        code,
        level,
        kind,
        proxy_by_village,
        on_the_spot,
        window_authorised,
        statutory_days,
        committed_days,
        certificate_valid_years,
    )
    else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let item = ServiceItem {
        code,
        name: cell(1).to_owned(),
        department_code: cell(2).to_owned(),
        level,
        branch_code: Some(cell(4).to_owned()).filter(|b| !b.is_empty()),
        proxy_by_village,
        kind,
        legal_basis: cell(7).to_owned(),
        statutory_days,
        committed_days,
        on_the_spot,
        window_authorised,
        materials,
        fees,
        prerequisites,
        steps,
        extension_limit_days: STATUTORY_EXTENSION_DAYS,
        certificate_valid_years,
    };
    item.validate().map_err(|errs| {
        errs.iter()
            .map(|e| {
                let f = FieldError::from_bilingual("item", e);
                FieldError::new(
                    format!("line {line}"),
                    format!("第{line}行：{}", f.message_zh),
                    format!("line {line}: {}", f.message_en),
                )
            })
            .collect::<Vec<_>>()
    })?;
    Ok(item)
}

/// Writes one item as cells in `COLUMNS` order.
pub fn item_to_cells(item: &ServiceItem) -> Vec<String> {
    let join = |parts: Vec<String>| parts.join(";");
    vec![
        item.code.to_string(),
        item.name.clone(),
        item.department_code.clone(),
        item.level.to_string(),
        item.branch_code.clone().unwrap_or_default(),
        item.proxy_by_village.to_string(),
        item.kind.to_string(),
        item.legal_basis.clone(),
        item.statutory_days.to_string(),
        item.committed_days.to_string(),
        item.on_the_spot.to_string(),
        item.window_authorised.to_string(),
        join(
            item.materials
                .iter()
                .map(|m| {
                    format!(
                        "{}|{}|{}|{}",
                        m.name,
                        m.form,
                        m.count,
                        if m.optional { "optional" } else { "required" }
                    )
                })
                .collect(),
        ),
        join(
            item.fees
                .iter()
                .map(|f| format!("{}|{}|{}", f.name, f.amount_fen, f.basis))
                .collect(),
        ),
        join(item.prerequisites.iter().map(ToString::to_string).collect()),
        join(
            item.steps
                .iter()
                .map(|s| format!("{}|{}|{}", s.kind, s.share_days, s.role))
                .collect(),
        ),
        item.certificate_valid_years
            .map(|y| y.to_string())
            .unwrap_or_default(),
    ]
}

fn header_error() -> FieldError {
    FieldError::new(
        "header",
        format!("首行应为列名：{}", COLUMNS.join(",")),
        format!("the first row names the columns: {}", COLUMNS.join(",")),
    )
}

/// Reads a whole file's rows; every row is checked and every error reported.
fn items_from_rows(
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<ServiceItem>, Vec<FieldError>> {
    let mut rows = rows.enumerate();
    let header_ok = rows.next().is_some_and(|(_, h)| {
        h.iter()
            .map(|c| c.trim().trim_start_matches('\u{feff}'))
            .eq(COLUMNS.iter().take(h.len().max(EARLIER_COLUMNS)).copied())
    });
    if !header_ok {
        return Err(vec![header_error()]);
    }
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for (index, cells) in rows {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match item_from_cells(&cells, index + 1) {
            Ok(item) => items.push(item),
            Err(mut e) => errors.append(&mut e),
        }
    }
    let mut seen = std::collections::HashSet::new();
    for item in &items {
        if !seen.insert(item.code.clone()) {
            errors.push(FieldError::new(
                "code",
                format!("事项编码{}重复", item.code),
                format!("item code {} appears twice", item.code),
            ));
        }
    }
    if errors.is_empty() {
        Ok(items)
    } else {
        Err(errors)
    }
}

/// Reads a catalog CSV (UTF-8, a BOM allowed).
pub fn read_csv(bytes: &[u8]) -> Result<Vec<ServiceItem>, Vec<FieldError>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        match record {
            Ok(r) => rows.push(r.iter().map(str::to_owned).collect::<Vec<_>>()),
            Err(e) => {
                return Err(vec![FieldError::new(
                    format!("line {}", index + 1),
                    format!("第{}行无法解析为CSV：{e}", index + 1),
                    format!("line {} is not valid CSV: {e}", index + 1),
                )]);
            }
        }
    }
    items_from_rows(rows.into_iter())
}

/// Writes a catalog CSV with a header row.
pub fn write_csv(items: &[ServiceItem]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(COLUMNS);
    for item in items {
        let _ = writer.write_record(item_to_cells(item));
    }
    writer.into_inner().unwrap_or_default()
}

/// The largest sheet a workbook may have (Excel's own limits): a cell reference beyond it is
/// refused.
const XLSX_MAX_ROWS: u32 = 1_048_576;
const XLSX_MAX_COLUMNS: u32 = 16_384;
/// The most non-empty cells read from a workbook: 62,500 items of 16 columns, far more than
/// any catalog, and a bound on the memory a small, highly compressed file can claim.
const XLSX_MAX_CELLS: usize = 1_000_000;
/// The most a workbook may unpack to. calamine holds a sheet's shared strings in memory
/// whole, so a small, highly compressed file could otherwise take gigabytes; the demo's whole
/// catalog unpacks to well under a megabyte.
const XLSX_MAX_UNPACKED: u64 = 64 * 1024 * 1024;

/// Unpacks the workbook's parts without keeping them and refuses it when they come to more
/// than [`XLSX_MAX_UNPACKED`]: the sizes a zip directory declares are not to be trusted, so the
/// bytes are counted as they come out, and the count stops just past the limit. The
/// shared-string table's declared counts are checked on the way (`check_declared_strings`).
fn check_unpacked_size(bytes: &[u8]) -> Result<(), String> {
    use std::io::Read;
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut total: u64 = 0;
    let mut strings_problem = None;
    for index in 0..archive.len() {
        let entry = archive.by_index(index).map_err(|e| e.to_string())?;
        // calamine finds its parts by name without regard to case.
        let shared_strings = entry
            .name()
            .is_ok_and(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"));
        let left = XLSX_MAX_UNPACKED.saturating_sub(total) + 1;
        let mut entry = entry.take(left);
        if shared_strings {
            // Held whole, as calamine will hold it; bounded by what is left of the limit.
            let mut table = Vec::new();
            total += entry.read_to_end(&mut table).map_err(|e| e.to_string())? as u64;
            strings_problem = strings_problem.or(check_declared_strings(&table).err());
        }
        total += std::io::copy(&mut entry, &mut std::io::sink()).map_err(|e| e.to_string())?;
        if total > XLSX_MAX_UNPACKED {
            break;
        }
    }
    if total > XLSX_MAX_UNPACKED {
        Err(format!(
            "解压后超过{}MB / it unpacks to more than {XLSX_MAX_UNPACKED} bytes",
            XLSX_MAX_UNPACKED / 1024 / 1024
        ))
    } else {
        strings_problem.map_or(Ok(()), Err)
    }
}

/// calamine reserves room for as many strings as the shared-string table's `uniqueCount`
/// declares before it reads one, so a forged count would abort the process. Every
/// `uniqueCount="…"` in the table (a broken first tag can make the reader take a later one)
/// must be a plain number within what the cell limit allows.
fn check_declared_strings(table: &[u8]) -> Result<(), String> {
    const NAME: &[u8] = b"uniqueCount";
    let refused = || {
        "共享字符串表声明的数量过大或无效 / the shared-string table declares too many strings, or no number".to_owned()
    };
    let mut from = 0;
    while let Some(found) = table[from..]
        .windows(NAME.len())
        .position(|w| w == NAME)
        .map(|at| from + at)
    {
        from = found + NAME.len();
        let rest = &table[from..];
        let rest = rest.trim_ascii_start();
        let Some(rest) = rest.strip_prefix(b"=") else {
            continue;
        };
        let rest = rest.trim_ascii_start();
        let Some((&quote, value)) = rest
            .split_first()
            .filter(|(q, _)| **q == b'"' || **q == b'\'')
        else {
            continue;
        };
        let value = value.split(|b| *b == quote).next().unwrap_or_default();
        let count = std::str::from_utf8(value)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok());
        match count {
            Some(n) if n <= XLSX_MAX_CELLS as u64 => {}
            _ => return Err(refused()),
        }
    }
    Ok(())
}

/// The text of one cell, as the catalog's columns read it.
fn cell_text(value: calamine::Data) -> String {
    use calamine::Data;
    match value {
        Data::Empty => String::new(),
        Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// Reads the first sheet of a catalog workbook.
///
/// The sheet is read cell by cell and only its non-empty cells are kept: the rows start at the
/// first non-empty row and column, and line numbers count from there, as in a spreadsheet
/// range. (A dense range would be rows × columns cells: one cell at `XFD1048576` next to `A1`
/// asked for 550 GB and aborted the process.)
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<ServiceItem>, Vec<FieldError>> {
    use calamine::{Data, DataRef, Reader, Xlsx, XlsxError};
    let unreadable = |e: String| {
        vec![FieldError::new(
            "file",
            format!("无法读取XLSX文件：{e}"),
            format!("cannot read the XLSX file: {e}"),
        )]
    };
    check_unpacked_size(bytes).map_err(unreadable)?;
    let mut workbook =
        Xlsx::new(std::io::Cursor::new(bytes.to_vec())).map_err(|e| unreadable(e.to_string()))?;
    let name = workbook
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| unreadable("no sheet".into()))?;
    // (row, column, text) of every non-empty cell.
    let mut cells: Vec<(u32, u32, String)> = Vec::new();
    match workbook.worksheet_cells_reader(&name) {
        // A chart sheet or the like: no cells, hence no header.
        Err(XlsxError::NotAWorksheet(_)) => {}
        Err(e) => return Err(unreadable(e.to_string())),
        Ok(mut reader) => {
            while let Some(cell) = reader.next_cell().map_err(|e| unreadable(e.to_string()))? {
                if matches!(cell.get_value(), DataRef::Empty) {
                    continue;
                }
                let (row, column) = cell.get_position();
                if row >= XLSX_MAX_ROWS || column >= XLSX_MAX_COLUMNS {
                    return Err(vec![FieldError::new(
                        "file",
                        format!("单元格超出工作表范围（第{}行第{}列）", row + 1, column + 1),
                        format!(
                            "a cell lies outside the sheet (row {}, column {})",
                            row + 1,
                            column + 1
                        ),
                    )]);
                }
                if cells.len() == XLSX_MAX_CELLS {
                    return Err(vec![FieldError::new(
                        "file",
                        format!("工作表的非空单元格超过{XLSX_MAX_CELLS}个"),
                        format!("the sheet has more than {XLSX_MAX_CELLS} non-empty cells"),
                    )]);
                }
                cells.push((row, column, cell_text(Data::from(cell.get_value().clone()))));
            }
        }
    }
    let (Some(first_row), Some(last_row), Some(first_column), Some(last_column)) = (
        cells.iter().map(|c| c.0).min(),
        cells.iter().map(|c| c.0).max(),
        cells.iter().map(|c| c.1).min(),
        cells.iter().map(|c| c.1).max(),
    ) else {
        return items_from_rows(std::iter::empty());
    };
    let width = usize::try_from(last_column - first_column + 1).unwrap_or(usize::MAX);
    if width > COLUMNS.len() {
        // Every row, the header first, would have `width` cells.
        return Err(vec![header_error()]);
    }
    // Row by row; a cell given twice keeps its last value. Rows without cells stay empty
    // (and are skipped), so a sheet of a million rows costs no more than its cells.
    cells.sort_by_key(|&(row, column, _)| (row, column));
    let mut cells = cells.into_iter().peekable();
    let rows = (first_row..=last_row).map(move |row| {
        let mut texts = Vec::new();
        while let Some((_, column, text)) = cells.next_if(|cell| cell.0 == row) {
            if texts.is_empty() {
                texts = vec![String::new(); width];
            }
            let index = usize::try_from(column - first_column).unwrap_or(usize::MAX);
            if let Some(slot) = texts.get_mut(index) {
                *slot = text;
            }
        }
        texts
    });
    items_from_rows(rows)
}

/// Writes a catalog workbook with one sheet, `catalog`.
pub fn write_xlsx(items: &[ServiceItem]) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("catalog").map_err(|e| e.to_string())?;
    let bold = Format::new().set_bold();
    for (col, name) in (0u16..).zip(COLUMNS) {
        sheet
            .write_string_with_format(0, col, name, &bold)
            .map_err(|e| e.to_string())?;
    }
    for (row, item) in (1u32..).zip(items) {
        for (col, cell) in (0u16..).zip(item_to_cells(item)) {
            sheet
                .write_string(row, col, cell)
                .map_err(|e| e.to_string())?;
        }
    }
    workbook.save_to_buffer().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const SAMPLE: &str = "code,name,department_code,level,branch_code,proxy_by_village,kind,legal_basis,statutory_days,committed_days,on_the_spot,window_authorised,materials,fees,prerequisites,steps
XK00001000,食品经营许可（新办）,D22,district_hall,,false,licence,《中华人民共和国食品安全法》第三十五条,20,8,false,false,申请书|original|1|required;营业执照|copy|1|required,,,handle|5|handling_officer;review|2|reviewer;approve|1|approver
GG00002000,不动产登记资料查询,D10,branch_hall,101,true,public_service,《不动产登记暂行条例》,0,0,true,true,身份证|original|1|required,查询费|0|免收,XK00001000,approve|0|window_clerk
";

    #[test]
    fn a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read() {
        use std::io::Write;
        // 65 MiB of one repeated string: a few hundred kilobytes once deflated.
        let mut zipped = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zipped.start_file("xl/sharedStrings.xml", options).unwrap();
        let chunk = "<si><t>食品经营许可</t></si>".repeat(1024);
        let mut written = 0;
        while written <= XLSX_MAX_UNPACKED {
            zipped.write_all(chunk.as_bytes()).unwrap();
            written += chunk.len() as u64;
        }
        let bytes = zipped.finish().unwrap().into_inner();
        assert!(bytes.len() < 1024 * 1024, "{} bytes", bytes.len());
        let errors = read_xlsx(&bytes).unwrap_err();
        assert!(
            errors[0].message_en.contains("unpacks to more than"),
            "{errors:?}"
        );
        // A real catalog is far below the limit.
        let items = read_csv(SAMPLE.as_bytes()).unwrap();
        assert!(check_unpacked_size(&write_xlsx(&items).unwrap()).is_ok());
    }

    /// The workbook `bytes` with its shared-string table's text changed by `change`.
    fn with_shared_strings(bytes: &[u8], change: impl Fn(&str) -> String) -> Vec<u8> {
        use std::io::{Read, Write};
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for index in 0..archive.len() {
            let mut entry = archive.by_index(index).unwrap();
            let name = entry.name().unwrap().into_owned();
            let mut content = Vec::new();
            entry.read_to_end(&mut content).unwrap();
            if name.ends_with("sharedStrings.xml") {
                content = change(&String::from_utf8(content).unwrap()).into_bytes();
            }
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&content).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn a_forged_count_of_shared_strings_is_refused_before_it_is_reserved() {
        let items = read_csv(SAMPLE.as_bytes()).unwrap();
        let workbook = write_xlsx(&items).unwrap();
        let count = |text: &str| -> String {
            let at = text.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
            let end = at + text[at..].find('"').unwrap();
            format!("{}1000000000000000000{}", &text[..at], &text[end..])
        };
        let forged = with_shared_strings(&workbook, count);
        let errors = read_xlsx(&forged).unwrap_err();
        assert!(
            errors[0].message_en.contains("declares too many strings"),
            "{errors:?}"
        );
        // The table behind a long preamble, with its true count: read as before.
        let padded = with_shared_strings(&workbook, |text| {
            text.replacen("?>", &format!("?><!--{}-->", "x".repeat(70 * 1024)), 1)
        });
        assert_eq!(read_xlsx(&padded).unwrap(), items);
        // A broken first tag, and the forged count in a second one (what the fuzzer found).
        let second = with_shared_strings(&workbook, |text| {
            let tag = text.find("<sst").unwrap();
            format!(
                "{}<sst xmln000000447728\">{}",
                &text[..tag],
                count(&text[tag..])
            )
        });
        let errors = read_xlsx(&second).unwrap_err();
        assert!(
            errors[0].message_en.contains("declares too many strings"),
            "{errors:?}"
        );
        // Not a number at all.
        let word = with_shared_strings(&workbook, |text| {
            let at = text.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
            let end = at + text[at..].find('"').unwrap();
            format!("{}many{}", &text[..at], &text[end..])
        });
        assert!(
            read_xlsx(&word).unwrap_err()[0]
                .message_en
                .contains("no number")
        );
    }

    #[test]
    fn a_catalog_round_trips_through_csv_and_xlsx() {
        let items = read_csv(SAMPLE.as_bytes()).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].branch_code.as_deref(), Some("101"));
        assert_eq!(items[0].steps.len(), 3);
        assert_eq!(read_csv(&write_csv(&items)).unwrap(), items);
        assert_eq!(read_xlsx(&write_xlsx(&items).unwrap()).unwrap(), items);
    }

    #[test]
    fn the_certificate_validity_is_an_optional_17th_column() {
        // A file of the earlier format (16 columns) reads as before: no expiry.
        let earlier = read_csv(SAMPLE.as_bytes()).unwrap();
        assert!(earlier.iter().all(|i| i.certificate_valid_years.is_none()));
        // With the column: the licence runs five years, the public service has none.
        let with = SAMPLE
            .replacen(
                "prerequisites,steps\n",
                "prerequisites,steps,certificate_valid_years\n",
                1,
            )
            .replacen(
                "reviewer;approve|1|approver\n",
                "reviewer;approve|1|approver,5\n",
                1,
            )
            .replacen("approve|0|window_clerk\n", "approve|0|window_clerk,\n", 1);
        let items = read_csv(with.as_bytes()).unwrap();
        assert_eq!(items[0].certificate_valid_years, Some(5));
        assert_eq!(items[1].certificate_valid_years, None);
        // Written back in the current format, it reads the same.
        let written = String::from_utf8(write_csv(&items)).unwrap();
        assert!(written.starts_with(&COLUMNS.join(",")), "{written}");
        assert_eq!(read_csv(written.as_bytes()).unwrap(), items);
        assert_eq!(read_xlsx(&write_xlsx(&items).unwrap()).unwrap(), items);
        // Not a number, out of range, or on an item that is not a licence: refused, with
        // the line.
        for (cell, message) in [
            ("five", "expected a whole number"),
            ("31", "valid for 1 to 30 years"),
        ] {
            let bad = with.replacen("approver,5\n", &format!("approver,{cell}\n"), 1);
            let errors = read_csv(bad.as_bytes()).unwrap_err();
            assert!(errors[0].message_en.contains("line 2"), "{errors:?}");
            assert!(errors[0].message_en.contains(message), "{errors:?}");
        }
        let service = with.replacen("window_clerk,\n", "window_clerk,3\n", 1);
        let errors = read_csv(service.as_bytes()).unwrap_err();
        assert!(
            errors[0].message_zh.contains("只有行政许可事项"),
            "{errors:?}"
        );
        // A header with an 18th column, or a row of 15 cells, is not the format.
        let extra = with.replacen(
            "certificate_valid_years",
            "certificate_valid_years,notes",
            1,
        );
        assert_eq!(read_csv(extra.as_bytes()).unwrap_err()[0].field, "header");
        let short = with.replacen(
            ",handle|5|handling_officer;review|2|reviewer;approve|1|approver,5",
            "",
            1,
        );
        assert!(
            read_csv(short.as_bytes()).unwrap_err()[0]
                .message_en
                .contains("found 15")
        );
    }

    #[test]
    fn every_bad_cell_is_reported_with_its_line() {
        let bad = SAMPLE
            .replace("district_hall", "city_hall")
            .replace(",20,8,", ",20,abc,");
        let errors = read_csv(bad.as_bytes()).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].message_zh.contains("第2行"));
        assert!(errors[1].message_en.contains("committed_days"));
    }

    #[test]
    fn a_file_without_the_header_or_with_duplicate_codes_is_refused() {
        assert!(read_csv(b"a,b\n1,2\n").is_err());
        let first = SAMPLE.lines().nth(1).unwrap();
        let doubled = format!("{SAMPLE}{first}\n");
        let errors = read_csv(doubled.as_bytes()).unwrap_err();
        assert!(errors[0].message_en.contains("appears twice"));
        assert!(read_xlsx(b"not a workbook").is_err());
    }

    /// A workbook with cells at the given positions, by rust_xlsxwriter.
    fn workbook_with(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for &(row, col, text) in cells {
            sheet.write_string(row, col, text).unwrap();
        }
        workbook.save_to_buffer().unwrap()
    }

    #[test]
    fn a_cell_in_the_far_corner_does_not_make_the_reader_allocate_the_whole_sheet() {
        // Found by the catalog_xlsx fuzz target: read as a dense range, these two cells asked
        // for 1,048,576 × 16,384 cells (550 GB) and aborted the process.
        let file = workbook_with(&[(0, 0, "code"), (1_048_575, 16_383, "x")]);
        let errors = read_xlsx(&file).unwrap_err();
        assert_eq!(errors[0].field, "header", "{errors:?}");
    }

    #[test]
    fn rows_far_apart_are_read_without_filling_the_rows_between() {
        let items = read_csv(SAMPLE.as_bytes()).unwrap();
        let mut cells = Vec::new();
        for (col, name) in (0u16..).zip(COLUMNS) {
            cells.push((0, col, name.to_owned()));
        }
        for (col, text) in (0u16..).zip(item_to_cells(&items[0])) {
            cells.push((1_048_575, col, text));
        }
        let cells: Vec<(u32, u16, &str)> =
            cells.iter().map(|(r, c, t)| (*r, *c, t.as_str())).collect();
        assert_eq!(read_xlsx(&workbook_with(&cells)).unwrap(), items[..1]);
        // Line numbers still count every row from the header.
        let bad: Vec<(u32, u16, &str)> = cells
            .iter()
            .map(|&(r, c, t)| (r, c, if c == 8 && r > 0 { "x" } else { t }))
            .collect();
        let errors = read_xlsx(&workbook_with(&bad)).unwrap_err();
        assert!(
            errors[0]
                .message_en
                .starts_with("line 1048576, statutory_days"),
            "{errors:?}"
        );
    }

    /// A workbook whose first sheet is `sheet`, stored uncompressed: lets a test write cell
    /// references no spreadsheet program would.
    fn workbook_with_sheet_xml(sheet: &str) -> Vec<u8> {
        fn crc32(data: &[u8]) -> u32 {
            let mut crc = !0u32;
            for &byte in data {
                crc ^= u32::from(byte);
                for _ in 0..8 {
                    crc = if crc & 1 == 1 {
                        (crc >> 1) ^ 0xEDB8_8320
                    } else {
                        crc >> 1
                    };
                }
            }
            !crc
        }
        let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
        let workbook = r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="catalog" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
        let workbook_rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
        let parts = [
            ("_rels/.rels", rels),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", workbook_rels),
            ("xl/worksheets/sheet1.xml", sheet),
        ];
        let (mut out, mut directory) = (Vec::new(), Vec::new());
        let u16_of = |n: usize| u16::try_from(n).unwrap().to_le_bytes();
        let u32_of = |n: usize| u32::try_from(n).unwrap().to_le_bytes();
        for (name, content) in parts {
            let offset = out.len();
            let crc = crc32(content.as_bytes()).to_le_bytes();
            // version, flags, method (stored), time, date
            let common = [
                &[20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0][..],
                &crc,
                &u32_of(content.len()),
                &u32_of(content.len()),
                &u16_of(name.len()),
            ]
            .concat();
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&common);
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(content.as_bytes());
            directory.extend_from_slice(b"PK\x01\x02\x14\x00");
            directory.extend_from_slice(&common);
            directory.extend_from_slice(&[0; 12]);
            directory.extend_from_slice(&u32_of(offset));
            directory.extend_from_slice(name.as_bytes());
        }
        let directory_offset = out.len();
        out.extend_from_slice(&directory);
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        out.extend_from_slice(&u16_of(parts.len()));
        out.extend_from_slice(&u16_of(parts.len()));
        out.extend_from_slice(&u32_of(directory.len()));
        out.extend_from_slice(&u32_of(directory_offset));
        out.extend_from_slice(&[0, 0]);
        out
    }

    #[test]
    fn cell_references_beyond_the_largest_sheet_are_refused() {
        let sheet = |reference: &str| {
            format!(
                r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c><c r="{reference}" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>"#
            )
        };
        let errors = read_xlsx(&workbook_with_sheet_xml(&sheet("B1"))).unwrap_err();
        assert_eq!(errors[0].field, "header", "{errors:?}");
        for reference in ["A1048577", "XFE1", "A4000000000"] {
            let errors = read_xlsx(&workbook_with_sheet_xml(&sheet(reference))).unwrap_err();
            assert!(
                errors[0].message_en.contains("outside the sheet"),
                "{reference}: {errors:?}"
            );
        }
    }
}
