//! First stage: record what was typed, in order. No validation across flags
//! here; that is `spec`'s job.

#![forbid(unsafe_code)]

use std::ffi::OsString;

use super::defs::{self, FlagDef, FlagId};
use crate::error::Error;

/// The command line as typed: every flag with its value, in order, and
/// COMMAND with its arguments (untouched, byte-exact).
#[derive(Debug, Default)]
pub struct LowArgs {
    pub flags: Vec<(FlagId, Option<OsString>)>,
    pub command: Vec<OsString>,
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Parsed {
    Run(LowArgs),
    Help,
    Version,
    /// `--completions SHELL` (the shell is checked by the caller).
    Completions(OsString),
    Check,
}

/// Parse `args` (without argv[0]). Stops at the first word that is not an
/// option, or after `--`.
pub fn parse<I>(args: I) -> Result<Parsed, Error>
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    use lexopt::Arg;
    let mut parser = lexopt::Parser::from_args(args);
    let mut low = LowArgs::default();
    loop {
        let arg = match parser.next() {
            Ok(Some(arg)) => arg,
            Ok(None) => break,
            Err(e) => return Err(lexopt_error(e)),
        };
        let long = matches!(arg, Arg::Long(_));
        let def: &FlagDef = match arg {
            Arg::Long(name) => defs::by_long(name).ok_or_else(|| {
                Error::usage(format!("--{name}: unknown option"))
                    .with_hint(closest(name).map(|c| format!("did you mean --{c}?")))
            })?,
            Arg::Short(c) => {
                defs::by_short(c).ok_or_else(|| Error::usage(format!("-{c}: unknown option")))?
            }
            Arg::Value(first) => {
                low.command.push(first);
                low.command.extend(parser.raw_args().map_err(lexopt_error)?);
                break;
            }
        };
        let flag = defs::display(def);
        let value = match def.value.name() {
            Some(_) => match parser.value() {
                Ok(v) => Some(v),
                Err(lexopt::Error::MissingValue { .. }) => {
                    return Err(Error::usage(format!("{flag}: missing value")));
                }
                Err(e) => return Err(lexopt_error(e)),
            },
            None => {
                // `--net=x`. (For a short flag the rest of its cluster holds
                // more flags, not a value.)
                if let Some(v) = long.then(|| parser.optional_value()).flatten() {
                    return Err(Error::usage(format!(
                        "{flag}: takes no value (got '{}')",
                        v.to_string_lossy()
                    )));
                }
                None
            }
        };
        match def.id {
            FlagId::Help => return Ok(Parsed::Help),
            FlagId::Version => return Ok(Parsed::Version),
            FlagId::Completions => return Ok(Parsed::Completions(value.unwrap_or_default())),
            FlagId::Check => return Ok(Parsed::Check),
            id => low.flags.push((id, value)),
        }
    }
    Ok(Parsed::Run(low))
}

fn lexopt_error(e: lexopt::Error) -> Error {
    Error::usage(e.to_string())
}

/// The long flag nearest to a mistyped `name` (at most 2 edits away, and
/// fewer than half of its letters), if one is.
fn closest(name: &str) -> Option<&'static str> {
    defs::FLAGS
        .iter()
        .map(|d| (distance(name, d.long), d.long))
        .filter(|&(n, long)| n <= 2 && n * 2 < long.len().max(name.len()))
        // On a tie, a flag the typed name begins (`--hid`: `--hide`).
        .min_by_key(|&(n, long)| (n, !long.starts_with(name)))
        .map(|(_, long)| long)
}

/// Edit distance (insert, delete, substitute, swap two neighbours).
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> LowArgs {
        match parse(args.iter().copied()).unwrap() {
            Parsed::Run(l) => l,
            p => panic!("not a run: {p:?}"),
        }
    }

    fn err(args: &[&str]) -> String {
        parse(args.iter().copied()).unwrap_err().to_string()
    }

    #[test]
    fn stops_at_command() {
        let l = run(&["--net", "echo", "--net", "-p"]);
        assert_eq!(l.flags, vec![(FlagId::Net, None)]);
        assert_eq!(l.command, vec!["echo", "--net", "-p"]);
    }

    #[test]
    fn double_dash_ends_options() {
        let l = run(&["-n", "--", "--pid", "x"]);
        assert_eq!(l.flags, vec![(FlagId::Net, None)]);
        assert_eq!(l.command, vec!["--pid", "x"]);
    }

    #[test]
    fn clustered_shorts_and_values() {
        let l = run(&["-np", "--uid", "5", "--hostname=h", "true"]);
        assert_eq!(
            l.flags,
            vec![
                (FlagId::Net, None),
                (FlagId::Pid, None),
                (FlagId::Uid, Some("5".into())),
                (FlagId::Hostname, Some("h".into())),
            ]
        );
    }

    #[test]
    fn no_command_is_empty() {
        assert!(run(&["-n"]).command.is_empty());
    }

    #[test]
    fn errors_name_the_flag() {
        assert_eq!(err(&["--bogus"]), "--bogus: unknown option");
        assert_eq!(err(&["-Z"]), "-Z: unknown option");
        assert_eq!(err(&["--uid"]), "--uid: missing value");
        assert!(err(&["--net=1"]).starts_with("--net: takes no value"));
    }

    #[test]
    fn help_and_version() {
        assert!(matches!(parse(["-h"]).unwrap(), Parsed::Help));
        assert!(matches!(parse(["--version"]).unwrap(), Parsed::Version));
    }

    fn is_action(id: FlagId) -> bool {
        matches!(
            id,
            FlagId::Help | FlagId::Version | FlagId::Completions | FlagId::Check
        )
    }

    #[test]
    fn completions_and_check_are_actions() {
        assert!(matches!(
            parse(["--completions", "zsh"]).unwrap(),
            Parsed::Completions(s) if s == "zsh"
        ));
        assert!(matches!(parse(["--check"]).unwrap(), Parsed::Check));
    }

    #[test]
    fn every_flag_is_reachable_by_its_names() {
        for def in defs::FLAGS {
            let mut args = vec![format!("--{}", def.long)];
            if def.value.name().is_some() {
                args.push("v".into());
            }
            match parse(args.clone()).unwrap() {
                Parsed::Run(l) => assert_eq!(l.flags[0].0, def.id, "{args:?}"),
                _ => assert!(is_action(def.id)),
            }
            if let Some(c) = def.short {
                let mut args = vec![format!("-{c}")];
                if def.value.name().is_some() {
                    args.push("v".into());
                }
                match parse(args).unwrap() {
                    Parsed::Run(l) => assert_eq!(l.flags[0].0, def.id),
                    _ => assert!(is_action(def.id)),
                }
            }
        }
    }

    #[test]
    fn names_are_unique() {
        for (i, a) in defs::FLAGS.iter().enumerate() {
            for b in &defs::FLAGS[i + 1..] {
                assert_ne!(a.long, b.long);
                assert!(a.short.is_none() || a.short != b.short, "{}", a.long);
                assert_ne!(a.id, b.id);
            }
        }
    }
}
