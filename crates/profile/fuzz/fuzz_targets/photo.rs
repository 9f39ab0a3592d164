//! Arbitrary bytes as an uploaded photo, sent as each of the types a photo
//! may be, cleaned as the Worker cleans it. No step may panic; what is kept
//! is still of the type it was sent as, within the limits, and cleaning it
//! again changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profile::photo::{MEDIA_TYPES, check_bytes, sniff};
use profile_worker::photo::clean;

fuzz_target!(|data: &[u8]| {
    for media_type in MEDIA_TYPES {
        let Ok(cleaned) = clean(media_type, data) else {
            continue;
        };
        assert_eq!(sniff(&cleaned), Some(media_type), "the type changed");
        let size = imagesize::blob_size(&cleaned).ok();
        let pixels = size.map(|s| (s.width as u64, s.height as u64));
        assert_eq!(check_bytes(media_type, &cleaned, pixels), None);
        let again = clean(media_type, &cleaned).expect("a cleaned photo is accepted");
        assert_eq!(again, cleaned, "cleaning twice changed the photo");
    }
});
