"""The bare address (/): open the role's landing page with the address's filters kept.

Every real page keeps its own address (/province, /commune, /national …), so a deep link to any of
them, e.g. one copied from an older version where the landing page lived at /, opens that page."""

import ui
from ui.nav import landing_for

ui.go(landing_for(ui.current().role))
