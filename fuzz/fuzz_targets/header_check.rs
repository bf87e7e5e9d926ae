//! The receiver's age header check on any bytes, fed whole and in pieces as a body arrives:
//! it never panics, the incremental header end agrees with the checked header's length, and
//! no accepted header is over the caps.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sealdrop_server::agecheck::{check, check_header, header_len, MAX_HEADER_BYTES, MAX_STANZAS};

fuzz_target!(|data: &[u8]| {
    let whole = check_header(data);
    if let Ok(n) = whole {
        assert!(n <= MAX_HEADER_BYTES && n <= data.len());
        let stanzas = data[..n].windows(4).filter(|w| w == b"\n-> ").count();
        assert!(stanzas <= MAX_STANZAS);
        // The end found while bytes arrive is the header's end.
        let mut from = 0;
        let mut found = None;
        for end in (1..=data.len()).step_by(7).chain([data.len()]) {
            if let Some(e) = header_len(&data[..end], &mut from) {
                found = Some(e);
                break;
            }
        }
        assert_eq!(found, Some(n));
        assert_eq!(check(data).is_ok(), data.len() - n >= 16);
    }
});
