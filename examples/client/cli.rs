//! The command line of the `sensor` and `subscriber` examples (each includes this file with
//! `#[path]`): `main`'s exit codes and help text, and the reading of option values. Options
//! are parsed by hand, so that the examples need nothing but `std` and mqttwire.

use mqttwire::QoS;
use std::error::Error;
use std::process::ExitCode;
use std::str::FromStr;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The whole of an example's `main`: `parse` reads the command line (`Ok(None)` asks for the
/// help text), then `run` runs with the options. Errors are printed prefixed by `name`; the
/// exit code is 0 on success and after `--help`, 2 for a usage error (printed with `help`),
/// 1 when `run` fails.
pub fn main<O>(
    name: &str,
    help: &str,
    parse: impl FnOnce(Args) -> Result<Option<O>>,
    run: impl FnOnce(&O) -> Result<()>,
) -> ExitCode {
    let options = match parse(Args(std::env::args().skip(1))) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!("{help}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{name}: {e}\n\n{help}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The command-line arguments after the program's name: options, each followed by its value
/// when it takes one.
pub struct Args(std::iter::Skip<std::env::Args>);

impl Iterator for Args {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        self.0.next()
    }
}

impl Args {
    /// The value of `option`: the next argument.
    pub fn value(&mut self, option: &str) -> Result<String> {
        Ok(self.next().ok_or(format!("{option} needs a value"))?)
    }

    /// The value of `option`, parsed as a `T`.
    pub fn parse<T: FromStr>(&mut self, option: &str) -> Result<T>
    where
        T::Err: Error + 'static,
    {
        Ok(self.value(option)?.parse()?)
    }

    /// The value of `option`, a QoS level: 0, 1 or 2.
    pub fn qos(&mut self, option: &str) -> Result<QoS> {
        let bits: u8 = self.parse(option)?;
        Ok(QoS::from_bits(bits).ok_or(format!("{option} must be 0, 1 or 2"))?)
    }
}
