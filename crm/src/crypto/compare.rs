//! Comparing secrets (CSRF tokens, the Telegram webhook's secret header) in constant time: a
//! comparison that stops at the first differing byte lets an attacker learn, by timing, how
//! much of a guess was right, and so find the secret byte by byte.

use subtle::ConstantTimeEq;

/// Whether `given` is exactly `expected`, in time that depends only on the lengths. An empty
/// `expected` is no secret and matches nothing.
pub fn same_secret(expected: &[u8], given: &[u8]) -> bool {
    !expected.is_empty() && expected.len() == given.len() && bool::from(expected.ct_eq(given))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_secret_matches() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"ab"), "a prefix");
        assert!(!same_secret(b"abc", b"abcd"), "a longer guess");
        assert!(!same_secret(b"abc", b""));
        assert!(!same_secret(b"", b""), "an empty secret matches nothing");
    }
}
