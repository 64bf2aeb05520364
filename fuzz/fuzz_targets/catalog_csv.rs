//! The catalog CSV import: arbitrary bytes. A file that reads must write and read back as the
//! same items.
#![no_main]

use liandong_app::catalog_file::{read_csv, write_csv};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(items) = read_csv(data) {
        let written = write_csv(&items);
        match read_csv(&written) {
            Ok(again) => assert_eq!(again, items),
            Err(errors) => panic!("the written catalog does not read back: {errors:?}"),
        }
    }
});
