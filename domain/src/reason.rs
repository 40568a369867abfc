//! Why an action was taken, as staff or a client give it (a status move, a blacklisting, a
//! reversed operation, a refund): it stays in the history and the log for whoever looks later.

use super::Invalid;

/// The reason with its whitespace folded: at least two letters or digits («.» or «-» says
/// nothing to whoever reads the history later), and at most `max` characters.
pub fn reason(text: &str, max: usize) -> Result<String, Invalid> {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.is_empty() {
        return Err(Invalid::ReasonRequired);
    }
    if folded.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
        return Err(Invalid::ReasonMeaningless);
    }
    if folded.chars().count() > max {
        return Err(Invalid::TextTooLong);
    }
    Ok(folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_says_something() {
        assert_eq!(reason("  подписан   в офисе ", 100).as_deref(), Ok("подписан в офисе"));
        assert_eq!(reason("ок", 100).as_deref(), Ok("ок"));
        assert_eq!(reason("   ", 100), Err(Invalid::ReasonRequired));
        for nothing in [".", "-", "…", "?!", "а"] {
            assert_eq!(reason(nothing, 100), Err(Invalid::ReasonMeaningless), "{nothing}");
        }
        assert_eq!(reason("очень долго", 5), Err(Invalid::TextTooLong));
    }
}
