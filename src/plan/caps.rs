//! `--cap-drop` and `--cap-add`: capability names, and the set root
//! inside keeps.

#![forbid(unsafe_code)]

use crate::cli::defs::CAPS;

/// Every capability jail knows, as a mask (bit N: capability N).
pub const ALL: u64 = (1 << (CAPS.len() - 1)) - 1;

/// The mask of a value of --cap-drop or --cap-add: `ALL`, or one name of
/// capabilities(7), with or without `CAP_`, in any case.
pub fn parse(name: &str) -> Option<u64> {
    if name.eq_ignore_ascii_case("ALL") {
        return Some(ALL);
    }
    let upper = name.to_ascii_uppercase();
    let full = if upper.starts_with("CAP_") {
        upper
    } else {
        format!("CAP_{upper}")
    };
    CAPS.iter().skip(1).position(|c| *c == full).map(|n| 1 << n)
}

/// The names in `mask`, lowercase (as capsh prints them),
/// comma-separated; `none` for an empty mask.
pub fn names(mask: u64) -> String {
    let list: Vec<String> = (0..CAPS.len() - 1)
        .filter(|n| mask & (1 << n) != 0)
        .map(|n| CAPS[n + 1].to_ascii_lowercase())
        .collect();
    if list.is_empty() {
        "none".into()
    } else {
        list.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_with_or_without_prefix_in_any_case() {
        assert_eq!(parse("CAP_CHOWN"), Some(1));
        assert_eq!(parse("chown"), Some(1));
        assert_eq!(parse("Cap_Sys_Admin"), Some(1 << 21));
        assert_eq!(parse("net_admin"), Some(1 << 12));
        assert_eq!(parse("CAP_CHECKPOINT_RESTORE"), Some(1 << 40));
        assert_eq!(parse("all"), Some(ALL));
        assert_eq!(ALL.count_ones(), 41);
        for bad in ["", "CAP_", "CAP_ALL", "sys-admin", "CAP_SYS_ADMINX", "41"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn names_of_a_mask() {
        assert_eq!(names(0), "none");
        assert_eq!(names((1 << 21) | 1), "cap_chown,cap_sys_admin");
    }
}
