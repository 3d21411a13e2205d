//! [`codes!`](crate::codes): one way to write a table of stable codes (the `code` strings of a
//! JSON contract) as an enum. Each variant has its text and, when the table says so, a value
//! of its own (an HTTP status, a label). The enum gets `ALL`, `as_str`, `parse`, `Display` and
//! serde as its text, so a code is written in one place and the strings cannot drift.

/// A table of codes as an enum.
///
/// A *closed* table refuses a text it does not know; an *open* one (`open enum`) keeps it as
/// `Other(text)`, so records written by another version read and re-serialise unchanged. A
/// table may give each code a value (`enum Name: Type { A = "a" => value, ... }`), returned by
/// `value()`.
///
/// ```
/// kyso_verify::codes! {
///     /// How a door is.
///     pub enum Door: u16 {
///         /// Open.
///         Open = "open" => 200,
///         /// Shut.
///         Shut = "shut" => 403,
///     }
/// }
/// assert_eq!(Door::parse("shut"), Some(Door::Shut));
/// assert_eq!(Door::Shut.value(), 403);
/// assert_eq!(Door::ALL.len(), 2);
/// assert_eq!(serde_json::to_string(&Door::Open).unwrap(), "\"open\"");
/// ```
#[macro_export]
macro_rules! codes {
    (
        $(#[$meta:meta])*
        $vis:vis open enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A code this version does not know (written by another version).
            Other(String),
        }

        impl $name {
            /// Every known code.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The code as the contract writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Other(s) => s,
                }
            }

            /// The code written as `s` (an unknown text is kept as `Other`).
            pub fn parse(s: &str) -> $name {
                match s {
                    $($text => $name::$variant,)*
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as ::serde::Deserialize>::deserialize(d)?;
                Ok($name::parse(&s))
            }
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident $(: $vty:ty)? {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal $(=> $value:expr)?, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
        }

        impl $name {
            /// Every code.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The code as the contract writes it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// The code written as `s`.
            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($text => Some($name::$variant),)*
                    _ => None,
                }
            }

            $crate::codes!(@value $($vty)? ; $( $name::$variant $(=> $value)? ),*);
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as ::serde::Deserialize>::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| {
                    <D::Error as ::serde::de::Error>::custom(format!("unknown code {s:?}"))
                })
            }
        }
    };
    (@value ; $( $path:path ),*) => {};
    (@value $vty:ty ; $( $path:path => $value:expr ),*) => {
        /// The value the table gives this code.
        pub fn value(self) -> $vty {
            match self {
                $( $path => $value, )*
            }
        }
    };
}
