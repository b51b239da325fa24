//! Condition operator names: `[ForAnyValue:|ForAllValues:]<Base>[IfExists]`.
//!
//! Names are matched case-sensitively, as IAM does: IAM rejects `stringEquals` with
//! `MalformedPolicyDocument: Invalid Condition type : stringEquals`. `IfExists` may follow any
//! base operator except `Null` (IAM condition-operator reference).

use super::{BaseOperator, ConditionOperator, SetQualifier};

/// Every base operator, in the order of the IAM reference.
pub const ALL_BASE_OPERATORS: [BaseOperator; 27] = [
    BaseOperator::StringEquals,
    BaseOperator::StringNotEquals,
    BaseOperator::StringEqualsIgnoreCase,
    BaseOperator::StringNotEqualsIgnoreCase,
    BaseOperator::StringLike,
    BaseOperator::StringNotLike,
    BaseOperator::NumericEquals,
    BaseOperator::NumericNotEquals,
    BaseOperator::NumericLessThan,
    BaseOperator::NumericLessThanEquals,
    BaseOperator::NumericGreaterThan,
    BaseOperator::NumericGreaterThanEquals,
    BaseOperator::DateEquals,
    BaseOperator::DateNotEquals,
    BaseOperator::DateLessThan,
    BaseOperator::DateLessThanEquals,
    BaseOperator::DateGreaterThan,
    BaseOperator::DateGreaterThanEquals,
    BaseOperator::Bool,
    BaseOperator::BinaryEquals,
    BaseOperator::IpAddress,
    BaseOperator::NotIpAddress,
    BaseOperator::ArnEquals,
    BaseOperator::ArnLike,
    BaseOperator::ArnNotEquals,
    BaseOperator::ArnNotLike,
    BaseOperator::Null,
];

impl BaseOperator {
    /// The operator's name as IAM spells it.
    pub fn name(self) -> &'static str {
        use BaseOperator::*;
        match self {
            StringEquals => "StringEquals",
            StringNotEquals => "StringNotEquals",
            StringEqualsIgnoreCase => "StringEqualsIgnoreCase",
            StringNotEqualsIgnoreCase => "StringNotEqualsIgnoreCase",
            StringLike => "StringLike",
            StringNotLike => "StringNotLike",
            NumericEquals => "NumericEquals",
            NumericNotEquals => "NumericNotEquals",
            NumericLessThan => "NumericLessThan",
            NumericLessThanEquals => "NumericLessThanEquals",
            NumericGreaterThan => "NumericGreaterThan",
            NumericGreaterThanEquals => "NumericGreaterThanEquals",
            DateEquals => "DateEquals",
            DateNotEquals => "DateNotEquals",
            DateLessThan => "DateLessThan",
            DateLessThanEquals => "DateLessThanEquals",
            DateGreaterThan => "DateGreaterThan",
            DateGreaterThanEquals => "DateGreaterThanEquals",
            Bool => "Bool",
            BinaryEquals => "BinaryEquals",
            IpAddress => "IpAddress",
            NotIpAddress => "NotIpAddress",
            ArnEquals => "ArnEquals",
            ArnLike => "ArnLike",
            ArnNotEquals => "ArnNotEquals",
            ArnNotLike => "ArnNotLike",
            Null => "Null",
        }
    }

    /// The base operator with exactly this (case-sensitive) name.
    pub fn from_name(name: &str) -> Option<Self> {
        ALL_BASE_OPERATORS.into_iter().find(|op| op.name() == name)
    }

    /// True for the negated operators (`StringNotEquals`, `NotIpAddress`, …), which hold only
    /// when the request value matches none of the policy values.
    pub fn is_negated(self) -> bool {
        self.positive() != self
    }

    /// The positive counterpart of a negated operator (`StringNotLike` → `StringLike`); the
    /// operator itself otherwise.
    pub fn positive(self) -> Self {
        use BaseOperator::*;
        match self {
            StringNotEquals => StringEquals,
            StringNotEqualsIgnoreCase => StringEqualsIgnoreCase,
            StringNotLike => StringLike,
            NumericNotEquals => NumericEquals,
            DateNotEquals => DateEquals,
            NotIpAddress => IpAddress,
            ArnNotEquals => ArnEquals,
            ArnNotLike => ArnLike,
            other => other,
        }
    }
}

/// Why an operator name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OperatorError {
    Unknown,
    IfExistsOnNull,
}

impl ConditionOperator {
    /// Parses an operator name as written in a `Condition` block.
    pub(super) fn parse(raw: &str) -> Result<Self, OperatorError> {
        let (set, rest) = if let Some(rest) = raw.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else if let Some(rest) = raw.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else {
            (None, raw)
        };
        let (name, if_exists) = match rest.strip_suffix("IfExists") {
            Some(name) => (name, true),
            None => (rest, false),
        };
        let base = BaseOperator::from_name(name).ok_or(OperatorError::Unknown)?;
        if base == BaseOperator::Null && if_exists {
            return Err(OperatorError::IfExistsOnNull);
        }
        Ok(Self {
            raw: raw.to_owned(),
            set,
            base,
            if_exists,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_base_name_round_trips() {
        for op in ALL_BASE_OPERATORS {
            assert_eq!(BaseOperator::from_name(op.name()), Some(op));
        }
    }

    #[test]
    fn qualifiers_and_suffix_are_split_off() {
        let op = ConditionOperator::parse("ForAnyValue:StringLikeIfExists").unwrap();
        assert_eq!(op.set, Some(SetQualifier::ForAnyValue));
        assert_eq!(op.base, BaseOperator::StringLike);
        assert!(op.if_exists);
        assert_eq!(op.raw, "ForAnyValue:StringLikeIfExists");
    }

    #[test]
    fn names_are_case_sensitive() {
        assert_eq!(
            ConditionOperator::parse("stringEquals"),
            Err(OperatorError::Unknown)
        );
        assert_eq!(
            ConditionOperator::parse("foranyvalue:StringEquals"),
            Err(OperatorError::Unknown)
        );
    }

    #[test]
    fn null_takes_no_if_exists() {
        assert_eq!(
            ConditionOperator::parse("NullIfExists"),
            Err(OperatorError::IfExistsOnNull)
        );
    }

    #[test]
    fn negated_operators_know_their_positive_form() {
        let negated: Vec<_> = ALL_BASE_OPERATORS
            .into_iter()
            .filter(|op| op.is_negated())
            .collect();
        assert_eq!(negated.len(), 8);
        assert_eq!(
            BaseOperator::NotIpAddress.positive(),
            BaseOperator::IpAddress
        );
        assert!(!BaseOperator::Null.is_negated());
    }
}
