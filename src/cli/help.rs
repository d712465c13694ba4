//! `--help`, rendered from the flag table.

#![forbid(unsafe_code)]

use super::defs::{ABOUT, EXIT_STATUS, FLAGS, FlagDef, Section, USAGE};

fn left(def: &FlagDef) -> String {
    let mut s = match def.short {
        Some(c) => format!("-{c}, --{}", def.long),
        None => format!("    --{}", def.long),
    };
    if let Some(v) = def.value.name() {
        s.push(' ');
        s.push_str(v);
    }
    s
}

pub fn render() -> String {
    let mut out = format!("Usage: {USAGE}\n\n{}\n", wrap(ABOUT, 0, 78));
    let width = FLAGS.iter().map(|f| left(f).len()).max().unwrap_or(0) + 2;
    for section in Section::ALL {
        out.push_str(&format!("\n{}:\n", section.title()));
        for def in FLAGS.iter().filter(|f| f.section == section) {
            let l = left(def);
            let text = wrap(def.help, width + 2, 78);
            out.push_str(&format!("  {l:width$}{}\n", text.trim_start()));
        }
    }
    out.push_str("\nExit status:\n");
    for (code, what) in EXIT_STATUS {
        out.push_str(&format!("  {code:8}{}\n", wrap(what, 10, 78).trim_start()));
    }
    out.push_str("\nSee jail(1) for details.\n");
    out
}

/// Wrap `text` at `width` columns, indenting continuation lines by `indent`.
fn wrap(text: &str, indent: usize, width: usize) -> String {
    let mut out = String::new();
    let mut col = 0;
    for word in text.split_whitespace() {
        if col > indent && col + 1 + word.len() > width {
            out.push('\n');
            col = 0;
        }
        if col == 0 {
            out.push_str(&" ".repeat(indent));
            col = indent;
        } else {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += word.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_flag() {
        let h = render();
        for f in FLAGS {
            assert!(h.contains(&format!("--{}", f.long)), "{} missing", f.long);
        }
    }

    #[test]
    fn fits_80_columns() {
        for line in render().lines() {
            assert!(line.len() <= 80, "too long: {line}");
        }
    }
}
