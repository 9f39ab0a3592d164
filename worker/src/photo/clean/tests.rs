use super::{clean, has_metadata, jpeg_tail, png_without_metadata};
use profile::Code;

const JPEG: &[u8] = include_bytes!("../../../../tests/fixtures/gps.jpg");
const PNG: &[u8] = include_bytes!("../../../../tests/fixtures/meta.png");
const WEBP: &[u8] = include_bytes!("../../../../tests/fixtures/meta.webp");
const HUGE: &[u8] = include_bytes!("../../../../tests/fixtures/huge.png");

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// What the fixtures carry (see tests/fixtures/make.py), none of which may stay.
const PERSONAL: [&[u8]; 6] = [
    b"Exif\0\0",
    b"PhoneMaker",
    b"http://ns.adobe.com/xap/1.0/",
    b"Photoshop 3.0",
    b"taken at home",
    b"Stockholm",
];

fn assert_clean(before: &[u8], after: &[u8]) {
    let media_type = profile::photo::sniff(before).unwrap();
    assert!(has_metadata(media_type, before) && !has_metadata(media_type, after));
    assert!(
        contains(before, b"PhoneMaker"),
        "the fixture carries metadata"
    );
    for needle in PERSONAL {
        assert!(
            !contains(after, needle),
            "{:?} stayed",
            String::from_utf8_lossy(needle)
        );
    }
    let size = imagesize::blob_size(after).expect("still a picture");
    assert_eq!((size.width, size.height), (64, 48));
    assert!(after.len() < before.len());
}

#[test]
fn a_jpeg_loses_exif_xmp_iptc_and_comments_but_keeps_its_colour_profile() {
    let after = clean("image/jpeg", JPEG).unwrap();
    assert_clean(JPEG, &after);
    assert!(contains(&after, b"ICC_PROFILE\0"));
    assert!(contains(&after, b"JFIF\0"));
    assert_eq!(&after[..2], &[0xFF, 0xD8]);
    assert_eq!(&after[after.len() - 2..], &[0xFF, 0xD9]);
    // The picture's own data is untouched: everything from the first scan on.
    let scan = |b: &[u8]| b.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    assert_eq!(&after[scan(&after)..], &JPEG[scan(JPEG)..]);
}

#[test]
fn what_follows_a_jpeg_goes_and_segments_between_its_scans_are_filtered() {
    let mut appended = JPEG.to_vec();
    appended.extend_from_slice(b"\xFF\xD8\xFF\xE1\x00\x10Exif\0\0PhoneMaker");
    let after = clean("image/jpeg", &appended).unwrap();
    assert_clean(&appended, &after);
    assert_eq!(&after[after.len() - 2..], &[0xFF, 0xD9]);

    let comment = b"\xFF\xFE\x00\x07hello";
    let table = b"\xFF\xC4\x00\x04\xAB\xCD";
    let mut tail = vec![
        0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56, 0xFF, 0xFF, 0xD4, 0x78,
    ];
    let data = tail.clone();
    tail.extend_from_slice(comment);
    tail.extend_from_slice(table);
    tail.extend_from_slice(b"\x9A\xFF\xD9trailing");
    let mut expected = data;
    expected.extend_from_slice(table);
    expected.extend_from_slice(b"\x9A\xFF\xD9");
    assert_eq!(jpeg_tail(&tail), expected);
    // A segment that claims more than there is ends the picture.
    assert_eq!(jpeg_tail(b"\x01\xFF\xE1\x40\x00Exif"), vec![0x01]);
    assert_eq!(jpeg_tail(b"\x01\xFF\xE1\x00"), vec![0x01]);
    assert_eq!(jpeg_tail(b"\x01\xFF"), vec![0x01, 0xFF]);
}

#[test]
fn a_png_loses_its_text_and_exif_chunks_but_keeps_its_colour_profile() {
    let after = clean("image/png", PNG).unwrap();
    assert_clean(PNG, &after);
    for kind in [b"tEXt", b"iTXt", b"zTXt", b"eXIf"] {
        assert!(contains(PNG, kind) && !contains(&after, kind));
    }
    assert!(contains(&after, b"iCCP"));
    assert!(after.ends_with(b"IEND\xAE\x42\x60\x82"));
}

