//! A closed set of wire codes with a Dutch and an English label, declared once by `value_set!`.

/// UI language. Dutch is the primary language of the product.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Nl,
    En,
}

/// Declares an enum whose variants serialise as their wire code and carry Dutch and English
/// labels: `value_set!(Name { Variant = "code", "nl label", "en label"; ... })`.
macro_rules! value_set {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal, $nl:literal, $en:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant,)+
        }

        impl $name {
            /// Every value, in the order of the specification.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The wire code, e.g. `"1.1"` or `"with_partner"`.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// Parses a wire code; `None` for anything not in the set.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// The human label in the given language.
            pub fn label(self, lang: $crate::Lang) -> &'static str {
                match (self, lang) {
                    $(($name::$variant, $crate::Lang::Nl) => $nl,
                      ($name::$variant, $crate::Lang::En) => $en,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        /// In the OpenAPI document: a string, one of the wire codes.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::openapi::code_set(&[$($code,)+])
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

#[cfg(test)]
mod tests {
    value_set!(Colour {
        Red = "red", "rood", "red";
        Blue = "blue", "blauw", "blue";
    });

    #[test]
    fn codes_round_trip_through_serde_and_from_code() {
        for c in Colour::ALL {
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.code()));
            assert_eq!(Colour::from_code(c.code()), Some(*c));
        }
        assert_eq!(Colour::from_code("green"), None);
        assert_eq!(Colour::Blue.label(crate::Lang::Nl), "blauw");
    }
}
