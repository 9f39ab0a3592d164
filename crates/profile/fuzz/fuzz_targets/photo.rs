//! Arbitrary bytes as an uploaded photo, sent as each of the types a photo
//! may be, cleaned as the Worker cleans it. No step may panic; what is kept
//! is of the type it was sent as and within the limits, its own reader finds
//! no metadata container in it, and it is accepted when sent again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profile::photo::{MEDIA_TYPES, check_bytes, sniff};
use profile_worker::photo::{clean, has_metadata};

fuzz_target!(|data: &[u8]| {
    for media_type in MEDIA_TYPES {
        let Ok(kept) = clean(media_type, data) else {
            continue;
        };
        assert_eq!(sniff(&kept), Some(media_type), "the type changed");
        let size = imagesize::blob_size(&kept).ok();
        let pixels = size.map(|s| (s.width as u64, s.height as u64));
        assert_eq!(check_bytes(media_type, &kept, pixels), None);
        assert!(!has_metadata(media_type, &kept), "metadata was kept");
        let again = clean(media_type, &kept).expect("a kept photo is accepted again");
        assert!(!has_metadata(media_type, &again));
    }
});
