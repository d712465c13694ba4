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
    let mut spliced = Spliced::default();
    loop {
        // How many words are left before this one is read (None inside a
        // cluster of short flags, which --args never is).
        let left = parser.try_raw_args().map(|r| r.as_slice().len());
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
            FlagId::Args => {
                // A word of an --args file: more than the words that
                // followed the last --args FD are left.
                if spliced.tail.is_some_and(|t| left.is_some_and(|l| l > t)) {
                    return Err(Error::usage(
                        "--args: not allowed in the arguments read by --args",
                    ));
                }
                let rest: Vec<OsString> = parser.raw_args().map_err(lexopt_error)?.collect();
                let words = spliced.read(&value.unwrap_or_default())?;
                spliced.tail = Some(rest.len());
                parser = lexopt::Parser::from_args(words.into_iter().chain(rest));
            }
            id => low.flags.push((id, value)),
        }
    }
    Ok(Parsed::Run(low))
}

/// At most this much data in all `--args` files, and this many words: a
/// spec too long for a command line fits, `--args 0 < /dev/zero` stops.
pub const ARGS_MAX_BYTES: usize = 16 << 20;
pub const ARGS_MAX_WORDS: usize = 100_000;

/// What the `--args` flags read so far.
#[derive(Default)]
struct Spliced {
    /// How many words followed the last `--args FD`: the words left beyond
    /// these came from its file.
    tail: Option<usize>,
    bytes: usize,
    words: usize,
}

impl Spliced {
    /// The words of `--args FD`.
    fn read(&mut self, v: &std::ffi::OsStr) -> Result<Vec<OsString>, Error> {
        use std::os::unix::ffi::OsStrExt;
        let fd = super::fd_data::parse_fd("--args", v)?;
        let left = ARGS_MAX_BYTES - self.bytes;
        let data = super::fd_data::read_all("--args", fd, left + 1)?;
        if data.len() > left {
            return Err(Error::usage(format!(
                "--args {fd}: more than {} MiB of arguments in all",
                ARGS_MAX_BYTES >> 20
            )));
        }
        self.bytes += data.len();
        let words = super::fd_data::split_nul(&data);
        self.words += words.len();
        if self.words > ARGS_MAX_WORDS {
            return Err(Error::usage(format!(
                "--args {fd}: more than {ARGS_MAX_WORDS} arguments"
            )));
        }
        Ok(words
            .into_iter()
            .map(|w| std::ffi::OsStr::from_bytes(w).to_owned())
            .collect())
    }
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
            if def.id == FlagId::Args {
                // Spliced in, never recorded (see `args_are_spliced_in`).
                continue;
            }
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

    /// A pipe holding `data`, read end returned (for `--args N`).
    fn pipe_with(data: &[u8]) -> std::os::fd::OwnedFd {
        let (rd, wr) = rustix::pipe::pipe().unwrap();
        rustix::io::write(&wr, data).unwrap();
        rd
    }

    #[test]
    fn args_are_spliced_in() {
        use std::os::fd::AsRawFd;
        let a = pipe_with(b"--net\0--hostname\0a b\n\0");
        let b = pipe_with(b"-p\0--\0echo\0\0x\0");
        let (a_fd, b_fd) = (a.as_raw_fd().to_string(), b.as_raw_fd().to_string());
        let l = run(&["--uts", "--args", &a_fd, "--args", &b_fd, "tail"]);
        assert_eq!(
            l.flags,
            vec![
                (FlagId::Uts, None),
                (FlagId::Net, None),
                (FlagId::Hostname, Some("a b\n".into())),
                (FlagId::Pid, None),
            ]
        );
        assert_eq!(l.command, vec!["echo", "", "x", "tail"]);
    }

    #[test]
    fn args_do_not_nest() {
        use std::os::fd::AsRawFd;
        let inner = pipe_with(b"--net\0");
        let fd = inner.as_raw_fd().to_string();
        let outer = pipe_with(format!("--pid\0--args\0{fd}\0").as_bytes());
        let e = err(&["--args", &outer.as_raw_fd().to_string(), "true"]);
        assert_eq!(e, "--args: not allowed in the arguments read by --args");
        // A value or COMMAND's argument that reads "--args" is no flag.
        let ok = pipe_with(b"--hostname\0--args\0sh\0--args\0");
        let l = run(&["--args", &ok.as_raw_fd().to_string(), "--args"]);
        assert_eq!(l.flags, vec![(FlagId::Hostname, Some("--args".into()))]);
        assert_eq!(l.command, vec!["sh", "--args", "--args"]);
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
