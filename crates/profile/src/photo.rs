//! The profile photo's rules, the same in the widget (checked before
//! anything is uploaded) and in the Worker (checked again on the bytes).

use crate::{Code, FieldError};

/// The largest photo file, in bytes (2 MiB).
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
/// The widest and tallest photo, in pixels.
pub const MAX_SIDE: u64 = 4096;
/// The media types a photo may be sent as.
pub const MEDIA_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];
/// The media types, as a file picker's `accept` lists them.
pub const ACCEPT: &str = "image/jpeg,image/png,image/webp";
/// Where a photo's errors point.
pub const POINTER: &str = "/photo";

/// The media type the bytes are, from their signature; `None` when they are
/// none of [`MEDIA_TYPES`].
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// What is wrong with a file of `media_type` and `size` bytes, before its
/// bytes are read: the widget's check when the customer picks a file.
pub fn check_file(media_type: &str, size: u64) -> Option<FieldError> {
    if !MEDIA_TYPES.contains(&media_type) {
        Some(FieldError::new(POINTER, Code::ImageType))
    } else if size > MAX_BYTES as u64 {
        Some(too_large())
    } else {
        None
    }
}

/// The error of a file over [`MAX_BYTES`].
pub fn too_large() -> FieldError {
    FieldError::new(POINTER, Code::ImageTooLarge).with("max", MAX_BYTES / (1024 * 1024))
}

/// What is wrong with `bytes` sent as `media_type`, given the pixel size
/// its headers declare (`None` when they could not be read).
pub fn check_bytes(
    media_type: &str,
    bytes: &[u8],
    pixels: Option<(u64, u64)>,
) -> Option<FieldError> {
    if bytes.len() > MAX_BYTES {
        return Some(too_large());
    }
    if sniff(bytes) != Some(media_type) {
        return Some(FieldError::new(POINTER, Code::ImageType).with("sent_as", media_type));
    }
    match pixels {
        None => Some(FieldError::new(POINTER, Code::ImageType)),
        Some((width, height)) if width > MAX_SIDE || height > MAX_SIDE => {
            Some(FieldError::new(POINTER, Code::ImageTooManyPixels).with("max", MAX_SIDE))
        }
        Some(_) => None,
    }
}

/// A stored photo's id: 32 lowercase hexadecimal digits, 128 random bits
/// (never a hash of the picture, which anyone holding it could compute).
pub fn valid_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0];
    const WEBP: &[u8] = b"RIFF\x10\0\0\0WEBPVP8 ";

    #[test]
    fn the_picker_accepts_the_media_types() {
        assert_eq!(ACCEPT, MEDIA_TYPES.join(","));
    }

    #[test]
    fn the_type_is_read_from_the_bytes() {
        assert_eq!(sniff(PNG), Some("image/png"));
        assert_eq!(sniff(JPEG), Some("image/jpeg"));
        assert_eq!(sniff(WEBP), Some("image/webp"));
        for other in [
            &b"GIF89a"[..],
            b"RIFF\0\0\0\0WAVE",
            b"hello",
            b"",
            b"\xFF\xD8",
        ] {
            assert_eq!(sniff(other), None, "{other:?}");
        }
    }

    #[test]
    fn a_file_is_checked_by_its_type_and_size_before_it_is_read() {
        assert_eq!(check_file("image/png", MAX_BYTES as u64), None);
        let big = check_file("image/webp", MAX_BYTES as u64 + 1).unwrap();
        assert_eq!(
            (big.code, big.params["max"].as_u64()),
            (Code::ImageTooLarge, Some(2))
        );
        assert_eq!(check_file("image/gif", 10).unwrap().code, Code::ImageType);
        assert_eq!(check_file("", 10).unwrap().code, Code::ImageType);
    }

    #[test]
    fn bytes_must_be_what_they_are_sent_as_and_not_too_many_pixels() {
        assert_eq!(check_bytes("image/png", PNG, Some((4096, 4096))), None);
        let mismatch = check_bytes("image/jpeg", PNG, Some((1, 1))).unwrap();
        assert_eq!(mismatch.code, Code::ImageType);
        assert_eq!(mismatch.pointer, POINTER);
        assert_eq!(
            check_bytes("image/png", b"text", None).unwrap().code,
            Code::ImageType
        );
        assert_eq!(
            check_bytes("image/png", PNG, None).unwrap().code,
            Code::ImageType
        );
        let huge = check_bytes("image/png", PNG, Some((20000, 20000))).unwrap();
        assert_eq!(
            (huge.code, huge.params["max"].as_u64()),
            (Code::ImageTooManyPixels, Some(4096))
        );
        let wide = check_bytes("image/jpeg", JPEG, Some((4097, 1))).unwrap();
        assert_eq!(wide.code, Code::ImageTooManyPixels);
    }

    #[test]
    fn an_id_is_128_random_bits_in_hex() {
        assert!(valid_id("0123456789abcdef0123456789abcdef"));
        for bad in [
            "",
            "0123456789ABCDEF0123456789ABCDEF",
            "../0123456789abcdef0123456789ab",
            &"a".repeat(64),
        ] {
            assert!(!valid_id(bad), "{bad}");
        }
    }
}
