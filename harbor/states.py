"""US states and territories by USPS code: the one list every app validates against."""

from django.utils.translation import gettext_lazy as _

STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas",
    "CA": "California", "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware",
    "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia", "HI": "Hawaii",
    "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah",
    "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico", "GU": "Guam",
    "VI": "U.S. Virgin Islands", "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}  # fmt: skip
STATE_CHOICES = sorted(STATES.items(), key=lambda item: item[1])
NAME_TO_CODE = {name.lower(): code for code, name in STATES.items()}


def normalize_state(value: str) -> str:
    """Return the USPS code for a code or full name (any case); raise ValueError if unknown."""
    cleaned = " ".join((value or "").split())
    if cleaned.upper() in STATES:
        return cleaned.upper()
    if cleaned.lower() in NAME_TO_CODE:
        return NAME_TO_CODE[cleaned.lower()]
    raise ValueError(
        _("“%(value)s” is not a US state or territory.") % {"value": value}
    )
