from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from contracts.models import Contract
from contracts.services import uplift_apply
from core.errors import DomainError


def _percent(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise CommandError(f"{value!r} is not a percentage (e.g. 6.7).") from None


class Command(BaseCommand):
    help = (
        "Apply the annual uplift to block bed rates from an effective date: each contract's weighting of the "
        "National Living Wage and CPI increases, capped as the contract says. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--effective", required=True, type=date.fromisoformat, help="YYYY-MM-DD, e.g. 2027-04-01")
        parser.add_argument("--nlw", required=True, type=_percent, help="National Living Wage increase, %%")
        parser.add_argument("--cpi", required=True, type=_percent, help="CPI, %%")
        parser.add_argument("--contract", help="Only this contract reference (default: every live block contract)")

    def handle(self, *args, effective, nlw, cpi, contract=None, **options):
        chosen = None
        if contract:
            chosen = Contract.objects.filter(reference=contract).first()
            if chosen is None:
                raise CommandError(f"No contract with reference {contract!r}.")
        try:
            result = uplift_apply(effective_from=effective, nlw_percent=nlw, cpi_percent=cpi, contract=chosen)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Uplift from {effective}: {result['uplifted']} bed lines uplifted, "
            f"{result['already_uplifted']} had a rate from that date already."
        )
