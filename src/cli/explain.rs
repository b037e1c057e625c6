//! `ripple explain CODE`

use ripple::check::Code;
use ripple::{Error, ErrorKind, Errors};

use super::{Verdict, emit};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A diagnostic code (`R301`) or name (`incompatible`); without one, lists them all.
    code: Option<String>,
}

pub(crate) fn run(args: Args) -> Result<Verdict, Errors> {
    let text = match args.code {
        None => Code::ALL
            .iter()
            .map(|c| {
                format!(
                    "{}  {:<22} {}\n",
                    c.code(),
                    c.name(),
                    format!("{:?}", c.severity()).to_lowercase()
                )
            })
            .collect::<String>(),
        Some(text) => {
            let code = Code::find(&text).ok_or_else(|| {
                Error::new(
                    ErrorKind::Usage,
                    format!("unknown diagnostic code `{text}`"),
                )
                .help("`ripple explain` lists every code")
            })?;
            format!(
                "{} {} ({:?})\n\n{}\n",
                code.code(),
                code.name(),
                code.severity(),
                code.doc()
            )
        }
    };
    emit(&text)?;
    Ok(Verdict::Clean)
}
