"""A working fake billing system: invoices, hosted payment links, disposition notes."""

from __future__ import annotations

import hashlib

from recoup.adapters.fake.ledger import Ledger
from recoup.domain.models import Invoice, WriteBack, WriteReceipt, jsonable


class FakeBilling:
    """Billing kept in a ledger, so several processes see the same invoices."""

    def __init__(self, ledger: Ledger, pay_base_url: str = "https://pay.example.test") -> None:
        self._ledger = ledger
        self._pay_base_url = pay_base_url.rstrip("/")

    def add_invoice(self, invoice: Invoice) -> None:
        """Seed an invoice, as if billing had issued it."""
        self._ledger.put("invoice", invoice.invoice_ref, jsonable(invoice))

    def get_invoice(self, invoice_ref: str) -> Invoice | None:
        stored = self._ledger.get("invoice", invoice_ref)
        return None if stored is None else Invoice.model_validate(stored)

    def payment_link(self, invoice: Invoice, key: str) -> str:
        digest = hashlib.sha256(f"{invoice.invoice_ref}:{key}".encode()).hexdigest()[:16]
        url = f"{self._pay_base_url}/i/{invoice.invoice_ref}/{digest}"
        stored, _ = self._ledger.add("payment_link", key, {"url": url})
        return str(stored["url"])

    def record_disposition(self, write: WriteBack) -> WriteReceipt:
        _, created = self._ledger.add("billing_note", write.key, jsonable(write))
        return WriteReceipt(
            key=write.key, system="billing", provider_id=f"note_{write.key}", duplicate=not created
        )
