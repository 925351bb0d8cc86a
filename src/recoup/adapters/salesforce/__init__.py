"""Salesforce adapter: the CRM port on Salesforce's REST API through ``simple-salesforce``.

Salesforce's vocabulary (SOQL, sObjects, WhoId/WhatId) stays inside this package; see
docs/integrations/salesforce.md for the connected app, the integration user and the fields.
"""

from recoup.adapters.salesforce.client import MATCH_CONFIDENCE, SalesforceCrm
from recoup.adapters.salesforce.mapping import Fields

__all__ = ["MATCH_CONFIDENCE", "Fields", "SalesforceCrm"]
