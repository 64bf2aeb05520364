//! The catalog file format, as CSV and XLSX: one row per item, with the nested lists
//! (materials, fees, prerequisites, steps) written in single cells.
//!
//! Columns: code, name, department_code, level, branch_code, proxy_by_village, kind,
//! legal_basis, statutory_days, committed_days, on_the_spot, window_authorised, materials,
//! fees, prerequisites, steps. Lists separate entries with `;` and fields with `|`:
//! materials `name|original or copy|count|required or optional`, fees
//! `name|amount in fen|basis`, steps `handle|share days|role`. See docs/catalog-format.md.

use liandong_domain::catalog::{
    Fee, ItemCode, Material, MaterialForm, STATUTORY_EXTENSION_DAYS, ServiceItem, Step,
};

use crate::FieldError;

/// The header every catalog file has, in this order.
pub const COLUMNS: [&str; 16] = [
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
];

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
    if cells.len() != COLUMNS.len() {
        err(
            "*",
            format!("应有{}列，实有{}列", COLUMNS.len(), cells.len()),
            format!("expected {} columns, found {}", COLUMNS.len(), cells.len()),
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
    ) = (
        code,
        level,
        kind,
        proxy_by_village,
        on_the_spot,
        window_authorised,
        statutory_days,
        committed_days,
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
    ]
}

/// Reads a whole file's rows; every row is checked and every error reported.
fn items_from_rows(
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<ServiceItem>, Vec<FieldError>> {
    let mut rows = rows.enumerate();
    let header_ok = rows.next().is_some_and(|(_, h)| {
        h.iter()
            .map(|c| c.trim().trim_start_matches('\u{feff}'))
            .eq(COLUMNS)
    });
    if !header_ok {
        return Err(vec![FieldError::new(
            "header",
            format!("首行应为列名：{}", COLUMNS.join(",")),
            format!("the first row names the columns: {}", COLUMNS.join(",")),
        )]);
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

/// Reads the first sheet of a catalog workbook.
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<ServiceItem>, Vec<FieldError>> {
    use calamine::{Data, Reader, Xlsx};
    let unreadable = |e: String| {
        vec![FieldError::new(
            "file",
            format!("无法读取XLSX文件：{e}"),
            format!("cannot read the XLSX file: {e}"),
        )]
    };
    let mut workbook =
        Xlsx::new(std::io::Cursor::new(bytes.to_vec())).map_err(|e| unreadable(e.to_string()))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| unreadable("no sheet".into()))?
        .map_err(|e| unreadable(e.to_string()))?;
    let rows = range.rows().map(|row| {
        row.iter()
            .map(|c| match c {
                Data::Empty => String::new(),
                Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
                Data::Bool(b) => b.to_string(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
    });
    items_from_rows(rows.collect::<Vec<_>>().into_iter())
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
    fn a_catalog_round_trips_through_csv_and_xlsx() {
        let items = read_csv(SAMPLE.as_bytes()).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].branch_code.as_deref(), Some("101"));
        assert_eq!(items[0].steps.len(), 3);
        assert_eq!(read_csv(&write_csv(&items)).unwrap(), items);
        assert_eq!(read_xlsx(&write_xlsx(&items).unwrap()).unwrap(), items);
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
}
