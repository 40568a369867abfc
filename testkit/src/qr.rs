//! Reads a QR code image back with a real reader, zbar's `zbarimg` (Debian `zbar-tools`), so a
//! test proves what a phone's camera would get, not what our encoder meant to write.

/// The payload of the one QR code in a PNG, byte for byte; `None` where zbar is not installed,
/// except under CI, which must have it.
pub fn qr_text(png: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("code.png");
    std::fs::write(&file, png).unwrap();
    // `-Sbinary` hands the bytes over undecoded: zbar's own charset guess would be tested
    // otherwise, not the payload.
    let run = std::process::Command::new("zbarimg").args(["--quiet", "--raw", "-Sbinary"]).arg(&file).output();
    match run {
        Ok(out) => {
            assert!(out.status.success(), "zbarimg found no QR code: {}", String::from_utf8_lossy(&out.stderr));
            let mut bytes = out.stdout;
            // `--raw` ends the symbol with a line break of its own.
            if bytes.last() == Some(&b'\n') {
                bytes.pop();
            }
            Some(String::from_utf8(bytes).expect("the QR code holds UTF-8"))
        }
        Err(_) if std::env::var_os("CI").is_some() => panic!("CI must have zbarimg (zbar-tools)"),
        Err(_) => {
            eprintln!("zbarimg is not installed: the QR code is not read back (apt-get install zbar-tools)");
            None
        }
    }
}
