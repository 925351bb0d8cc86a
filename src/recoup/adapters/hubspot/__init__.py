"""HubSpot adapter: the CRM port on HubSpot's CRM v3 API through ``hubspot-api-client``.

HubSpot's vocabulary (contacts, companies, engagements, association type IDs) stays inside
this package; see docs/integrations/hubspot.md for the private app it needs.
"""

from recoup.adapters.hubspot.client import MATCH_CONFIDENCE, HubSpotCrm
from recoup.adapters.hubspot.mapping import Properties

__all__ = ["MATCH_CONFIDENCE", "HubSpotCrm", "Properties"]
