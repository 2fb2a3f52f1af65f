"""Every tunable number of the remittance parser in one place (like pdfplumber's TableSettings).

A per-payer template in ``config/remittance_templates/`` may override any of them; it
loads straight into ``ParseSettings.resolve``.
"""

from dataclasses import dataclass, field, fields


@dataclass
class ParseSettings:
    """How words are grouped and tables are read. Distances are in multiples of the text height."""

    #: words whose vertical extents overlap by this share of the smaller height are on one line
    line_overlap: float = 0.5
    #: a horizontal gap wider than this (x text height) starts a new phrase (cell) on a line
    phrase_gap: float = 0.9
    #: a value may sit at most this many line heights below its label
    value_below: float = 2.6
    #: pdfplumber's x_tolerance when it builds words from characters
    x_tolerance: float = 1.5
    #: column role overrides, header label -> role (templates use this for odd wordings)
    column_labels: dict = field(default_factory=dict)

    def __post_init__(self):
        from .vocabulary import COLUMN_SYNONYMS, norm

        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, float | int) and value <= 0:
                raise ValueError(f"remittance setting {f.name} must be positive, got {value!r}")
        roles = set(COLUMN_SYNONYMS) | {"other"}
        for label, role in self.column_labels.items():
            if role not in roles:
                raise ValueError(f"remittance setting column_labels: {label!r} -> {role!r} is not one of {sorted(roles)}")
        # Labels compare in normalised form ("Amt. Remitted" == "amtremitted").
        self.column_labels = {norm(label): role for label, role in self.column_labels.items()}

    @classmethod
    def resolve(cls, value=None) -> "ParseSettings":
        """Accept None (defaults), a dict (from a template) or a ParseSettings."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        if isinstance(value, dict):
            known = {f.name for f in fields(cls)}
            unknown = set(value) - known
            if unknown:
                raise ValueError(f"unknown remittance setting(s) {sorted(unknown)}; known: {sorted(known)}")
            return cls(**value)
        raise TypeError(f"remittance settings must be a dict or ParseSettings, not {type(value).__name__}")
