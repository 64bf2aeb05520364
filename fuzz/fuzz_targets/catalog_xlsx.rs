//! The catalog XLSX import, on arbitrary bytes. The first byte chooses what the rest is:
//! even, the whole input is the file (a real workbook starts with `PK`, 0x50); odd, the rest
//! is a worksheet's XML, optionally followed by a NUL and the shared-string table's XML,
//! packed into a valid workbook here. A workbook that reads must write and read back as the
//! same items.
#![no_main]

mod xlsx_package;

use liandong_app::catalog_file::{read_xlsx, write_xlsx};
use libfuzzer_sys::fuzz_target;

fn check(file: &[u8]) {
    if let Ok(items) = read_xlsx(file) {
        let written = match write_xlsx(&items) {
            Ok(written) => written,
            Err(error) => panic!("the catalog does not write: {error}"),
        };
        match read_xlsx(&written) {
            Ok(again) => assert_eq!(again, items),
            Err(errors) => panic!("the written workbook does not read back: {errors:?}"),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        check(data);
    } else {
        let (sheet, strings) = match rest.iter().position(|&b| b == 0) {
            Some(at) => (&rest[..at], Some(&rest[at + 1..])),
            None => (rest, None),
        };
        check(&xlsx_package::package(sheet, strings));
    }
});
