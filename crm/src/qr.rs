//! QR codes as PNG images for the chat: a payment link or a bank-transfer payload. Error
//! correction M (a phone camera still reads a slightly crumpled or glared screen) and the
//! standard quiet zone of four modules, scaled by whole pixels to about 400–500 px so that
//! every module stays sharp. Never decides what goes in: callers pass the finished payload.

use crate::domain::Invalid;
use qrcode::{Color, EcLevel, QrCode};

/// Modules of blank margin on each side, as ISO/IEC 18004 asks.
const QUIET_ZONE: usize = 4;
/// The image's side aimed at, in pixels.
const TARGET_PX: usize = 480;

/// Whether the payload fits a QR code, without drawing it (what is queued to be drawn later,
/// by the outbox's sender, is checked with this).
pub fn fits(payload: &str) -> Result<(), Invalid> {
    encode(payload).map(|_| ())
}

/// [`png`] on the blocking pool (`crate::heavy`): drawing and compressing one takes 1–2 ms,
/// which on the one async worker would hold every reply behind it. Every QR code the bot or
/// the panel sends is drawn here.
pub async fn png_off_worker(payload: String) -> crate::Result<Vec<u8>> {
    match crate::heavy::run(move || png(&payload)).await {
        Some(drawn) => Ok(drawn?),
        None => Err(crate::Error::Internal("drawing a QR code panicked")),
    }
}

fn encode(payload: &str) -> Result<QrCode, Invalid> {
    QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M).map_err(|_| Invalid::TextTooLong)
}

/// The payload as a black-on-white QR code PNG; refused when it does not fit any QR version.
pub fn png(payload: &str) -> Result<Vec<u8>, Invalid> {
    let code = encode(payload)?;
    let modules = code.width();
    let colors = code.to_colors();
    let side_modules = modules + 2 * QUIET_ZONE;
    let scale = (TARGET_PX / side_modules).max(1);
    let side = side_modules * scale;
    // One bit a pixel, 1 = white, rows padded to whole bytes as PNG requires.
    let row_bytes = side.div_ceil(8);
    let mut pixels = vec![0u8; row_bytes * side];
    for y in 0..side {
        let my = (y / scale).checked_sub(QUIET_ZONE).filter(|m| *m < modules);
        for x in 0..side {
            let mx = (x / scale).checked_sub(QUIET_ZONE).filter(|m| *m < modules);
            let dark = matches!((mx, my), (Some(mx), Some(my)) if colors[my * modules + mx] == Color::Dark);
            if !dark {
                pixels[y * row_bytes + x / 8] |= 0x80 >> (x % 8);
            }
        }
    }
    let mut out = Vec::new();
    let side = u32::try_from(side).map_err(|_| Invalid::TextTooLong)?;
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    // Writing into a Vec fails only on a wrong buffer size, which the arithmetic above rules out.
    let written = encoder.write_header().and_then(|mut w| w.write_image_data(&pixels));
    written.map_err(|_| Invalid::TextTooLong)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_becomes_a_png_of_about_five_hundred_pixels() {
        let img = png("https://yoomoney.ru/checkout/payments/v2/contract?orderId=2e8c1f2a").expect("fits");
        assert_eq!(&img[..8], b"\x89PNG\r\n\x1a\n");
        let width = u32::from_be_bytes([img[16], img[17], img[18], img[19]]);
        assert!((400..=520).contains(&width), "{width}");
    }

    #[test]
    fn a_payload_longer_than_any_qr_code_is_refused() {
        assert_eq!(fits(&"x".repeat(3000)), Err(Invalid::TextTooLong));
        assert_eq!(fits("https://yoomoney.ru/checkout"), Ok(()));
        assert_eq!(png(&"x".repeat(3000)), Err(Invalid::TextTooLong));
    }
}
