"""Money for paid work, with no database in it: a pay rate read the way people type it, amounts in
minor units (pence, cents: never a float), how they are written, and where a payment stands.

An amount is the hours (or sessions) confirmed times the rate, worked out with Decimal and rounded
half up to the nearest penny or cent: 2.5 hours at 12.35 an hour is 30.875, paid as 30.88.
Currencies are taken to have two decimals (GBP, EUR, USD, CAD...)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from bot.checks import Refusal
from bot.words import Translate

MOST = 10_000_000  # minor units: 100,000.00, more than any rate or expense here


class PayStatus(StrEnum):
    """Where the pay for one person's work on an opening stands."""

    OFFERED = "offered"  # selected; the work is not confirmed yet
    CONFIRMED = "confirmed"  # the poster confirmed the hours; the amount is worked out
    APPROVED = "approved"  # the poster approved it for payment
    PAID = "paid"  # a coordinator marked it paid


class ExpenseStatus(StrEnum):
    CLAIMED = "claimed"
    APPROVED = "approved"
    DECLINED = "declined"
    PAID = "paid"


HOUR, SESSION = "hour", "session"

_NONE = {"none", "no", "unpaid", "voluntary", "volunteer", "free", "nothing", "0", "-"}
_RATE = re.compile(
    r"^[£$€]?\s*(?P<amount>\d{1,6}(?:[.,]\d{1,2})?)\s*(?:[a-z]{3})?\s*"
    r"(?:(?:an?|per|each|/|every)\s*)?(?P<unit>hours?|hrs?|h|sessions?|meetings?)?$"
)


@dataclass(frozen=True)
class Rate:
    minor: int | None  # None: unpaid
    unit: str  # HOUR, SESSION, or "" when unpaid

    @property
    def paid(self) -> bool:
        return self.minor is not None


UNPAID = Rate(None, "")


def read_rate(text: str) -> Rate:
    """'25 an hour', '£25/hr', '40 a session', 'none' -> a Rate. Anything else is refused,
    saying what to type."""
    typed = " ".join(text.lower().replace("£", "£ ").split()).strip().rstrip(".")
    if typed in _NONE:
        return UNPAID
    found = _RATE.match(typed.replace("£ ", "£"))
    if found is None or found.group("unit") is None:
        raise Refusal(
            "Please type the pay like '25 an hour' or '40 a session', or 'none' if it is unpaid."
        )
    minor = read_minor(found.group("amount"))
    if minor == 0:
        return UNPAID
    unit = SESSION if found.group("unit").startswith(("s", "m")) else HOUR
    return Rate(minor, unit)


def read_minor(text: str) -> int:
    """'12.50' or '12' -> 1250. Refused: not a sum of money, negative, or too large."""
    typed = text.strip().lstrip("£$€").strip()
    # "1,250.50" has a thousands separator; "12,50" a decimal comma.
    typed = typed.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d{1,2})?", typed) else typed.replace(",", ".")
    try:
        amount = Decimal(typed)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise Refusal("Please type an amount like 12.50.")
    minor = int(amount * 100)
    if minor > MOST:
        raise Refusal("That amount is too large. Please type an amount like 12.50.")
    return minor


def amount_for(rate_minor: int, units: str) -> int:
    """The pay for `units` hours or sessions (as typed, e.g. "2.5") at `rate_minor`, in minor
    units, rounded half up to the penny or cent."""
    exact = Decimal(rate_minor) * Decimal(units)
    return int(exact.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "CAD": "$", "AUD": "$", "NZD": "$"}


def money(minor: int, currency: str) -> str:
    """1250, "GBP" -> "£12.50"; for a currency without a symbol here, "CHF 12.50"."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    figure = f"{whole:,}.{cents:02d}"
    symbol = _SYMBOLS.get(currency)
    return f"{sign}{symbol}{figure}" if symbol else f"{sign}{currency} {figure}"


def plain_amount(minor: int) -> str:
    """For a CSV: 1250 -> "12.50", no symbol, no thousands separator."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole}.{cents:02d}"


def rate_words(_: Translate, minor: int | None, unit: str, currency: str) -> str:
    """How a rate reads: "£25.00 an hour", "£40.00 a session", "Unpaid"."""
    if minor is None:
        return _("Unpaid")
    amount = money(minor, currency).removesuffix(".00")  # "£25 an hour" reads best
    if unit == SESSION:
        return _("{amount} a session", amount=amount)
    return _("{amount} an hour", amount=amount)


def rate_typed(minor: int | None, unit: str) -> str:
    """A rate as it would be typed in the form again: "25 an hour", "none"."""
    if minor is None:
        return "none"
    amount = plain_amount(minor).removesuffix(".00")
    return f"{amount} a session" if unit == SESSION else f"{amount} an hour"


def status_words(_: Translate, status: str, declined: bool) -> str:
    if declined and status != PayStatus.PAID:
        return _("you chose not to be paid")
    return {
        PayStatus.OFFERED: _("waiting for hours to be confirmed"),
        PayStatus.CONFIRMED: _("hours confirmed"),
        PayStatus.APPROVED: _("approved for payment"),
        PayStatus.PAID: _("paid"),
    }.get(status, status)


def expense_status_words(_: Translate, status: str) -> str:
    return {
        ExpenseStatus.CLAIMED: _("waiting for approval"),
        ExpenseStatus.APPROVED: _("approved for payment"),
        ExpenseStatus.DECLINED: _("declined"),
        ExpenseStatus.PAID: _("paid"),
    }.get(status, status)
