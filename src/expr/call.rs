//! The names a call can have: [`Func`], a plain enum of the mapping functions (README,
//! "Mapping expressions"), so that the syntax tree can say which function a call is
//! without knowing what any function does.
//!
//! What each function does (its argument kinds, evaluation and rules) is implemented
//! in the `func` module, one file per function, which depends on this one and never the
//! other way around: a function added here without its rules there, or there without
//! its name here, does not compile, since every match over [`Func`] is exhaustive.

macro_rules! names {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// A mapping function, by name. Its rules (`doc`, `eval`, `forward`, `backward`
        /// …) are methods implemented next to each function's file in the `func` module.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Func {
            $(
                #[doc = concat!("`", $name, "`.")]
                $variant,
            )*
        }

        impl Func {
            /// Every function, in documentation order.
            pub const ALL: [Func; [$($name),*].len()] = [$(Func::$variant),*];

            /// Its name in expressions.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self { $(Func::$variant => $name,)* }
            }
        }
    };
}

names! {
    Lower => "lower",
    Upper => "upper",
    Trim => "trim",
    Ascii => "ascii",
    Truncate => "truncate",
    Concat => "concat",
    Replace => "replace",
    Digits => "digits",
    PadLeft => "pad_left",
    Part => "part",
    Default => "default",
    String => "string",
    Number => "number",
}

impl Func {
    /// The function called `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Func> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}
