"""A working fake CRM: accounts matched by billing reference, email, phone or name."""

from __future__ import annotations

from recoup.adapters.fake.ledger import Ledger
from recoup.domain.models import Account, Match, WriteBack, WriteReceipt, jsonable

#: Confidence of each way of matching a billing customer to a CRM account.
MATCH_CONFIDENCE = {"customer_ref": 1.0, "email": 0.95, "phone": 0.9, "name": 0.6}


class FakeCrm:
    """Accounts kept in a ledger; matching mirrors what a CRM search would give."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    def add_account(self, account: Account) -> None:
        """Seed an account, as if sales had created it."""
        self._ledger.put("account", account.account_id, jsonable(account))

    def _accounts(self) -> list[Account]:
        return [Account.model_validate(v) for _, v in self._ledger.items("account")]

    def match_account(
        self, customer_ref: str | None, email: str | None, phone: str | None, name: str | None
    ) -> Match[Account] | None:
        probes = {
            "customer_ref": customer_ref,
            "email": email.lower() if email else None,
            "phone": phone,
            "name": name.lower() if name else None,
        }
        accounts = self._accounts()
        for field, wanted in probes.items():
            if not wanted:
                continue
            for account in accounts:
                if _field(account, field) == wanted:
                    return Match[Account](
                        record=account, confidence=MATCH_CONFIDENCE[field], matched_on=field
                    )
        return None

    def record_disposition(self, write: WriteBack) -> WriteReceipt:
        _, created = self._ledger.add("crm_note", write.key, jsonable(write))
        return WriteReceipt(
            key=write.key, system="crm", provider_id=f"eng_{write.key}", duplicate=not created
        )


def _field(account: Account, field: str) -> str | None:
    if field == "customer_ref":
        return account.billing_customer_ref
    if field == "email":
        return account.email.lower() if account.email else None
    if field == "phone":
        return account.phone
    return account.name.lower()
