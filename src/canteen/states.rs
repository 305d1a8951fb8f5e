//! The states of a meal and the changes allowed between them (pure: no actix, no diesel).
//! Every change of a meal goes through `next`; `transition.rs` writes what it allows and
//! records it in `order_events`.

macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($var:ident = $code:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($var),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),*];
            pub fn as_str(self) -> &'static str { match self { $($name::$var => $code),* } }
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($code => Some($name::$var),)* _ => None }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// A staff meal (`orders.status`; guest meals use Ordered, Cancelled and Served).
    MealStatus {
        Ordered = "ordered",
        Cancelled = "cancelled",
        Served = "served",
        NoShow = "no_show",
    }
);

text_enum!(
    /// Who placed the meal as it stands (`orders.source`).
    Placed {
        Staff = "staff",
        Standing = "standing",
        Kitchen = "kitchen",
    }
);

text_enum!(
    /// Where a change came from (`order_events.source`).
    Source {
        Staff = "staff",
        Kitchen = "kitchen",
        Standing = "standing",
        Counter = "counter",
        Calendar = "calendar",
        Absence = "absence",
        People = "people",
        System = "system",
    }
);

text_enum!(
    /// Why a meal is cancelled (`cancel_cause`, and `order_events.cause`).
    Cause {
        Person = "self",
        Kitchen = "kitchen",
        DayClosed = "day_closed",
        Absence = "absence",
        PersonLeft = "person_left",
    }
);

text_enum!(
    /// What a row of `order_events` is about.
    EventKind {
        Meal = "meal",
        Guests = "guests",
        WalkIn = "walk_in",
    }
);

text_enum!(
    /// A walk-in (`walk_ins.status`).
    WalkInStatus {
        Served = "served",
        Void = "void",
    }
);

impl Cause {
    /// The cause a person's own cancellation gets, by who made it.
    pub fn of(source: Source) -> Cause {
        match source {
            Source::Kitchen => Cause::Kitchen,
            Source::Calendar => Cause::DayClosed,
            Source::Absence => Cause::Absence,
            Source::People => Cause::PersonLeft,
            Source::Staff | Source::Standing | Source::Counter | Source::System => Cause::Person,
        }
    }
    /// Causes that go away by themselves (a day reopened, an absence deleted, a leaver
    /// reinstated); the meals they cancelled come back then. A person's own cancellation and
    /// the kitchen's on their behalf never come back.
    pub fn is_restorable(self) -> bool {
        matches!(self, Cause::DayClosed | Cause::Absence | Cause::PersonLeft)
    }
}

/// A requested change of one person's meal of one day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Order (or change to) an option, or order again after a cancellation.
    Order,
    Cancel(Cause),
    Serve,
    /// Undo a serve at the counter (within its time limit, checked by the caller).
    UndoServe,
    NoShow,
    /// Bring back a meal still cancelled by this cause.
    Restore(Cause),
}

/// Why a change is not made (an i18n key), or that there is nothing to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The meal is already as asked: nothing to write.
    Nothing,
    Refused(&'static str),
}

/// The state a change leads to from the current one (None: no row yet). `cancelled_by` is the
/// cause of the current cancellation, if the meal is cancelled.
pub fn next(
    from: Option<MealStatus>,
    cancelled_by: Option<Cause>,
    change: Change,
) -> Result<MealStatus, Refusal> {
    use MealStatus::*;
    let served = Refusal::Refused("order.err_already_served");
    let no_show = Refusal::Refused("order.err_no_show_final");
    match (change, from) {
        (Change::Order, None | Some(Ordered | Cancelled)) => Ok(Ordered),
        (Change::Order, Some(Served)) => Err(served),
        (Change::Order, Some(NoShow)) => Err(no_show),

        (Change::Cancel(_), Some(Ordered)) => Ok(Cancelled),
        (Change::Cancel(_), None | Some(Cancelled)) => Err(Refusal::Nothing),
        (Change::Cancel(_), Some(Served)) => Err(served),
        (Change::Cancel(_), Some(NoShow)) => Err(no_show),

        (Change::Serve, Some(Ordered | NoShow)) => Ok(Served),
        (Change::Serve, Some(Served)) => Err(served),
        (Change::Serve, None | Some(Cancelled)) => Err(Refusal::Refused("counter.no_meal")),

        (Change::UndoServe, Some(Served)) => Ok(Ordered),
        (Change::UndoServe, _) => Err(Refusal::Refused("counter.err_undo_late")),

        (Change::NoShow, Some(Ordered)) => Ok(NoShow),
        (Change::NoShow, _) => Err(Refusal::Nothing),

        (Change::Restore(c), Some(Cancelled)) if cancelled_by == Some(c) && c.is_restorable() => {
            Ok(Ordered)
        }
        (Change::Restore(_), _) => Err(Refusal::Nothing),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MealStatus::*;

    #[test]
    fn a_served_or_no_show_meal_can_never_be_cancelled_or_changed() {
        for from in [Served, NoShow] {
            for change in [
                Change::Order,
                Change::Cancel(Cause::Person),
                Change::Cancel(Cause::Kitchen),
                Change::Cancel(Cause::DayClosed),
                Change::NoShow,
            ] {
                assert!(
                    next(Some(from), None, change).is_err(),
                    "{from:?} + {change:?}"
                );
            }
        }
    }

    #[test]
    fn ordering_cancelling_and_serving_follow_the_counter() {
        assert_eq!(next(None, None, Change::Order), Ok(Ordered));
        assert_eq!(
            next(Some(Cancelled), Some(Cause::Person), Change::Order),
            Ok(Ordered)
        );
        assert_eq!(
            next(Some(Ordered), None, Change::Cancel(Cause::Person)),
            Ok(Cancelled)
        );
        assert_eq!(next(Some(Ordered), None, Change::Serve), Ok(Served));
        assert_eq!(next(Some(NoShow), None, Change::Serve), Ok(Served));
        assert_eq!(next(Some(Served), None, Change::UndoServe), Ok(Ordered));
        assert_eq!(next(Some(Ordered), None, Change::NoShow), Ok(NoShow));
        assert_eq!(
            next(Some(Cancelled), None, Change::Serve),
            Err(Refusal::Refused("counter.no_meal"))
        );
        assert_eq!(
            next(None, None, Change::Cancel(Cause::Person)),
            Err(Refusal::Nothing)
        );
    }

    #[test]
    fn only_the_cause_that_cancelled_a_meal_brings_it_back() {
        let closed = Change::Restore(Cause::DayClosed);
        assert_eq!(
            next(Some(Cancelled), Some(Cause::DayClosed), closed),
            Ok(Ordered)
        );
        assert_eq!(
            next(Some(Cancelled), Some(Cause::Person), closed),
            Err(Refusal::Nothing)
        );
        assert_eq!(
            next(Some(Cancelled), Some(Cause::Absence), closed),
            Err(Refusal::Nothing)
        );
        assert_eq!(next(Some(Ordered), None, closed), Err(Refusal::Nothing));
        assert_eq!(
            next(
                Some(Cancelled),
                Some(Cause::Person),
                Change::Restore(Cause::Person)
            ),
            Err(Refusal::Nothing),
            "a person's own cancellation never comes back"
        );
    }

    #[test]
    fn every_code_reads_back_as_itself() {
        for s in MealStatus::ALL {
            assert_eq!(MealStatus::parse(s.as_str()), Some(*s));
        }
        for s in Source::ALL {
            assert_eq!(Source::parse(s.as_str()), Some(*s));
        }
        for s in Cause::ALL {
            assert_eq!(Cause::parse(s.as_str()), Some(*s));
        }
    }
}