#[test]
fn a_webp_loses_exif_and_xmp_and_says_so_in_its_header() {
    let after = clean("image/webp", WEBP).unwrap();
    assert_clean(WEBP, &after);
    assert!(!contains(&after, b"EXIF") && !contains(&after, b"XMP "));
    assert!(contains(&after, b"ICCP"));
    let riff_size = u32::from_le_bytes(after[4..8].try_into().unwrap()) as usize;
    assert_eq!(riff_size, after.len() - 8);
    assert_eq!(&after[12..16], b"VP8X");
    let flags = after[20];
    assert_eq!(flags & 0b0000_1100, 0, "neither the EXIF nor the XMP flag");
    assert_eq!(flags & 0b0010_0000, 0b0010_0000, "the ICC flag");
}

#[test]
fn a_picture_must_be_what_it_is_sent_as_and_not_too_many_pixels() {
    let code = |media_type: &str, bytes: &[u8]| clean(media_type, bytes).unwrap_err().code;
    assert_eq!(code("image/jpeg", PNG), Code::ImageType);
    assert_eq!(code("image/png", b"just some text"), Code::ImageType);
    assert_eq!(code("image/webp", JPEG), Code::ImageType);
    assert_eq!(code("image/png", HUGE), Code::ImageTooManyPixels);
    // A signature with nothing readable behind it.
    assert_eq!(code("image/png", &PNG[..20]), Code::ImageType);
    assert_eq!(code("image/jpeg", &JPEG[..40]), Code::ImageType);
    let mut big = JPEG.to_vec();
    big.resize(profile::photo::MAX_BYTES + 1, 0);
    assert_eq!(code("image/jpeg", &big), Code::ImageTooLarge);
}

#[test]
fn a_size_only_the_original_shows_is_refused() {
    // Found by the fuzz target `photo`: a JPEG whose size the header reader
    // found in bytes that stripping removes. What is kept is checked again.
    let found = include_bytes!("fuzz-found-size.jpg");
    if let Ok(kept) = clean("image/jpeg", found) {
        let size = imagesize::blob_size(&kept).expect("a kept picture has a size");
        assert!(size.width <= 4096 && size.height <= 4096);
    }
}

#[test]
fn png_chunks_that_do_not_add_up_are_refused_and_nothing_follows_the_end() {
    let mut trailing = PNG.to_vec();
    trailing.extend_from_slice(b"tEXtafter the end");
    let kept = png_without_metadata(&trailing).unwrap();
    assert!(kept.ends_with(b"IEND\xAE\x42\x60\x82"));
    assert!(!contains(&kept, b"after the end"));
    // Cut short, without its end, or a chunk longer than the file.
    assert_eq!(png_without_metadata(&PNG[..PNG.len() - 12]), None);
    assert_eq!(png_without_metadata(&PNG[..PNG.len() - 3]), None);
    let mut long = PNG[..8].to_vec();
    long.extend_from_slice(b"\xFF\xFF\xFF\xF0IHDR");
    assert_eq!(png_without_metadata(&long), None);
    assert_eq!(png_without_metadata(b"\x89PNG"), None);
}

/// Found by the fuzz target `photo`: a picture whose cleaned bytes were
/// refused when sent again. What is kept must be accepted again, unchanged.
#[test]
fn what_is_kept_is_accepted_again_unchanged() {
    let odd: &[u8] =
        include_bytes!("../../../../crates/profile/fuzz/seeds/photo/cleaned-unreadable.jpg");
    let refused = clean("image/jpeg", odd).expect_err("its frame header comes after its scan");
    assert_eq!(refused.code, Code::ImageType);
    for media_type in profile::photo::MEDIA_TYPES {
        if let Ok(kept) = clean(media_type, odd) {
            assert_eq!(clean(media_type, &kept).ok(), Some(kept), "{media_type}");
        }
    }
}
